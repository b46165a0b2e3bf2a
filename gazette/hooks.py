"""What other apps offer gazette through hooks: savers of what documents carry, and the search index.

Imports run one way (importer ← gazette ← policies ← search), so gazette imports neither
policies nor search. In their AppConfig.ready() the policies app registers the saver of an
imported document's tasks (called inside the import's transaction, so an import stays all
or nothing) and the search app registers its index (called after an import commits, by the
import services, the index job and backup/restore, and after any other write that changes
what the index holds: `search_after_commit`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

if TYPE_CHECKING:
    from .importer import DocumentRecord
    from .models import Document


class DocumentsSaver(Protocol):
    """Saves what an import's new documents carry besides their text (policies: their tasks)."""

    def __call__(self, *, city: str, documents: list[tuple[Document, DocumentRecord]]) -> None: ...


_documents_savers: list[DocumentsSaver] = []

logger = logging.getLogger(__name__)


def documents_saver_register(saver: DocumentsSaver) -> None:
    """Called once by an app when Django starts; registering the same saver twice keeps one."""
    if saver not in _documents_savers:
        _documents_savers.append(saver)


def documents_savers() -> list[DocumentsSaver]:
    """The registered savers, in registration order."""
    return list(_documents_savers)


class SearchIndex(Protocol):
    """The search index as gazette uses it (search.indexing is one)."""

    def documents_index(self, *, document_ids: Iterable[int]) -> Any: ...

    def documents_values_changed(self, *, document_ids: Iterable[int]) -> Any: ...

    def documents_delete(self, *, document_ids: Iterable[int]) -> Any: ...

    def index_rebuild(self) -> Any: ...

    def registry_dictionary_text(self) -> str: ...

    def dictionary_path(self) -> Path: ...


_search_index: SearchIndex | None = None


def search_index_register(index: SearchIndex) -> None:
    """Called once by the search app when Django starts."""
    global _search_index
    _search_index = index


def search_index() -> SearchIndex:
    """The registered search index. Raises ImproperlyConfigured if no app registered one."""
    if _search_index is None:
        raise ImproperlyConfigured("No search index is registered: add the 'search' app to INSTALLED_APPS.")
    return _search_index


def search_after_commit(
    *, changed: Iterable[int] = (), values: Iterable[int] = (), deleted: Iterable[int] = ()
) -> None:
    """When the transaction commits (now, outside one), tell the search index what changed.

    `changed`: documents whose text changed (indexed again on every engine); `values`: documents
    whose 效力, dates, gazette or other filter values changed (sent again to an engine that
    keeps them); `deleted`: documents gone. A failure is logged, not raised: the edit stands, and
    the hourly index check (check_index --fix) brings the index up to date.
    """
    changed, values, deleted = sorted(set(changed)), sorted(set(values) - set(changed)), sorted(set(deleted))
    if not (changed or values or deleted):
        return

    def send() -> None:
        index = search_index()
        try:
            if changed:
                index.documents_index(document_ids=changed)
            if values:
                index.documents_values_changed(document_ids=values)
            if deleted:
                index.documents_delete(document_ids=deleted)
        except Exception:
            logger.exception(
                "search index not updated (%d changed, %d with new values, %d deleted); the index check will",
                len(changed),
                len(values),
                len(deleted),
            )

    transaction.on_commit(send)
