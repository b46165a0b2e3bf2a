"""Whether a document still holds: the facts read at import, repeal/amend links, and the status for a day.

The importer reads each document's 文种, 规范性文件, 施行日期, 有效期 and what it repeals or
amends (gazette.importer.validity). `document_changes_save` keeps what an import read as
DocumentChange rows and links them both ways: to documents already in the knowledge base,
and rows kept earlier to the documents just imported. `documents_validity_update` sets the
stored status (现行有效, 尚未施行, 已失效, 已废止, 已修订) for a day, in one query over the
documents; the nightly job `gazette.tasks.validity_refresh` and `manage.py validity_update`
run it through `documents_validity_refresh`, which first reads again what an older version
of the rules read (`documents_validity_reread`). A field an admin corrected (Document.corrected_fields) is never
written by any of these. Every status it changes reaches the search index when the change
commits (an engine that counts facets counts 效力), but an import's: its indexing job sends
the documents the import repealed or amended with its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from .citations import Reader, first_meant, title_keys
from .hooks import search_after_commit
from .importer.records import Block, DocumentRecord, DocumentRef
from .importer.text import split_doc_number
from .importer.validity import RULES_VERSION, read_validity
from .models import CitationKey, Document, DocumentChange

# The Document fields the importer's step 7 reads (DocumentChange rows aside).
READ_FIELDS = ("genre", "transmitted_genre", "normative", "effective_from", "effective_basis", "valid_until")
# Rows written or updated per statement.
BATCH = 500


def batches(items: list, size: int = BATCH) -> Iterable[list]:
    """items in consecutive lists of at most size (itertools.batched is Python 3.12)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def validity_fields(record: DocumentRecord) -> dict:
    """The Document fields of a parsed document's validity facts, for Document(**fields)."""
    return {
        "genre": record.genre or "",
        "transmitted_genre": record.transmitted_genre or "",
        "normative": record.normative,
        "effective_from": record.effective_from,
        "effective_basis": record.effective_basis or "",
        "valid_until": record.valid_until,
        "validity_version": RULES_VERSION,
    }


def change_rows(document: Document, record: DocumentRecord) -> list[DocumentChange]:
    """Unsaved DocumentChange rows for what a parsed document repeals and amends."""
    refs = [(DocumentChange.Kind.REPEALS, ref) for ref in record.repeals]
    refs += [(DocumentChange.Kind.AMENDS, ref) for ref in record.amends]
    return [_change_row(document, kind, ref) for kind, ref in refs]


def _change_row(document: Document, kind: str, ref: DocumentRef) -> DocumentChange:
    parts = split_doc_number(ref.doc_number) if ref.doc_number else None
    return DocumentChange(
        source=document,
        kind=kind,
        doc_number=ref.doc_number if parts else "",
        doc_code=parts[0] if parts else "",
        doc_year=parts[1] if parts else None,
        doc_seq=parts[2] if parts else None,
        title=(ref.title or "")[:300],
    )


@transaction.atomic
def document_changes_save(
    *, documents: list[Document], records: list[DocumentRecord], today: dt.date | None = None
) -> set[int]:
    """Keep what newly imported documents repeal and amend, link both ways, and set the validity of all they touch.

    documents[i] was created from records[i]. Returns the ids of the documents whose status was
    recomputed: the new ones and the known ones they now repeal or amend.
    """
    rows = [row for document, record in zip(documents, records, strict=True) for row in change_rows(document, record)]
    DocumentChange.objects.bulk_create(rows, batch_size=BATCH)
    touched = {document.pk for document in documents} | document_changes_link(documents=documents)
    _statuses_store(Document.objects.filter(pk__in=touched), today=today)
    return touched


def document_changes_link(*, documents: Iterable[Document]) -> set[int]:
    """Link the unlinked repeals and amends of these documents, and those of others that name these.

    A 文号 names one document; a title names the known document with that title (or one it
    can be cited by, like 关于印发X的通知 for X) that has no other 文号, and among those the one
    a citation of the title would mean (gazette.citations.Reader: the newest issued by the day
    the citing document was). A link once made is never replaced. Returns the ids of the
    documents newly linked as repealed or amended.
    """
    documents = list(documents)
    if not documents:
        return set()
    pks = [document.pk for document in documents]
    outgoing = Q(source__in=pks)
    numbered = [
        Q(doc_code=d.doc_code, doc_year=d.doc_year, doc_seq=d.doc_seq)
        for d in documents
        if d.doc_code and d.doc_year and d.doc_seq is not None
    ]
    titles = sorted(set().union(*(title_keys(d.title) for d in documents)))
    incoming = [*numbered, Q(title__in=titles)] if titles else numbered
    rows = list(
        DocumentChange.objects.filter(target__isnull=True)
        .filter(reduce(or_, [outgoing, *incoming]))
        .select_related("source__issue")
        .only(*_ROW_FIELDS)
    )
    return _rows_link(rows)


_ROW_FIELDS = (
    "source",
    "kind",
    "doc_code",
    "doc_year",
    "doc_seq",
    "title",
    "target",
    "source__date",
    "source__issue__published",
)
# What of a bearer of a title resolution_key and Reader read.
_BEARER_FIELDS = (
    "title",
    "document__id",
    "document__doc_number",
    "document__date",
    "document__order",
    "document__issue__published",
    "document__issue__year",
    "document__issue__number",
)


def _rows_link(rows: list[DocumentChange]) -> set[int]:
    """Set the target of each row that names a known document; returns the targets' ids."""
    if not rows:
        return set()
    numbers = {(r.doc_code, r.doc_year, r.doc_seq) for r in rows if r.doc_code}
    by_number: dict[tuple, Document] = {}
    if numbers:
        condition = reduce(or_, (Q(doc_code=c, doc_year=y, doc_seq=s) for c, y, s in sorted(numbers)))
        for document in Document.objects.filter(condition).only("id", "doc_code", "doc_year", "doc_seq"):
            by_number.setdefault((document.doc_code, document.doc_year, document.doc_seq), document)
    by_title: dict[str, list[Document]] = {}
    titles = sorted({r.title for r in rows if r.title})
    if titles:
        keys = CitationKey.objects.filter(title__in=titles).select_related("document__issue")
        for key in keys.only(*_BEARER_FIELDS):
            by_title.setdefault(key.title, []).append(key.document)
    linked = []
    for row in rows:
        target = _target(row, by_number, by_title)
        if target is not None:
            row.target = target
            linked.append(row)
    DocumentChange.objects.bulk_update(linked, ["target"], batch_size=BATCH)
    return {row.target_id for row in linked}


def _target(row: DocumentChange, by_number: dict, by_title: dict) -> Document | None:
    """The known document a row names, or None (a document never repeals itself)."""
    if row.doc_code:
        document = by_number.get((row.doc_code, row.doc_year, row.doc_seq))
        if document is not None and document.pk != row.source_id:
            return document
    candidates = [d for d in by_title.get(row.title, []) if d.pk != row.source_id]
    if row.doc_code:
        # Cited with a 文号 no known document bears: only a document without one can be it.
        candidates = [d for d in candidates if not d.doc_number]
    return first_meant(candidates, Reader.of(row.source))


def validity_status(today: dt.date) -> Case:
    """The SQL expression of a document's status on a day.

    已废止 when a document in force that day repeals it; else 已失效 after its valid_until; else
    已修订 when a document in force amends it; else 尚未施行 before its effective_from; else 现行有效.
    """
    in_force = Q(source__effective_from__isnull=True) | Q(source__effective_from__lte=today)
    changes = DocumentChange.objects.filter(in_force, target=OuterRef("pk"))
    return Case(
        When(Exists(changes.filter(kind=DocumentChange.Kind.REPEALS)), then=Value(Document.Validity.REPEALED)),
        When(valid_until__lt=today, then=Value(Document.Validity.EXPIRED)),
        When(Exists(changes.filter(kind=DocumentChange.Kind.AMENDS)), then=Value(Document.Validity.AMENDED)),
        When(effective_from__gt=today, then=Value(Document.Validity.NOT_YET)),
        default=Value(Document.Validity.IN_FORCE),
    )


def documents_validity_update(*, documents: QuerySet[Document] | None = None, today: dt.date | None = None) -> int:
    """Store each document's status for today (or the given day), but where an admin corrected it.

    One query finds the documents whose status changes, one update per status writes them;
    the search index hears of them when this commits. Returns how many changed.
    """
    changed = _statuses_store(Document.objects.all() if documents is None else documents, today=today)
    search_after_commit(values=changed)
    return len(changed)


def _statuses_store(documents: QuerySet[Document], *, today: dt.date | None) -> list[int]:
    """documents_validity_update without telling the search index; returns the ids whose status changed."""
    today = today or timezone.localdate()
    changed = (
        documents.annotate(status=validity_status(today))
        .exclude(validity=F("status"))
        .values_list("pk", "status", "corrected_fields")
    )
    by_status: dict[str, list[int]] = {}
    for pk, status, corrected in changed:
        if "validity" not in (corrected or []):
            by_status.setdefault(status, []).append(pk)
    for status, pks in by_status.items():
        for chunk in batches(pks):
            Document.objects.filter(pk__in=chunk).update(validity=status)
    return [pk for pks in by_status.values() for pk in pks]


def documents_validity_reread(*, documents: QuerySet[Document] | None = None) -> int:
    """Read the validity facts again from stored documents (by default those an older RULES_VERSION read).

    Fields an admin corrected stay as they are; so do the DocumentChange rows of a document whose
    "changes" were corrected. Links are then made both ways; statuses are left to
    documents_validity_update. Documents whose 文种 or 规范性文件 changed (search filters by
    them) reach the search index when this commits. Returns how many documents were read.
    """
    if documents is None:
        documents = Document.objects.exclude(validity_version=RULES_VERSION)
    pks = list(documents.order_by("pk").values_list("pk", flat=True))
    for chunk in batches(pks):
        search_after_commit(values=_reread(chunk))
    for chunk in batches(pks):
        document_changes_link(documents=Document.objects.filter(pk__in=chunk).only("id", "title", *_NUMBER))
    return len(pks)


_NUMBER = ("doc_number", "doc_code", "doc_year", "doc_seq")


# What of the facts read search filters by.
_FILTERED = ("genre", "normative")


@transaction.atomic
def _reread(pks: list[int]) -> list[int]:
    """Read these documents' validity facts again; returns the ids whose 文种 or 规范性文件 changed."""
    documents = (
        Document.objects.filter(pk__in=pks)
        .select_related("issue")
        .only(
            "id",
            "title",
            "section",
            "date",
            "is_fragment",
            "blocks",
            "corrected_fields",
            "issue__published",
            *_NUMBER,
            *_FILTERED,
        )
    )
    updated, rows, replaced, refiled = [], [], [], []
    for document in documents:
        before = [getattr(document, name) for name in _FILTERED]
        record = document_record(document)
        read_validity(record, published=document.issue.published)
        corrected = set(document.corrected_fields or [])
        for name, value in validity_fields(record).items():
            if name not in corrected:
                setattr(document, name, value)
        updated.append(document)
        if [getattr(document, name) for name in _FILTERED] != before:
            refiled.append(document.pk)
        if "changes" not in corrected:
            replaced.append(document.pk)
            rows += change_rows(document, record)
    Document.objects.bulk_update(updated, [*READ_FIELDS, "validity_version"], batch_size=BATCH)
    DocumentChange.objects.filter(source__in=replaced).delete()
    DocumentChange.objects.bulk_create(rows, batch_size=BATCH)
    return refiled


def document_record(document: Document) -> DocumentRecord:
    """A stored document as the importer's DocumentRecord (title, 文号, 栏目, date and blocks)."""
    return DocumentRecord(
        title=document.title,
        doc_number=document.doc_number or None,
        section=document.section or None,
        date=document.date,
        fragment=document.is_fragment,
        blocks=[
            Block(
                kind=b.get("kind") or "paragraph",
                text=b.get("text") or "",
                level=b.get("level"),
                rows=b.get("rows") or [],
            )
            for b in document.blocks or []
        ],
    )


def document_corrections_note(*, document: Document, fields: Iterable[str]) -> None:
    """Remember that an admin set these fields by hand, so no later reading overwrites them (not saved here)."""
    corrected = set(document.corrected_fields or []) | (set(fields) & set(Document.CORRECTABLE_FIELDS))
    document.corrected_fields = [name for name in Document.CORRECTABLE_FIELDS if name in corrected]


def documents_validity_refresh(*, today: dt.date | None = None, reread_all: bool = False) -> dict:
    """The daily work: read again what an older RULES_VERSION read (or everything), then store every status for today.

    Returns {"reread": n, "changed": n, "counts": Document.objects.validity_counts()}.
    """
    today = today or timezone.localdate()
    reread = documents_validity_reread(documents=Document.objects.all() if reread_all else None)
    changed = documents_validity_update(today=today)
    return {
        "reread": reread,
        "changed": changed,
        "counts": Document.objects.exclude(is_fragment=True).validity_counts(),
    }


def validity_summary(report: dict, *, today: dt.date | None = None) -> str:
    """documents_validity_refresh's report as one line of Chinese, for the command and the job's result."""
    today = today or timezone.localdate()
    counts = "，".join(f"{row['label']} {row['count']} 件" for row in report["counts"]) or "没有文件"
    reread = f"重新识别 {report['reread']} 个文件；" if report["reread"] else ""
    return f"{today:%Y-%m-%d} 效力状态：{reread}{report['changed']} 个文件状态有变化；{counts}。"
