"""haystack's commands on whichever engine the settings choose.

haystack keeps two jobs here: the index definition (gazette.search_indexes.DocumentIndex)
and its `rebuild_index`, `update_index` and `clear_index` commands. This backend passes
their writes to search.indexing, which holds the write lock, keeps the jieba dictionary
and calls search.engines.engine(). Searching goes through search.query, never through a
haystack SearchQuerySet, so `search` is not implemented.
"""

from __future__ import annotations

from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery

from search.indexing import documents_delete, documents_index, index_clear


def _pk(obj_or_string) -> int:
    if isinstance(obj_or_string, str):
        # haystack's identifier: gazette.document.<pk>
        return int(obj_or_string.rsplit(".", 1)[-1])
    return int(obj_or_string.pk)


class EngineSearchBackend(BaseSearchBackend):
    def update(self, index, iterable, commit=True):
        documents_index(document_ids=[obj.pk for obj in iterable])

    def remove(self, obj_or_string, commit=True):
        documents_delete(document_ids=[_pk(obj_or_string)])

    def clear(self, models=None, commit=True):
        index_clear()

    def search(self, query_string, **kwargs):
        raise NotImplementedError("search through search.query.documents_search")


class EngineSearchEngine(BaseEngine):
    backend = EngineSearchBackend
    query = BaseSearchQuery
