"""Writing the search index: one batch per import, one writer at a time.

gazette.services calls `documents_index(document_ids=...)` after an import commits;
nothing indexes on save (settings use haystack's BaseSignalProcessor).

Writers take a file lock beside the index (fcntl), so a second import waits for the first
instead of failing with Whoosh's LockError; inside the lock the Whoosh writer itself also
waits, for haystack's `update_index`/`rebuild_index` commands that do not know our lock.

The jieba user dictionary (department names and policy terms) is written beside the index
as `<index>.dictionary.txt`. The analyzers read it, so the index and the queries use the
same words. When the words in the database differ from that file, the next index run
rebuilds the whole index with the new dictionary.
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
from haystack.constants import ID
from whoosh.index import LockError
from whoosh.writing import CLEAR

from .analyzers import dictionary_digest, dictionary_path, dictionary_text

logger = logging.getLogger(__name__)

# How long a writer waits for another before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 600
CHUNK_SIZE = 200


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
    dictionary_current: bool
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.dictionary_current and not self.missing and not self.extra


def documents_index(*, document_ids: Iterable[int]) -> IndexReport:
    """Index these documents in one batch (removing ids no longer in the database).

    Rebuilds the whole index instead when the department dictionary changed.
    Raises IndexBusy if another writer keeps the index locked too long.
    """
    ids = sorted({int(pk) for pk in document_ids})
    with index_write_lock():
        words = registry_dictionary_text()
        if not _dictionary_is(words):
            return _rebuild(words)
        if not ids:
            return IndexReport()
        return _update(ids)


def index_rebuild() -> IndexReport:
    """Rebuild the whole index from the database with the current dictionary.

    Readers keep the old index until the new one is committed.
    """
    with index_write_lock():
        return _rebuild(registry_dictionary_text())


def index_status() -> IndexStatus:
    """Compare the index with the database: counts, missing and extra documents, dictionary."""
    from gazette.models import Document

    database_ids = set(Document.objects.values_list("pk", flat=True))
    index_ids = indexed_document_ids()
    return IndexStatus(
        database_count=len(database_ids),
        index_count=len(index_ids),
        dictionary_current=_dictionary_is(registry_dictionary_text()),
        missing=sorted(database_ids - index_ids),
        extra=sorted(index_ids - database_ids),
    )


def indexed_document_ids() -> set[int]:
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
    from gazette.models import Document

    search_index = _document_index()
    documents = search_index.index_queryset().filter(pk__in=ids)
    report = IndexReport()
    writer = _writer()
    try:
        found: set[int] = set()
        for document in documents.iterator(chunk_size=CHUNK_SIZE):
            writer.update_document(**_prepare(search_index, document))
            found.add(document.pk)
            report.indexed += 1
        for pk in set(ids) - found:
            writer.delete_by_term(ID, f"{Document._meta.label_lower}.{pk}")
            report.removed += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
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


def _writer():
    """A Whoosh writer; waits while haystack's own commands hold Whoosh's lock."""
    timeout = getattr(settings, "GONGBAO_INDEX_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return whoosh_index().writer(timeout=5.0, delay=0.1)
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


def _dictionary_is(text: str) -> bool:
    try:
        current = dictionary_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return dictionary_digest(current) == dictionary_digest(text)


def _write_dictionary(text: str) -> None:
    path = dictionary_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _sibling(suffix: str) -> Path:
    index_path = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    return index_path.with_name(index_path.name + suffix)
