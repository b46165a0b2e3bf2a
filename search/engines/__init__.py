"""The search engine the settings choose: `engine()`.

GONGBAO_SEARCH_ENGINE=whoosh (default) keeps the index in files beside the app
(search.engines.whoosh); =opensearch uses a cluster at GONGBAO_OPENSEARCH_URL
(search.engines.opensearch). Nothing else in the project asks which one runs.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import (
    VALUE_FIELDS,
    AllOf,
    AnyOf,
    Clause,
    Condition,
    EngineUnavailable,
    Excluding,
    IndexBusy,
    IndexDocument,
    Merge,
    Order,
    Page,
    Ranking,
    SearchEngine,
    Sequence,
)

__all__ = [
    "VALUE_FIELDS",
    "AllOf",
    "AnyOf",
    "Clause",
    "Condition",
    "EngineUnavailable",
    "Excluding",
    "IndexBusy",
    "IndexDocument",
    "Merge",
    "Order",
    "Page",
    "Ranking",
    "SearchEngine",
    "Sequence",
    "engine",
    "index_dir",
]

ENGINES = ("whoosh", "opensearch")

_engines: dict[tuple, SearchEngine] = {}
_lock = threading.Lock()


def index_dir() -> Path:
    """The folder of the Whoosh index; the jieba user dictionary sits beside it on every engine."""
    # HAYSTACK_CONNECTIONS' PATH first: tests and haystack's commands point it elsewhere.
    return Path(settings.HAYSTACK_CONNECTIONS["default"].get("PATH") or settings.GONGBAO_INDEX_DIR)


def engine() -> SearchEngine:
    """The engine the settings choose, one per configuration and process.

    Raises ImproperlyConfigured for an unknown GONGBAO_SEARCH_ENGINE.
    """
    name = getattr(settings, "GONGBAO_SEARCH_ENGINE", "whoosh")
    if name == "whoosh":
        key: tuple = (name, str(index_dir()))
    elif name == "opensearch":
        key = (name, settings.GONGBAO_OPENSEARCH_URL, settings.GONGBAO_OPENSEARCH_INDEX)
    else:
        raise ImproperlyConfigured(f"GONGBAO_SEARCH_ENGINE must be one of {', '.join(ENGINES)}, not {name!r}.")
    found = _engines.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _engines:
            _engines[key] = _create(name)
        return _engines[key]


def _create(name: str) -> SearchEngine:
    # Each engine's module is imported when chosen: a Whoosh site needs no OpenSearch client.
    if name == "whoosh":
        from .whoosh import WhooshEngine

        return WhooshEngine(index_dir())
    from .opensearch import OpenSearchEngine

    return OpenSearchEngine(
        url=settings.GONGBAO_OPENSEARCH_URL,
        index=settings.GONGBAO_OPENSEARCH_INDEX,
        shards=getattr(settings, "GONGBAO_OPENSEARCH_SHARDS", 1),
        replicas=getattr(settings, "GONGBAO_OPENSEARCH_REPLICAS", 0),
        timeout=getattr(settings, "GONGBAO_OPENSEARCH_TIMEOUT", 10),
        max_hits=getattr(settings, "GONGBAO_OPENSEARCH_MAX_HITS", 10_000),
    )
