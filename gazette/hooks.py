"""What other apps offer gazette through hooks: the search index.

Imports run one way (importer ← gazette ← policies ← search), so gazette never imports the
search app. The search app registers its index here in its AppConfig.ready(); the import
services (index after an import commits), the index job and backup/restore call it through
`search_index()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class SearchIndex(Protocol):
    """The search index as gazette uses it (search.indexing is one)."""

    def documents_index(self, *, document_ids: Iterable[int]) -> Any: ...

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
