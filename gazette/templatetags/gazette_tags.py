from django import template

from gazette.citations import CitationIndex, link_citations

register = template.Library()


@register.filter(is_safe=True)
def cite(text: str, citations: CitationIndex | None = None):
    """Escaped text with every citation of a known document linked: {{ block.text|cite:citations }}."""
    return link_citations(str(text or ""), citations)


@register.filter(is_safe=True)
def cite_br(text: str, citations: CitationIndex | None = None):
    """Like cite, with line breaks (inside a table cell) kept as <br>."""
    return link_citations(str(text or ""), citations, breaks=True)
