"""Writing the search index: one batch per import, one writer at a time, on any engine.

gazette.services calls `documents_index(document_ids=...)` after an import commits;
nothing indexes on save (settings use haystack's BaseSignalProcessor). The engine the
settings choose (search.engines.engine()) does the writing; this module decides what to
write: documents as gazette.search_indexes.DocumentIndex prepares them, and the jieba
user dictionary.

Writers take a file lock beside the index (fcntl), so a second import on this machine
waits for the first instead of failing. On an engine that takes several writers at once
(OpenSearch) the lock covers the dictionary only, and import workers index side by side.

An engine that counts facets (OpenSearch) keeps each document's values too (its 效力, 发文机关,
dates, …: search.query.document_values), so a document is sent again whenever one of them
changes, not only its text: the documents an import repeals or amends go with the import's
(their 效力 changed), and gazette.tasks and gazette.admin index what the nightly 效力 update
and an admin's edits change (`documents_values_changed`). `index_status` compares the values
the engine holds with the database's, and `check_index --fix` re-sends the documents that
differ.

The jieba user dictionary (department names and policy terms) is written beside the index
as `<index>.dictionary.txt`. The analyzers read it, so the index and the queries use the
same words. An import that brings new department names only adds them to that file: new
words change how text indexed from now on is segmented, and documents indexed before keep
their recall through the CJK-bigram fields (a query for the new word still matches their
characters in sequence, ranked a little lower). Nothing rebuilds the whole index during an
import, except the very first, when the engine has no index yet; words are dropped from
the dictionary, and old documents re-segmented, only by an explicit `check_index
--rebuild` (or `index_rebuild()`), e.g. after departments are merged or renamed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from haystack import connections

from gazette.models import Document, DocumentChange
from gazette.search_indexes import with_task_parts
from policies.models import Department, DepartmentAlias

from .analyzers import dictionary_path, dictionary_text
from .engines import IndexBusy, IndexDocument, Merge, engine, index_dir
from .query import document_values

__all__ = [
    "IndexBusy",
    "IndexReport",
    "IndexStatus",
    "dictionary_path",
    "documents_delete",
    "documents_index",
    "documents_values_changed",
    "index_clear",
    "index_merge",
    "index_rebuild",
    "index_status",
    "indexed_document_ids",
    "registry_dictionary_text",
]

logger = logging.getLogger(__name__)

# How long a writer waits for another before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 600
CHUNK_SIZE = 200


@dataclass
class IndexReport:
    indexed: int = 0
    removed: int = 0
    rebuilt: bool = False


@dataclass
class IndexStatus:
    database_count: int
    index_count: int
    # Every registry word is in the dictionary (documents_index adds missing ones).
    dictionary_current: bool
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    # Words still in the dictionary that the registry no longer has (dropped by a rebuild).
    dictionary_extra_words: int = 0
    # Fields the index was written without (an earlier version's index): fixed by a rebuild.
    missing_fields: list[str] = field(default_factory=list)
    # Documents whose values (效力, 发文机关, dates, …) the engine holds differently from the
    # database (an engine that counts facets): fixed by sending them again.
    stale: list[int] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return (
            self.dictionary_current
            and not self.missing
            and not self.extra
            and not self.missing_fields
            and not self.stale
        )


def documents_index(*, document_ids: Iterable[int]) -> IndexReport:
    """Index these documents in one batch (removing ids no longer in the database).

    New department names are added to the dictionary first, without a rebuild; the whole
    index is built only when the engine has none yet, or has one written before a field
    existed (an upgrade: the new field must hold every document).
    Raises IndexBusy if another writer keeps the index locked too long, EngineUnavailable
    if the engine cannot be reached or read.
    """
    ids = {int(pk) for pk in document_ids}
    search_engine = engine()
    if search_engine.counts_facets and ids:
        # What these documents repeal or amend changed its 效力 when they were saved.
        ids |= set(DocumentChange.objects.filter(source__in=ids, target__isnull=False).values_list("target", flat=True))
    ids = sorted(ids)
    with index_write_lock():
        registry = registry_dictionary_text()
        if not search_engine.exists():
            return _rebuild(registry)
        missing_fields = search_engine.missing_fields()
        if missing_fields:
            logger.warning(
                "search index lacks the fields %s (written by an earlier version): rebuilding it",
                ", ".join(sorted(missing_fields)),
            )
            return _rebuild(registry)
        current = _current_dictionary() or ""
        added = set(registry.split()) - set(current.split())
        if added:
            _write_dictionary(dictionary_text([*current.split(), *added]))
            logger.info("search dictionary: %d new words, used for documents indexed from now on", len(added))
        if not ids:
            return IndexReport()
        if not search_engine.concurrent_writers:
            return _index(search_engine, ids)
    # A cluster takes bulk requests from several import workers at once: only the dictionary
    # needs the lock, the segmentation and the sending run side by side.
    return _index(search_engine, ids)


def _index(search_engine, ids: list[int]) -> IndexReport:
    """Write these documents as the database has them now; remove those it no longer has."""
    found: set[int] = set()
    report = IndexReport(indexed=search_engine.index(_documents(ids, found)))
    gone = [pk for pk in ids if pk not in found]
    if gone:
        report.removed = search_engine.delete(gone)
    logger.info("search index: %d documents indexed, %d removed", report.indexed, report.removed)
    return report


def index_rebuild() -> IndexReport:
    """Rebuild the whole index from the database with the current dictionary.

    Readers keep the old index until the new one is complete.
    """
    with index_write_lock():
        return _rebuild(registry_dictionary_text())


def documents_values_changed(*, document_ids: Iterable[int]) -> IndexReport:
    """Send these documents again if the engine keeps their values (效力, 发文机关, dates, …); they changed.

    Text changes go through documents_index on every engine; a change of values alone
    matters only to an engine that counts facets. Raises as documents_index does.
    """
    if not engine().counts_facets:
        return IndexReport()
    return documents_index(document_ids=document_ids)


def documents_delete(*, document_ids: Iterable[int]) -> int:
    """Remove these documents from the index (whether or not the database still has them)."""
    with index_write_lock():
        return engine().delete(sorted({int(pk) for pk in document_ids}))


def index_clear() -> None:
    """Empty the index (haystack's clear_index); the next documents_index adds to it."""
    with index_write_lock():
        _write_dictionary(registry_dictionary_text())
        engine().rebuild([])


def index_merge() -> Merge:
    """Merge the index's segments into few (`manage.py merge_index`, after a bulk load or nightly).

    Each import adds segments and the engine's merges keep tens of them: every search visits
    each one (at 100,000 documents on OpenSearch, 42 segments made the broadest searches a
    third slower than 5). Searches go on meanwhile; a cluster takes imports meanwhile too, the
    Whoosh engine waits for the write lock as an import does.
    """
    search_engine = engine()
    if search_engine.concurrent_writers:
        merge = search_engine.merge_segments()
    else:
        with index_write_lock():
            merge = search_engine.merge_segments()
    logger.info("search index merged: %d segments, %d before", merge.after, merge.before)
    return merge


def index_status() -> IndexStatus:
    """Compare the index with the database: counts, missing and extra documents, dictionary, values."""
    search_engine = engine()
    stale: list[int] = []
    if search_engine.counts_facets and not search_engine.missing_fields():
        held = search_engine.indexed_values()
        index_ids = set(held)
        database_values = document_values(None)
        database_ids = set(database_values)
        stale = sorted(pk for pk in database_ids & index_ids if held[pk] != database_values[pk])
    else:
        database_ids = set(Document.objects.values_list("pk", flat=True))
        index_ids = indexed_document_ids()
    registry = set(registry_dictionary_text().split())
    current = set((_current_dictionary() or "").split())
    return IndexStatus(
        stale=stale,
        database_count=len(database_ids),
        index_count=len(index_ids),
        dictionary_current=registry <= current,
        missing=sorted(database_ids - index_ids),
        extra=sorted(index_ids - database_ids),
        dictionary_extra_words=len(current - registry),
        missing_fields=sorted(search_engine.missing_fields()),
    )


def indexed_document_ids() -> set[int]:
    """The primary keys of every document in the index."""
    return engine().indexed_ids()


def whoosh_index():
    """The Whoosh engine's index (tests/reliability hold its lock and count its segments)."""
    return engine().whoosh_index()


def registry_dictionary_text() -> str:
    """The dictionary file's content for the department registry as it is now."""
    words: set[str] = set(Department.objects.values_list("name", flat=True))
    for alias, canonical in DepartmentAlias.objects.values_list("alias", "canonical"):
        words.update((alias, canonical))
    return dictionary_text(words)


@contextmanager
def index_write_lock() -> Iterator[None]:
    """Hold the project's index write lock; wait for another holder rather than fail."""
    path = _sibling(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    timeout = getattr(settings, "GONGBAO_INDEX_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    deadline = time.monotonic() + timeout
    with open(path, "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy(f"the search index at {path.parent} stayed locked for {timeout}s") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _rebuild(words: str) -> IndexReport:
    _write_dictionary(words)
    count = engine().rebuild(_documents(None, set()))
    logger.info("search index rebuilt: %d documents", count)
    return IndexReport(indexed=count, rebuilt=True)


def _documents(ids: list[int] | None, found: set[int]) -> Iterator[IndexDocument]:
    """The documents with these ids (all for None) as the engines index them; adds each pk to found.

    With their values (one query per chunk) when the engine counts facets.
    """
    search_index = document_search_index()
    documents = search_index.index_queryset()
    if ids is not None:
        documents = documents.filter(pk__in=ids)
    with_values = engine().counts_facets
    chunk: list = []
    for document in documents.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(document)
        if len(chunk) == CHUNK_SIZE:
            yield from _prepared(search_index, chunk, found, with_values)
            chunk = []
    yield from _prepared(search_index, chunk, found, with_values)


def _prepared(search_index, documents: list, found: set[int], with_values: bool) -> Iterator[IndexDocument]:
    if not documents:
        return
    values = document_values([document.pk for document in documents]) if with_values else {}
    with_task_parts(documents)
    for document in documents:
        found.add(document.pk)
        yield index_document(search_index, document, values.get(document.pk, {}))


def index_document(search_index, document, values: dict | None = None) -> IndexDocument:
    """One document's searchable text, as gazette.search_indexes.DocumentIndex prepares it, and its values."""
    prepared = search_index.full_prepare(document)
    return IndexDocument(
        pk=document.pk,
        title=prepared.get("title") or "",
        text=prepared.get("text") or "",
        doc_number=prepared.get("doc_number") or "",
        issuer=prepared.get("issuer") or "",
        values=values or {},
    )


def document_search_index():
    """haystack's DocumentIndex (gazette.search_indexes): what text of a document is searchable."""
    return connections["default"].get_unified_index().get_index(Document)


def _current_dictionary() -> str | None:
    """The dictionary the index is written with, or None before the first build."""
    try:
        return dictionary_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _write_dictionary(text: str) -> None:
    path = dictionary_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _sibling(suffix: str) -> Path:
    path = index_dir()
    return path.with_name(path.name + suffix)
