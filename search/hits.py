"""One page of hits: documents loaded in ranked order, with marked title and snippets."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch
from django.utils.safestring import SafeString

from .query import ParsedQuery
from .snippets import highlight, match_patterns, snippets


@dataclass
class Hit:
    document: object
    title_html: SafeString
    snippets: list[SafeString]

    @property
    def url(self) -> str:
        return _url(self.document)

    @property
    def issue_url(self) -> str:
        return _url(self.document.issue)

    @property
    def gazette_url(self) -> str:
        return _url(self.document.issue.gazette)

    def to_json(self) -> dict:
        document = self.document
        return {
            "id": document.pk,
            "doc_number": document.doc_number,
            "title": document.title,
            "url": self.url,
            "gazette": document.issue.gazette.name,
            "issue": document.issue.label,
            "date": document.date.isoformat() if document.date else None,
            "snippets": [str(snippet) for snippet in self.snippets],
        }


def hits_for(ids: list[int], parsed: ParsedQuery) -> list[Hit]:
    """Hits for these document ids, in the given order."""
    from gazette.models import Document

    # Hits show the plain body, never its blocks (a large JSON column).
    documents = Document.objects.filter(pk__in=ids).defer("blocks").with_issue().prefetch_related("tasks").in_bulk()
    patterns = match_patterns(parsed)
    hits = []
    for pk in ids:
        document = documents.get(pk)
        if document is None:
            continue
        text = document.body
        passages = snippets(text, patterns) if text else []
        if patterns and not any("<mark>" in p for p in passages):
            task_text = "\n".join(task.text for task in document.tasks.all())
            task_passages = snippets(task_text, patterns)
            if any("<mark>" in p for p in task_passages):
                passages = task_passages
        hits.append(Hit(document=document, title_html=highlight(document.title, patterns), snippets=passages))
    return hits


def _url(obj) -> str:
    # The pages of documents, issues and gazettes live in other apps; a missing route
    # should cost a link, not the search page.
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""
