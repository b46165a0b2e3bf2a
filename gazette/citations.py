"""Citations between documents: the 文号 and 《titles》 a body cites, stored as DocumentLink(kind="cites").

`find_citations` is pure: text in, spans out. `CitationIndex` decides which known document a
span means. `document_citations_update` writes the links after an import; `link_citations`
renders a text with those links, escaping everything it does not wrap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .importer.text import DOC_NUMBER
from .models import Document, DocumentLink

# 《贺州市推进电子商务与快递物流协同发展实施方案》 cited in a body or a title
QUOTED_TITLE = re.compile(r"《([^《》\n]{2,120})》")
# 关于印发贺州市构建绿色金融体系实施方案的通知 → 贺州市构建绿色金融体系实施方案
PRINTED_TITLE = re.compile(r"(?:印发|转发|公布)([^《》]{4,120}?)的通知$")

NUMBER = "number"
TITLE = "title"


@dataclass(frozen=True)
class Citation:
    """A span of text citing a document: by 文号 (code may carry words before it) or by 《title》."""

    start: int
    end: int
    kind: str
    code: str = ""
    year: int | None = None
    seq: int | None = None
    title: str = ""


def find_citations(text: str) -> list[Citation]:
    """Every 文号 and 《title》 in text, in order, without overlaps."""
    found: list[Citation] = []
    for match in DOC_NUMBER.finditer(text):
        year = match.group("year") or match.group("year2")
        found.append(
            Citation(
                match.start("code"),
                match.end(),
                NUMBER,
                code=match.group("code"),
                year=int(year),
                seq=int(match.group("seq")),
            )
        )
    for match in QUOTED_TITLE.finditer(text):
        found.append(Citation(match.start(), match.end(), TITLE, title=unnest_quotes(match.group(1).strip())))
    found.sort(key=lambda c: (c.start, -c.end))
    result: list[Citation] = []
    for citation in found:
        if result and citation.start < result[-1].end:
            continue
        result.append(citation)
    return result


def unnest_quotes(title: str) -> str:
    """A title quoted inside a quotation writes its own 《》 as 〈〉; give them back (〈X〉 → 《X》)."""
    return title.replace("〈", "《").replace("〉", "》")


def nest_quotes(title: str) -> str:
    """The form of a title when it is quoted inside 《》 (《X》 → 〈X〉)."""
    return title.replace("《", "〈").replace("》", "〉")


def title_keys(title: str) -> set[str]:
    """Titles a document can be cited by: its own, and the plan it prints (关于印发《X》的通知 → X)."""
    keys = {title.strip()}
    keys.update(m.group(1).strip() for m in QUOTED_TITLE.finditer(title))
    printed = PRINTED_TITLE.search(title)
    if printed:
        keys.add(printed.group(1).strip())
    return {key for key in keys if key}


def document_texts(document: Document) -> Iterable[str]:
    """The body texts to search: each paragraph and heading, each table cell."""
    if not document.blocks:
        if document.body:
            yield document.body
        return
    for block in document.blocks:
        if block.get("text"):
            yield block["text"]
        for row in block.get("rows") or []:
            for cell in row:
                if cell:
                    yield str(cell)


class CitationIndex:
    """Known documents by the keys they are cited by; resolves a Citation to one of them."""

    def __init__(self, documents: Iterable[Document]):
        self.by_number: dict[tuple[int, int], list[Document]] = {}
        self.by_title: dict[str, Document] = {}
        for document in documents:
            if document.doc_code and document.doc_year and document.doc_seq is not None:
                self.by_number.setdefault((document.doc_year, document.doc_seq), []).append(document)
            for key in sorted(title_keys(document.title), key=len):
                self.by_title.setdefault(key, document)

    def __bool__(self) -> bool:
        return bool(self.by_number or self.by_title)

    def resolve(self, citation: Citation) -> tuple[Document, int] | None:
        """The document cited and where its citation starts (a 文号's code can follow other words)."""
        if citation.kind == TITLE:
            document = self.by_title.get(citation.title)
            return (document, citation.start) if document else None
        # 现将贺政办发〔2018〕145号: the regex's code may begin with 现将; the real code is a suffix.
        matches = [
            d for d in self.by_number.get((citation.year, citation.seq), []) if citation.code.endswith(d.doc_code)
        ]
        if not matches:
            return None
        document = max(matches, key=lambda d: len(d.doc_code))
        return document, citation.start + len(citation.code) - len(document.doc_code)


def link_citations(text: str, index: CitationIndex | None, *, breaks: bool = False) -> SafeString:
    """Text as HTML: escaped, with each citation of a known document wrapped in a link.

    With breaks=True, line breaks become <br>. Only escaped text and format_html output are joined.
    """
    pieces: list[str] = []
    position = 0
    if index:
        for citation in find_citations(text):
            resolved = index.resolve(citation)
            if not resolved:
                continue
            document, start = resolved
            pieces.append(escape(text[position:start]))
            pieces.append(
                format_html(
                    '<a class="cite" href="{}" title="{}">{}</a>',
                    document.get_absolute_url(),
                    document.title,
                    text[start : citation.end],
                )
            )
            position = citation.end
    pieces.append(escape(text[position:]))
    html = "".join(pieces)
    if breaks:
        html = html.replace("\r\n", "\n").replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 — every piece above is escaped or built by format_html


def _candidates(citations: list[Citation]) -> Q | None:
    """A filter for the documents these citations might mean."""
    conditions = []
    for citation in citations:
        if citation.kind == NUMBER:
            conditions.append(Q(doc_year=citation.year, doc_seq=citation.seq))
        else:
            conditions.append(
                Q(title=citation.title)
                | Q(title__contains=f"《{citation.title}》")
                | Q(title__contains=f"印发{citation.title}的通知")
            )
    return reduce(or_, conditions) if conditions else None


def document_cited_ids(document: Document) -> set[int]:
    """Ids of the known documents this document's body cites (itself excluded)."""
    citations = [c for text in document_texts(document) for c in find_citations(text)]
    condition = _candidates(citations)
    if condition is None:
        return set()
    index = CitationIndex(
        Document.objects.filter(condition)
        .exclude(pk=document.pk)
        .only("pk", "title", "doc_code", "doc_year", "doc_seq")
    )
    cited = set()
    for citation in citations:
        resolved = index.resolve(citation)
        if resolved:
            cited.add(resolved[0].pk)
    return cited


def _documents_citing(documents: list[Document]) -> list[Document]:
    """Other documents whose bodies cite any of these (checked by the finder, not only by text search)."""
    conditions = []
    for document in documents:
        if document.doc_code and document.doc_year and document.doc_seq is not None:
            conditions.append(Q(body__contains=document.doc_code) & Q(body__contains=str(document.doc_year)))
        for key in title_keys(document.title):
            conditions.append(Q(body__contains=f"《{key}》") | Q(body__contains=f"《{nest_quotes(key)}》"))
    if not conditions:
        return []
    index = CitationIndex(documents)
    citing = []
    for candidate in (
        Document.objects.filter(reduce(or_, conditions))
        .exclude(pk__in=[d.pk for d in documents])
        .only("pk", "blocks", "body")
    ):
        if any(index.resolve(c) for text in document_texts(candidate) for c in find_citations(text)):
            citing.append(candidate)
    return citing


@transaction.atomic
def document_citations_update(*, documents: Iterable[Document]) -> int:
    """Store the 'cites' links of these documents and of the known documents that cite them.

    Returns the number of links created. Stale 'cites' links of the documents re-read are removed.
    """
    documents = list(documents)
    created = 0
    for document in documents + _documents_citing(documents):
        cited = document_cited_ids(document)
        existing = set(
            DocumentLink.objects.filter(source=document, kind=DocumentLink.Kind.CITES).values_list(
                "target_id", flat=True
            )
        )
        DocumentLink.objects.filter(
            source=document, kind=DocumentLink.Kind.CITES, target_id__in=existing - cited
        ).delete()
        new = [DocumentLink(source=document, target_id=pk, kind=DocumentLink.Kind.CITES) for pk in cited - existing]
        DocumentLink.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created
