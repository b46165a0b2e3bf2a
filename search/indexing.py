"""Writing the search index: one batch per import, one writer at a time.

gazette.services calls `documents_index(document_ids=...)` after an import commits;
nothing indexes on save (settings use haystack's BaseSignalProcessor).

Writers take a file lock beside the index (fcntl), so a second import waits for the first
instead of failing with Whoosh's LockError; inside the lock the Whoosh writer itself also
waits, for haystack's `update_index`/`rebuild_index` commands that do not know our lock.

The jieba user dictionary (department names and policy terms) is written beside the index
as `<index>.dictionary.txt`. The analyzers read it, so the index and the queries use the
same words. An import that brings new department names only adds them to that file: new
words change how text indexed from now on is segmented, and documents indexed before keep
their recall through the CJK-bigram fields (a query for the new word still matches their
characters in sequence, ranked a little lower). Nothing rebuilds the whole index during an
import; words are dropped from the dictionary, and old documents re-segmented, only by an
explicit `check_index --rebuild` (or `index_rebuild()`), e.g. after departments are merged
or renamed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from haystack import connections
from haystack.constants import ID
from whoosh.index import LockError
from whoosh.writing import CLEAR

from .analyzers import dictionary_path, dictionary_text
from .backends import PostingsCodec, merge_small_segments
from .elasticsearch import uses_elasticsearch

logger = logging.getLogger(__name__)

# How long a writer waits for another before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 600
CHUNK_SIZE = 200
# Memory a writer's posting pool may use before spilling sorted runs to disk. Whoosh's
# default (128 MB) spills during a rebuild, and the spill and merge cost about a fifth of
# the build time; an import of one gazette stays far below either.
WRITER_LIMIT_MB = 256
# Segments as separate files, not one compound file: a reader opening a compound segment
# copies the whole terms file into memory (whoosh BufferFile), on every search.
# PostingsCodec: small posting blocks uncompressed (search.backends).
WRITER_OPTIONS = {"limitmb": WRITER_LIMIT_MB, "compound": False, "codec": PostingsCodec()}


class IndexBusy(Exception):
    """Another writer held the index for longer than GONGBAO_INDEX_LOCK_TIMEOUT."""


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

    @property
    def healthy(self) -> bool:
        return self.dictionary_current and not self.missing and not self.extra


def documents_index(*, document_ids: Iterable[int]) -> IndexReport:
    """Index these documents in one batch (removing ids no longer in the database).

    New department names are added to the dictionary first, without a rebuild; the whole
    index is built only when there is none yet (no dictionary beside it).
    Raises IndexBusy if another writer keeps the index locked too long.
    """
    ids = sorted({int(pk) for pk in document_ids})
    if uses_elasticsearch():
        return _elasticsearch_index(ids)
    with index_write_lock():
        registry = registry_dictionary_text()
        current = _current_dictionary()
        if current is None:
            return _rebuild(registry)
        added = set(registry.split()) - set(current.split())
        if added:
            _write_dictionary(dictionary_text([*current.split(), *added]))
            logger.info("search dictionary: %d new words, used for documents indexed from now on", len(added))
        if not ids:
            return IndexReport()
        return _update(ids)


def index_rebuild() -> IndexReport:
    """Rebuild the whole index from the database with the current dictionary.

    Readers keep the old index until the new one is committed.
    """
    if uses_elasticsearch():
        return _elasticsearch_index([], rebuild=True)
    with index_write_lock():
        return _rebuild(registry_dictionary_text())


def index_status() -> IndexStatus:
    """Compare the index with the database: counts, missing and extra documents, dictionary."""
    from gazette.models import Document

    database_ids = set(Document.objects.values_list("pk", flat=True))
    index_ids = indexed_document_ids()
    registry = set(registry_dictionary_text().split())
    current = set((_current_dictionary() or "").split())
    return IndexStatus(
        database_count=len(database_ids),
        index_count=len(index_ids),
        dictionary_current=registry <= current,
        missing=sorted(database_ids - index_ids),
        extra=sorted(index_ids - database_ids),
        dictionary_extra_words=len(current - registry),
    )


def indexed_document_ids() -> set[int]:
    if uses_elasticsearch():
        return _elasticsearch_document_ids()
    ix = whoosh_index()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if not reader.has_column("document_pk"):
            return set()
        column = reader.column_reader("document_pk")
        return {int(column[docnum]) for docnum in reader.all_doc_ids() if column[docnum]}


def registry_dictionary_text() -> str:
    """The dictionary file's content for the department registry as it is now."""
    from policies.models import Department, DepartmentAlias

    words: set[str] = set(Department.objects.values_list("name", flat=True))
    for alias, canonical in DepartmentAlias.objects.values_list("alias", "canonical"):
        words.update((alias, canonical))
    return dictionary_text(words)


def backend():
    """The haystack Whoosh backend, set up (its schema built and the index opened)."""
    search_backend = connections["default"].get_backend()
    if not search_backend.setup_complete:
        search_backend.setup()
    return search_backend


def whoosh_index():
    """The Whoosh index behind haystack, at its latest commit."""
    search_backend = backend()
    if not os.path.isdir(search_backend.path):
        # Someone removed the folder (clear_index); start again with an empty index.
        search_backend.setup()
    search_backend.index = search_backend.index.refresh()
    return search_backend.index


_readers = threading.local()


def whoosh_searcher():
    """This thread's Whoosh searcher, replaced by a fresh one when a writer has committed since.

    Opening a searcher opens every segment's files; a search reuses the open one and only
    checks the index's generation (a directory listing). After a commit the old searcher is
    closed and a new one opened: Whoosh's `refresh()` reuses the old reader's segment
    readers, and in whoosh-reloaded 2.7.5 that keeps segments a merge removed (IndexError at
    `column[docnum]`, deleted files held open).
    """
    ix = whoosh_index()
    searcher = getattr(_readers, "searcher", None)
    if searcher is not None and getattr(_readers, "index", None) is ix and searcher.up_to_date():
        return searcher
    if searcher is not None:
        searcher.close()
    searcher = ix.searcher()
    _readers.searcher, _readers.index = searcher, ix
    return searcher


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


def _update(ids: list[int]) -> IndexReport:
    search_index = _document_index()
    documents = search_index.index_queryset().filter(pk__in=ids)
    report = IndexReport()
    writer = _writer()
    try:
        # Delete what the index holds of these ids once, then add: an import's new
        # documents are not in the index, so this skips update_document's per-document lookups.
        indexed = _ids_in_index(writer, ids)
        for pk in indexed:
            writer.delete_by_term(ID, _identifier(pk))
        found: set[int] = set()
        for document in documents.iterator(chunk_size=CHUNK_SIZE):
            writer.add_document(**_prepare(search_index, document))
            found.add(document.pk)
            report.indexed += 1
        report.removed = len(indexed - found)
    except BaseException:
        writer.cancel()
        raise
    # Whoosh's default policy (MERGE_SMALL), with a faster reader for the merged segments.
    writer.commit(mergetype=merge_small_segments)
    logger.info("search index: %d documents indexed, %d removed", report.indexed, report.removed)
    return report


def _rebuild(words: str) -> IndexReport:
    _write_dictionary(words)
    search_index = _document_index()
    report = IndexReport(rebuilt=True)
    writer = _writer()
    try:
        for document in search_index.index_queryset().iterator(chunk_size=CHUNK_SIZE):
            writer.add_document(**_prepare(search_index, document))
            report.indexed += 1
    except BaseException:
        writer.cancel()
        raise
    # CLEAR drops every older segment in the same commit: readers never see a half index.
    writer.commit(mergetype=CLEAR)
    logger.info("search index rebuilt: %d documents", report.indexed)
    return report


def _identifier(pk: int) -> str:
    """haystack's unique id of a document in the index (gazette.document.<pk>)."""
    from gazette.models import Document

    return f"{Document._meta.label_lower}.{pk}"


def _ids_in_index(writer, ids: list[int]) -> set[int]:
    reader = writer.reader()
    try:
        return {pk for pk in ids if reader.doc_frequency(ID, _identifier(pk))}
    finally:
        reader.close()


def _writer():
    """A Whoosh writer; waits while haystack's own commands hold Whoosh's lock."""
    timeout = getattr(settings, "GONGBAO_INDEX_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return whoosh_index().writer(timeout=5.0, delay=0.1, **WRITER_OPTIONS)
        except LockError:
            if time.monotonic() > deadline:
                raise IndexBusy(f"the Whoosh index stayed locked for {timeout}s") from None


def _prepare(search_index, document) -> dict:
    search_backend = backend()
    prepared = search_index.full_prepare(document)
    prepared.pop("boost", None)
    return {key: search_backend._from_python(value) for key, value in prepared.items()}


def _document_index():
    from gazette.models import Document

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
    index_path = Path(settings.HAYSTACK_CONNECTIONS["default"].get("PATH") or settings.GONGBAO_INDEX_DIR)
    return index_path.with_name(index_path.name + suffix)


# --- Elasticsearch (settings: GONGBAO_SEARCH_ENGINE=elasticsearch) ---------------------------
# haystack's ES7 backend writes in bulk and the cluster orders concurrent writers itself, so
# neither the file lock nor the dictionary rebuild applies: the cluster's analyzers (IK with
# the same user dictionary, or CJK bigrams) do the segmenting; see search.elasticsearch.


def _elasticsearch_index(ids: list[int], rebuild: bool = False) -> IndexReport:
    search_index = _document_index()
    search_backend = connections["default"].get_backend()
    _write_dictionary(registry_dictionary_text())  # for snippets and IK's remote_ext_dict
    documents = search_index.index_queryset()
    if rebuild:
        search_backend.clear()
    else:
        documents = documents.filter(pk__in=ids)
    report = IndexReport(rebuilt=rebuild)
    found: set[int] = set()
    batch = []
    for document in documents.iterator(chunk_size=CHUNK_SIZE):
        batch.append(document)
        found.add(document.pk)
        if len(batch) == CHUNK_SIZE:
            search_backend.update(search_index, batch)
            batch = []
    if batch:
        search_backend.update(search_index, batch)
    report.indexed = len(found)
    for pk in set(ids) - found:
        search_backend.remove(_identifier(pk))
        report.removed += 1
    return report


def _elasticsearch_document_ids() -> set[int]:
    from elasticsearch.helpers import scan

    search_backend = connections["default"].get_backend()
    hits = scan(
        search_backend.conn,
        index=search_backend.index_name,
        query={"query": {"match_all": {}}, "_source": False, "docvalue_fields": ["document_pk"]},
    )
    return {int(hit["fields"]["document_pk"][0]) for hit in hits if hit.get("fields", {}).get("document_pk")}
