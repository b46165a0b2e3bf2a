"""What the search domain asks of an engine, and the small query language it asks in.

The domain (search.query, search.indexing) decides what a search means: which words and
character sequences a reader's query turns into, in which fields, with which boosts. It
hands the engine a tree of clauses built from four node types and gets back ranked
document ids. Tokens in a clause are already analysed (jieba words or CJK bigrams from
search.analyzers, the 文号 in canonical form), so every engine matches exactly the same
tokens; only scoring differs between engines.

Every engine indexes a document's title and text twice, as jieba words (`title`, `text`)
and as CJK bigrams with unigrams (`title_bigram`, `text_bigram`), its 发文机关 and 文号 as
bigrams too (`issuer_bigram`, `doc_number_bigram`: a search within one of them), and its
文号 as one exact token (`doc_number`): the field names a clause may use. An index written
before a field existed lacks it (`missing_fields`); search.indexing rebuilds such an index.

An engine that `counts_facets` (OpenSearch) also keeps each document's values (VALUE_FIELDS:
its gazette, year, 发文机关, 效力, dates, …, as search.query reads them from the database) and
answers a whole search itself: one page of ids in order, the exact total, and each facet's
counts over the other filters (`page`). search.indexing re-sends a document whenever one of
its values changes, and `check_index` compares the values with the database. The other
engines only rank (`ranked_ids`), and search.query filters and counts in the database.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

WORD_FIELDS = ("title", "text")
BIGRAM_FIELDS = ("title_bigram", "text_bigram", "issuer_bigram", "doc_number_bigram")
EXACT_FIELDS = ("doc_number",)
FIELDS = WORD_FIELDS + BIGRAM_FIELDS + EXACT_FIELDS
# A document's values an engine that counts facets filters, counts and orders by, and their
# kinds: the facets of search.query.FACETS, the issue, and the two dates.
VALUE_FIELDS = {
    "gazette": "integer",
    "year": "integer",
    "issuer": "keyword",
    "section": "keyword",
    "kind": "keyword",
    "region": "keyword",
    "has_tasks": "boolean",
    "genre": "keyword",
    "normative": "boolean",
    "validity": "keyword",
    "issue": "integer",
    "date": "date",
    "published": "date",
}


class EngineUnavailable(Exception):
    """The engine cannot be reached or its index cannot be read; the message says what to do."""


class IndexBusy(Exception):
    """Another writer held the index for longer than GONGBAO_INDEX_LOCK_TIMEOUT."""


@dataclass(frozen=True)
class IndexDocument:
    """One document as every engine receives it: its primary key and its searchable text."""

    pk: int
    title: str
    text: str
    doc_number: str = ""
    issuer: str = ""
    values: dict[str, object] = field(default_factory=dict, hash=False)
    """VALUE_FIELDS' values (None or absent: the document has none), for an engine that counts facets."""


# --- clauses ------------------------------------------------------------------------------
# Frozen dataclasses: a clause tree is hashable, so an engine can remember recent rankings by it.


@dataclass(frozen=True)
class Sequence:
    """These tokens at consecutive positions of the field (one token: the term alone)."""

    field: str
    tokens: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf:
    """Every clause matches; the score is the sum of theirs, times the boost."""

    clauses: tuple[Clause, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """At least one clause matches; the score is the sum of those that do, times the boost."""

    clauses: tuple[Clause, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Excluding:
    """The positive clause's matches less the excluded clause's; scored by the positive clause."""

    positive: Clause
    excluded: Clause


Clause = Sequence | AllOf | AnyOf | Excluding


class Ranking(NamedTuple):
    hits: list[tuple[int, float]]
    """(document pk, score) for the matches, best first."""
    total: int
    """How many documents match: more than len(hits) when the engine caps its answer."""


class Merge(NamedTuple):
    """How many segments the index had before a merge and has after it (every shard's)."""

    before: int
    after: int


@dataclass(frozen=True)
class Condition:
    """A filter on one of VALUE_FIELDS: equal to `value`, or (dates) within `low`..`high`, ends included.

    `name` is the filter's name: a facet's counts leave out the conditions of its own name.
    """

    name: str
    field: str
    value: object = None
    low: dt.date | None = None
    high: dt.date | None = None


class Order:
    RELEVANCE = "relevance"
    """Best score first; then the newer 成文日期, then the smaller pk."""
    DATE = "date"
    """Newer 成文日期 first (undated last); then the better score, then the smaller pk."""


class Page(NamedTuple):
    ids: list[int]
    """The ids from `offset`, at most `limit`, in order."""
    total: int
    """How many documents match the query and pass every condition."""
    counts: dict[str, list[tuple[object, int]]]
    """For each facet asked: its most frequent values (up to `facet_size`), most frequent first,
    counted over the documents passing every condition but those of the facet's name."""


class SearchEngine(ABC):
    """One index of documents. Implementations: search.engines.whoosh, search.engines.opensearch."""

    name: str
    concurrent_writers: bool = False
    """Whether several processes may index at once (a cluster); otherwise search.indexing
    holds its write lock around every write."""
    counts_facets: bool = False
    """Whether the engine keeps documents' VALUE_FIELDS and answers `page` and `indexed_values`."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether the index has been built (even if empty). Raises EngineUnavailable."""

    @abstractmethod
    def missing_fields(self) -> set[str]:
        """The names of FIELDS the existing index was built without (none when there is no index)."""

    @abstractmethod
    def index(self, documents: Iterable[IndexDocument]) -> int:
        """Add or replace these documents, visible to the next search; returns how many were written."""

    @abstractmethod
    def delete(self, ids: Iterable[int]) -> int:
        """Remove these documents; returns how many the index held."""

    @abstractmethod
    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Replace the whole index by these documents; searches see the old index until it is done."""

    @abstractmethod
    def ranked_ids(self, query: Clause) -> Ranking:
        """The documents matching the clause tree, best first. Raises EngineUnavailable."""

    @abstractmethod
    def indexed_ids(self) -> set[int]:
        """The primary keys of every document in the index."""

    @abstractmethod
    def merge_segments(self) -> Merge:
        """Merge the index's segments into few, as after a bulk load or at night: every search
        visits every segment. Searches go on meanwhile; raises EngineUnavailable."""

    @abstractmethod
    def healthy(self) -> bool:
        """Whether the engine answers and its index can be read (False rather than raising)."""

    # --- engines that count facets ------------------------------------------------------------

    def page(
        self,
        query: Clause | None,
        conditions: tuple[Condition, ...] = (),
        *,
        order: str = Order.RELEVANCE,
        offset: int = 0,
        limit: int = 20,
        facets: tuple[str, ...] = (),
        facet_size: int = 30,
    ) -> Page:
        """One page of the documents matching the query (every document for None) and the conditions.

        Only engines that count facets answer. Raises EngineUnavailable.
        """
        raise NotImplementedError(f"the {self.name} engine does not count facets")

    def indexed_values(self) -> dict[int, dict[str, object]]:
        """Each indexed document's VALUE_FIELDS as the engine holds them (engines that count facets)."""
        raise NotImplementedError(f"the {self.name} engine does not keep values")
