"""One page of hits: documents loaded in ranked order, with marked title and snippets.

Marks show where the search looked: a search within the 文号 or the 发文机关 marks that
line of the hit and leaves the title and the opening passage unmarked (a 2018 in the body is
not why the document was found); a search within the title marks the title and snippets.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.functions import Substr
from django.urls import NoReverseMatch
from django.utils.html import escape
from django.utils.safestring import SafeString

from .query import ParsedQuery, Within
from .snippets import SCAN_CHARS, highlight, match_patterns, snippets


@dataclass
class Hit:
    document: object
    title_html: SafeString
    snippets: list[SafeString]
    doc_number_html: SafeString = SafeString("")
    # Shown only for a search within the 发文机关 (the title names the body otherwise).
    issuer_html: SafeString = SafeString("")

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
            "published": document.issue.published.isoformat() if document.issue.published else None,
            "validity": document.validity,
            "validity_label": document.get_validity_display(),
            "genre": document.genre,
            "normative": document.normative,
            "snippets": [str(snippet) for snippet in self.snippets],
        }


def hits_for(ids: list[int], parsed: ParsedQuery, within: str = Within.ALL) -> list[Hit]:
    """Hits for these document ids, in the given order, marked where the search looked."""
    from gazette.models import Document

    # Snippets come from the head of the plain body (SCAN_CHARS), cut in the database, never
    # from the whole body or its blocks: a hit's cost stays bounded however long the document.
    documents = (
        Document.objects.filter(pk__in=ids)
        .defer("blocks", "body")
        .annotate(body_head=Substr("body", 1, SCAN_CHARS))
        .with_issue()
        .in_bulk()
    )
    patterns = match_patterns(parsed)
    if within in (Within.DOC_NUMBER, Within.ISSUER):
        return [_field_hit(documents[pk], patterns, within) for pk in ids if pk in documents]
    passages = {pk: snippets(doc.body_head, patterns) if doc.body_head else [] for pk, doc in documents.items()}
    # A document found through its tasks alone shows the matching tasks instead; only those
    # documents' tasks are read (a page of hits holds hundreds of tasks otherwise unused).
    unmarked = [pk for pk, found in passages.items() if patterns and not _marked(found)]
    for pk, task_text in _task_texts(unmarked).items():
        task_passages = snippets(task_text, patterns)
        if _marked(task_passages):
            passages[pk] = task_passages
    return [
        Hit(
            document=documents[pk],
            title_html=highlight(documents[pk].title, patterns),
            snippets=passages[pk],
            doc_number_html=SafeString(escape(documents[pk].doc_number)),
        )
        for pk in ids
        if pk in documents
    ]


def _field_hit(document, patterns, within: str) -> Hit:
    """A hit of a search within the 文号 or the 发文机关: that field marked, the opening passage plain."""
    return Hit(
        document=document,
        title_html=SafeString(escape(document.title)),
        snippets=snippets(document.body_head, []) if document.body_head else [],
        doc_number_html=highlight(document.doc_number, patterns if within == Within.DOC_NUMBER else []),
        issuer_html=highlight(document.issuer, patterns) if within == Within.ISSUER else SafeString(""),
    )


def _marked(passages: list[SafeString]) -> bool:
    return any("<mark>" in passage for passage in passages)


def _task_texts(document_ids: list[int]) -> dict[int, str]:
    """Each document's task texts in order, one per line; one query, none for no ids."""
    from policies.models import Task

    if not document_ids:
        return {}
    texts: dict[int, list[str]] = {}
    for document_id, text in (
        Task.objects.filter(document__in=document_ids)
        .order_by("document_id", "order")
        .values_list("document_id", "text")
    ):
        texts.setdefault(document_id, []).append(text)
    return {document_id: "\n".join(lines) for document_id, lines in texts.items()}


def _url(obj) -> str:
    # The pages of documents, issues and gazettes live in other apps; a missing route
    # should cost a link, not the search page.
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""
