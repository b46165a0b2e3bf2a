"""The OpenSearch engine: the index on a cluster, for a province's servers.

Chosen by settings alone (GONGBAO_SEARCH_ENGINE=opensearch, GONGBAO_OPENSEARCH_URL,
GONGBAO_OPENSEARCH_INDEX; config/settings/base.py `# --- scale-out ---`), through the
opensearch-py client.

Analysis is the Whoosh engine's, done in Python by search.analyzers and sent as tokens, so
the cluster needs no Chinese plugin and both engines match the same tokens:
- `title`, `text`: jieba's words (same dictionary, precise mode, no HMM), joined by
  spaces, into a field analysed by a whitespace tokenizer: one position per word.
- `title_bigram`, `text_bigram`: the folded text's runs of Chinese characters and of Latin
  letters and digits (search.analyzers.RUN), joined by spaces, analysed by the standard
  tokenizer and the built-in `cjk_bigram` filter with unigrams: each character and each
  pair of neighbours at the same position, Latin words whole, as BigramTokenizer does.
  Queries on these fields are whitespace-analysed: search.query sends the bigram tokens
  it sends the Whoosh engine.
- `issuer_bigram`, `doc_number_bigram`: the 发文机关 and the 文号 likewise, for a search
  within one of them.
- `doc_number`: the canonical 文号 folded and without spaces, a keyword.
The document's `_id` is its primary key, and so is `pk`, which searches read from doc
values. `_source` is off: hits are ids, text comes from PostgreSQL, and a rebuild reads
PostgreSQL again.

The engine counts facets: each document also carries its values (base.VALUE_FIELDS, as
keywords, integers, booleans and dates with doc values), and `page` answers a whole search
in one request (a multi-search, the cluster running its two searches side by side): one
finds the page, the query scoring and a `post_filter` keeping the documents passing every
condition, sorted and cut, without counting them; the other counts them without scoring,
with one `filter` aggregation per facet counting its values over the documents passing the
other conditions. Nothing but the page's ids travels, however many documents match (at
100,000 documents a broad query matches tens of thousands).

A clause tree (search.engines.base) becomes a bool query: a sequence of tokens is a `term`
(one token) or a `match_phrase`, all-of is `must`, any-of is `should` with
`minimum_should_match: 1`, exclusion is `must_not`, each with the clause's boost. Scores
are the cluster's BM25, not Whoosh's BM25F, and a phrase over the body's bigrams scores its
boost alone (MATCHED_ONLY): rankings agree closely, not exactly (scripts/search_eval
--engine opensearch).

GONGBAO_OPENSEARCH_INDEX names an alias. A rebuild fills a new index behind it
(`<alias>-<time>`), then switches the alias in one request and deletes the old index: searches
see the old index until the new one is complete.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import TransportError

from search.analyzers import RUN, fold, jieba_word_list

from .base import (
    BIGRAM_FIELDS,
    FIELDS,
    VALUE_FIELDS,
    WORD_FIELDS,
    AllOf,
    AnyOf,
    Clause,
    Condition,
    EngineUnavailable,
    Excluding,
    IndexDocument,
    Merge,
    Order,
    Page,
    Ranking,
    SearchEngine,
    Sequence,
)

logger = logging.getLogger(__name__)

TOKENS = "gongbao_tokens"
BIGRAMS = "gongbao_bigrams"
# Tokens longer than this are cut (Lucene refuses terms over 32,766 bytes, a whole document
# with them); jieba's words and Latin runs are far shorter.
MAX_TOKEN_CHARS = 8000
# Documents per bulk request, and its size at most: bodies run to megabytes.
BULK_DOCUMENTS = 200
BULK_BYTES = 20 * 1024 * 1024
# What a search answers: primary keys and scores, and the total (the rest is dropped).
FILTER_PATH = "hits.total.value,hits.hits.fields.pk,hits.hits._score"
# What a page's two searches answer: its primary keys; the total and the facets' buckets.
# The status keeps an answer with none of these in the list (filtered out, it would be gone).
MSEARCH_FILTER_PATH = (
    "responses.status,responses.error,responses.hits.total.value,responses.hits.hits.fields.pk,"
    "responses.aggregations.*.values.buckets.key,responses.aggregations.*.values.buckets.doc_count"
)
# A merge leaves segments of about this size at most: below the merge policy's largest merged
# segment (5 GB), so the merges of later imports can still take them in.
MERGED_SEGMENT_BYTES = 2 * 1024**3
# A merge answers when it is done: 16 s for 4.3 GB (100,000 documents) on a 2-core machine.
MERGE_TIMEOUT = 3600
# Facet values each shard proposes (FACET_SIZE are shown): exact on one shard whatever it is.
FACET_SHARD_SIZE = 1000
# How deep a reader may page (or an export read) into one search's matches.
MAX_RESULT_WINDOW = 1_000_000
# Fields whose phrases score their boost alone, not how often they occur. Lucene scores a
# phrase by its frequency, reading every position of each word in every matching document:
# the body's bigram phrase of a long term was most of a broad search's time at 100,000
# documents. That clause is the net for words jieba splits otherwise; how often the term
# occurs is scored by the word fields beside it (search.query.term_clause).
MATCHED_ONLY = frozenset({"text_bigram"})
SORT = {
    Order.RELEVANCE: [{"_score": "desc"}, {"date": {"order": "desc", "missing": "_last"}}, {"pk": "asc"}],
    Order.DATE: [{"date": {"order": "desc", "missing": "_last"}}, {"_score": "desc"}, {"pk": "asc"}],
}

ANALYSIS = {
    "tokenizer": {
        TOKENS: {"type": "whitespace", "max_token_length": MAX_TOKEN_CHARS},
        BIGRAMS: {"type": "standard", "max_token_length": MAX_TOKEN_CHARS},
    },
    "filter": {BIGRAMS: {"type": "cjk_bigram", "output_unigrams": True}},
    "analyzer": {
        TOKENS: {"type": "custom", "tokenizer": TOKENS},
        BIGRAMS: {"type": "custom", "tokenizer": BIGRAMS, "filter": [BIGRAMS]},
    },
}
MAPPINGS = {
    "dynamic": "strict",
    "_source": {"enabled": False},
    "properties": {
        **{name: {"type": "text", "analyzer": TOKENS} for name in WORD_FIELDS},
        **{name: {"type": "text", "analyzer": BIGRAMS, "search_analyzer": TOKENS} for name in BIGRAM_FIELDS},
        "doc_number": {"type": "keyword"},
        # The primary key again, read from doc values: a search then never touches stored
        # fields (fetching `_id` decompressed each hit's stored block: 250 ms for 2,500
        # hits at 10,000 documents, where the query itself took 5 ms).
        "pk": {"type": "long", "index": False},
        # Filtered, counted and sorted by: exact values with doc values.
        **{name: {"type": kind} for name, kind in VALUE_FIELDS.items()},
    },
}


def word_text(text: str) -> str:
    """jieba's words of text, space-separated: the value of a word field."""
    return " ".join(jieba_word_list(text))


def run_text(text: str) -> str:
    """The folded text's runs of Chinese characters and of Latin letters and digits, space-separated."""
    return " ".join(RUN.findall(fold(text)))


def exact(value: str) -> str:
    """The 文号 as the exact field holds it: folded, without spaces."""
    return "".join(fold(value).split())


def document_source(document: IndexDocument) -> dict:
    """The fields of a document as the cluster indexes them."""
    return {
        "title": word_text(document.title),
        "text": word_text(document.text),
        "title_bigram": run_text(document.title),
        "text_bigram": run_text(document.text),
        "issuer_bigram": run_text(document.issuer),
        "doc_number_bigram": run_text(document.doc_number),
        "doc_number": exact(document.doc_number),
        "pk": document.pk,
        **{name: _value(document.values.get(name)) for name in VALUE_FIELDS},
    }


def _value(value: object) -> object:
    """A value as the cluster keeps it: dates in ISO form, an empty text as no value (never counted)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return None if value == "" else value


def conditions_filter(conditions: Iterable[Condition]) -> list[dict]:
    """The `filter` clauses of these conditions."""
    clauses = []
    for condition in conditions:
        if condition.low is None and condition.high is None:
            clauses.append({"term": {condition.field: _value(condition.value)}})
        else:
            bounds = {"gte": _value(condition.low), "lte": _value(condition.high)}
            clauses.append({"range": {condition.field: {k: v for k, v in bounds.items() if v is not None}}})
    return clauses


def _bucket_key(field: str, key: object) -> object:
    """A bucket's key as the database holds the value: booleans come back as 1 and 0."""
    return bool(key) if VALUE_FIELDS[field] == "boolean" else key


def _facet_aggregation(name: str, conditions: tuple[Condition, ...], size: int) -> dict:
    """A facet's counts: its most frequent values over the documents passing the other conditions."""
    return {
        "filter": {"bool": {"filter": conditions_filter(c for c in conditions if c.name != name)}},
        "aggs": {
            "values": {
                "terms": {
                    "field": name,
                    "size": size,
                    # Each shard sends this many candidates: with several primary shards the
                    # counts stay exact for all but rare long tails.
                    "shard_size": max(FACET_SHARD_SIZE, size),
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
        },
    }


def query_body(clause: Clause) -> dict:
    """The OpenSearch query for a clause tree."""
    if isinstance(clause, Sequence):
        if clause.field == "doc_number":
            return _boosted("term", clause.field, {"value": exact(clause.tokens[0])}, clause.boost)
        if len(clause.tokens) == 1:
            return _boosted("term", clause.field, {"value": clause.tokens[0]}, clause.boost)
        if clause.field in MATCHED_ONLY:
            phrase = {"match_phrase": {clause.field: {"query": " ".join(clause.tokens)}}}
            return {"constant_score": {"filter": phrase, "boost": clause.boost}}
        return _boosted("match_phrase", clause.field, {"query": " ".join(clause.tokens)}, clause.boost)
    if isinstance(clause, AllOf):
        return _bool({"must": [query_body(c) for c in clause.clauses]}, clause.boost)
    if isinstance(clause, AnyOf):
        return _bool({"should": [query_body(c) for c in clause.clauses], "minimum_should_match": 1}, clause.boost)
    if isinstance(clause, Excluding):
        return _bool({"must": [query_body(clause.positive)], "must_not": [query_body(clause.excluded)]}, 1.0)
    raise TypeError(f"not a clause: {clause!r}")


def _boosted(kind: str, field: str, spec: dict, boost: float) -> dict:
    if boost != 1.0:
        spec = {**spec, "boost": boost}
    return {kind: {field: spec}}


def _bool(spec: dict, boost: float) -> dict:
    if boost != 1.0:
        spec = {**spec, "boost": boost}
    return {"bool": spec}


def _without_password(urls: str) -> str:
    """The URLs (comma-separated) as they may be shown: passwords replaced by ***."""
    shown = []
    for url in urls.split(","):
        parts = urlsplit(url.strip())
        if parts.password is not None:
            host = parts.hostname + (f":{parts.port}" if parts.port else "")
            parts = parts._replace(netloc=f"{parts.username}:***@{host}")
        shown.append(urlunsplit(parts))
    return ",".join(shown)


class OpenSearchEngine(SearchEngine):
    name = "opensearch"
    # Bulk requests from several workers are applied side by side by the cluster.
    concurrent_writers = True
    counts_facets = True

    def __init__(self, *, url: str, index: str, shards: int = 1, replicas: int = 0, timeout: int = 10, max_hits=10_000):
        self.url = url
        self.alias = index
        self.shards = shards
        self.replicas = replicas
        self.max_hits = max_hits
        # Several nodes' URLs, comma-separated: the client spreads requests over them and
        # retries another when one does not answer.
        self.client = OpenSearch(hosts=[host.strip() for host in url.split(",") if host.strip()], timeout=timeout)

    def _unavailable(self, exc: Exception) -> EngineUnavailable:
        return EngineUnavailable(
            f"OpenSearch at {_without_password(self.url)} did not answer ({type(exc).__name__}: {exc}); "
            "start it (scripts/opensearch start) or set GONGBAO_OPENSEARCH_URL"
        )

    # --- the index behind the alias ----------------------------------------------------------

    def exists(self) -> bool:
        try:
            return bool(self.client.indices.exists(index=self.alias))
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc

    def missing_fields(self) -> set[str]:
        try:
            if not self.exists():
                return set()
            mappings = self.client.indices.get_mapping(index=self.alias)
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
        wanted = {*FIELDS, *VALUE_FIELDS}
        present = set(wanted)
        for mapping in mappings.values():
            present &= set(mapping["mappings"].get("properties", {}))
        return wanted - present

    def healthy(self) -> bool:
        try:
            return bool(self.client.ping()) and self.client.cluster.health()["status"] in ("green", "yellow")
        except (OpenSearchConnectionError, TransportError):
            return False

    def _indices(self) -> list[str]:
        """The concrete indices behind the alias (or the index of that name)."""
        return sorted(self.client.indices.get(index=self.alias, params={"ignore_unavailable": "true"}))

    def _create(self, *, building: bool) -> str:
        """A new empty index for the alias; while building it is not refreshed nor replicated."""
        name = f"{self.alias}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        settings = {
            "number_of_shards": self.shards,
            "number_of_replicas": 0 if building else self.replicas,
            "max_result_window": max(self.max_hits, MAX_RESULT_WINDOW),
            "analysis": ANALYSIS,
        }
        if building:
            settings["refresh_interval"] = "-1"
        self.client.indices.create(index=name, body={"settings": settings, "mappings": MAPPINGS})
        return name

    def drop(self) -> None:
        """Delete the alias's indices (tests and scripts/search_eval clean up with it)."""
        for name in self._indices():
            self.client.indices.delete(index=name, ignore_unavailable=True)

    # --- writing -----------------------------------------------------------------------------

    def index(self, documents: Iterable[IndexDocument]) -> int:
        try:
            if not self.exists():
                self._switch(self._create(building=False))
            written = self._bulk(self.alias, documents)
            # The next search sees the batch (an import's documents) at once.
            self.client.indices.refresh(index=self.alias)
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
        return written

    def delete(self, ids: Iterable[int]) -> int:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": str(pk)} for pk in ids]
        try:
            if not actions or not self.exists():
                return 0
            removed, _ = helpers.bulk(self.client, actions, ignore_status=(404,), raise_on_error=False)
            self.client.indices.refresh(index=self.alias)
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
        return removed

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        try:
            name = self._create(building=True)
            try:
                written = self._bulk(name, documents)
                self.client.indices.put_settings(
                    index=name, body={"index": {"refresh_interval": None, "number_of_replicas": self.replicas}}
                )
                self.client.indices.refresh(index=name)
            except BaseException:
                self.client.indices.delete(index=name, ignore_unavailable=True)
                raise
            self._switch(name)
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
        return written

    def merge_segments(self) -> Merge:
        try:
            if not self.exists():
                return Merge(0, 0)
            primaries = self._primaries_stats()
            per_shard = primaries["store"]["size_in_bytes"] / max(1, self._primaries())
            self.client.indices.forcemerge(
                index=self.alias,
                params={
                    "max_num_segments": max(1, math.ceil(per_shard / MERGED_SEGMENT_BYTES)),
                    "request_timeout": MERGE_TIMEOUT,
                },
            )
            # Searches (and the count) read the merged segments from the next refresh on.
            self.client.indices.refresh(index=self.alias)
            after = self._primaries_stats()
            return Merge(primaries["segments"]["count"], after["segments"]["count"])
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc

    def _primaries_stats(self) -> dict:
        """Store size and segments of the primary shards behind the alias."""
        return self.client.indices.stats(index=self.alias, metric="store,segments")["_all"]["primaries"]

    def _primaries(self) -> int:
        """Primary shards behind the alias."""
        found = self.client.indices.get_settings(index=self.alias, name="index.number_of_shards")
        return sum(int(entry["settings"]["index"]["number_of_shards"]) for entry in found.values())

    def _switch(self, name: str) -> None:
        """Point the alias at this index alone, in one request, and delete what it pointed at."""
        old = [index for index in self._indices() if index != name]
        actions: list[dict] = [{"add": {"index": name, "alias": self.alias}}]
        # An index named like the alias (not behind it) must go in the same request.
        actions += [
            {"remove_index": {"index": index}}
            if index == self.alias
            else {"remove": {"index": index, "alias": self.alias}}
            for index in old
        ]
        self.client.indices.update_aliases(body={"actions": actions})
        for index in old:
            if index != self.alias:
                self.client.indices.delete(index=index, ignore_unavailable=True)

    def _bulk(self, index: str, documents: Iterable[IndexDocument]) -> int:
        def actions() -> Iterator[dict]:
            for document in documents:
                yield {"_index": index, "_id": str(document.pk), "_source": document_source(document)}

        written, _ = helpers.bulk(self.client, actions(), chunk_size=BULK_DOCUMENTS, max_chunk_bytes=BULK_BYTES)
        return written

    # --- reading -----------------------------------------------------------------------------

    def ranked_ids(self, query: Clause) -> Ranking:
        body = {
            "query": query_body(query),
            "size": self.max_hits,
            "_source": False,
            "stored_fields": "_none_",
            "docvalue_fields": ["pk"],
            "track_total_hits": True,
        }
        try:
            response = self.client.search(
                index=self.alias,
                body=body,
                # No index yet: no hits (rather than a 404 and a warning in the log).
                params={"filter_path": FILTER_PATH, "ignore_unavailable": "true"},
            )
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
        hits = response.get("hits", {})
        try:
            ranked = [(hit["fields"]["pk"][0], hit["_score"]) for hit in hits.get("hits", [])]
        except KeyError:
            raise EngineUnavailable(
                f"the OpenSearch index {self.alias} has no pk field (built by an earlier version); "
                "rebuild it with `manage.py check_index --rebuild`"
            ) from None
        return Ranking(ranked, hits.get("total", {}).get("value", len(ranked)))

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
        # Two searches in one request, run side by side by the cluster: the page, which
        # need not count (Lucene then skips documents that cannot reach it, and scores
        # only those that can), and the count with the facets, which need not score. One
        # search doing both scored every match: 24,998 for a broad question at 100,000
        # documents. The count is a size-0 search, which the shard request cache keeps
        # until the next refresh: a reader paging on, or the same question asked again,
        # is counted once.
        searched = {
            "query": query_body(query) if query is not None else {"match_all": {}},
            "post_filter": {"bool": {"filter": conditions_filter(conditions)}},
        }
        hits_body = {
            **searched,
            "sort": SORT[order],
            "from": offset,
            "size": limit,
            "_source": False,
            "stored_fields": "_none_",
            "docvalue_fields": ["pk"],
            "track_total_hits": False,
        }
        count_body = {**searched, "size": 0, "track_total_hits": True}
        if facets:
            count_body["aggs"] = {name: _facet_aggregation(name, conditions, facet_size) for name in facets}
        header = {"index": self.alias, "ignore_unavailable": True}
        try:
            response = self.client.msearch(
                body=[header, hits_body, header, count_body], params={"filter_path": MSEARCH_FILTER_PATH}
            )
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
        found, counted = response["responses"]
        for answer in (found, counted):
            if "error" in answer:
                raise EngineUnavailable(f"OpenSearch could not search {self.alias}: {answer['error']}")
        aggregations = counted.get("aggregations", {})
        counts = {
            name: [
                (_bucket_key(name, bucket["key"]), bucket["doc_count"])
                for bucket in aggregations.get(name, {}).get("values", {}).get("buckets", [])
            ]
            for name in facets
        }
        ids = [hit["fields"]["pk"][0] for hit in found.get("hits", {}).get("hits", [])]
        return Page(ids, counted.get("hits", {}).get("total", {}).get("value", 0), counts)

    def indexed_values(self) -> dict[int, dict[str, object]]:
        fields = ["pk", *VALUE_FIELDS]
        # Dates as the database gives them back (days, without a time).
        formats = [
            {"field": name, "format": "yyyy-MM-dd"} if VALUE_FIELDS.get(name) == "date" else name for name in fields
        ]
        query = {"query": {"match_all": {}}, "_source": False, "stored_fields": "_none_", "docvalue_fields": formats}
        values: dict[int, dict[str, object]] = {}
        try:
            if not self.exists():
                return values
            for hit in helpers.scan(self.client, index=self.alias, query=query, size=2000):
                found = hit.get("fields", {})
                row = {}
                for name, kind in VALUE_FIELDS.items():
                    value = found.get(name, [None])[0]
                    if value is not None and kind == "date":
                        value = dt.date.fromisoformat(value)
                    elif value is not None and kind == "boolean":
                        value = bool(value)
                    row[name] = value
                values[found["pk"][0]] = row
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
        return values

    def indexed_ids(self) -> set[int]:
        try:
            if not self.exists():
                return set()
            query = {"query": {"match_all": {}}, "_source": False, "stored_fields": "_none_", "docvalue_fields": ["pk"]}
            return {hit["fields"]["pk"][0] for hit in helpers.scan(self.client, index=self.alias, query=query)}
        except (OpenSearchConnectionError, TransportError) as exc:
            raise self._unavailable(exc) from exc
