"""The search index on an Elasticsearch 7 / OpenSearch cluster, for more than one machine.

Chosen by settings alone (config/settings/base.py, `# --- scale-out ---`):
GONGBAO_SEARCH_ENGINE=elasticsearch and GONGBAO_ELASTICSEARCH_URL. haystack's ES7 backend
does the talking (index creation, bulk updates, removal); this module only tells it how to
analyse Chinese, and turns a parsed query into the same clauses search.query builds for
Whoosh:

- `text`/`title` (jieba on Whoosh) use the IK plugin (`ik_max_word` to index, `ik_smart`
  to query, with the project's user dictionary installed on every node), or, without the
  plugin, the built-in CJK bigram analysis;
- `text_bigram`/`title_bigram` use the built-in `cjk_bigram` filter with unigrams, as
  search.analyzers.BigramTokenizer does;
- `doc_number`/`document_pk` are keywords, `doc_number` folded to half-width.

The builders below are plain functions of settings and fields, so they are tested without
a cluster (tests/search/test_scaleout.py); only the engine class imports haystack's ES7
backend, which needs the `elasticsearch>=7,<8` client installed.
"""

from __future__ import annotations

from collections.abc import Iterable

from .analyzers import BigramTokenizer, DocNumberTokenizer, JiebaTokenizer, bigram_query_tokens

ANALYZERS = ("cjk", "ik")
WORDS = "gongbao_words"
WORDS_SEARCH = "gongbao_words_search"
BIGRAMS = "gongbao_bigram"
DOC_NUMBER = "gongbao_doc_number"
# Boosts as in search.query, so the two engines rank alike.
BOOSTS = {"doc_number": 1000.0, "title": 8.0, "title_bigram": 4.0, "text": 3.0, "text_bigram": 1.0}
MAX_HITS = 10000


def uses_elasticsearch() -> bool:
    """Whether the default haystack connection is an Elasticsearch one (else Whoosh)."""
    from django.conf import settings

    return "elasticsearch" in settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"].lower()


def analysis_settings(chinese: str = "cjk") -> dict:
    """The index settings (analysis chain) sent when the index is created."""
    if chinese not in ANALYZERS:
        raise ValueError(f"the Chinese analyzer must be one of {ANALYZERS}, not {chinese!r}")
    filters = {
        "gongbao_cjk_bigram": {"type": "cjk_bigram", "output_unigrams": True},
        "gongbao_cjk_bigram_only": {"type": "cjk_bigram", "output_unigrams": False},
    }
    if chinese == "ik":
        # The user dictionary is IK's ext_dict / remote_ext_dict on every node (docs/scale-out.md).
        words = {"type": "custom", "tokenizer": "ik_max_word", "filter": ["cjk_width", "lowercase"]}
        words_search = {"type": "custom", "tokenizer": "ik_smart", "filter": ["cjk_width", "lowercase"]}
    else:
        # No plugin: words are overlapping bigrams, as in Elasticsearch's own `cjk` analyzer.
        words = {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["cjk_width", "lowercase", "gongbao_cjk_bigram_only"],
        }
        words_search = words
    return {
        "settings": {
            "analysis": {
                "analyzer": {
                    WORDS: words,
                    WORDS_SEARCH: words_search,
                    BIGRAMS: {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["cjk_width", "lowercase", "gongbao_cjk_bigram"],
                    },
                },
                "filter": filters,
                "char_filter": {"gongbao_no_space": {"type": "pattern_replace", "pattern": "\\s+", "replacement": ""}},
                "normalizer": {
                    DOC_NUMBER: {
                        "type": "custom",
                        "char_filter": ["gongbao_no_space"],
                        "filter": ["cjk_width", "lowercase"],
                    }
                },
            }
        }
    }


def field_mappings(fields: dict, base: dict | None = None) -> dict:
    """haystack's mapping (`base`) with each text field given the analyzer its Whoosh twin has."""
    mapping = dict(base or {})
    for field_class in fields.values():
        name = field_class.index_fieldname
        analyzer = getattr(field_class, "analyzer", None)
        if isinstance(analyzer, JiebaTokenizer):
            mapping[name] = {"type": "text", "analyzer": WORDS, "search_analyzer": WORDS_SEARCH}
        elif isinstance(analyzer, BigramTokenizer):
            mapping[name] = {"type": "text", "analyzer": BIGRAMS}
        elif isinstance(analyzer, DocNumberTokenizer):
            mapping[name] = {"type": "keyword", "normalizer": DOC_NUMBER}
    return mapping


def _sequence(field: str, text: str, boost: float) -> dict:
    return {"match_phrase": {field: {"query": text, "boost": boost}}}


def term_clause(text: str, phrase: bool = False) -> dict:
    """Where a term matches: words in title and text, or its characters in sequence."""
    should = [
        _sequence("title", text, BOOSTS["title"]),
        _sequence("text", text, BOOSTS["text"]),
        _sequence("title_bigram", text, BOOSTS["title_bigram"]),
        _sequence("text_bigram", text, BOOSTS["text_bigram"]),
    ]
    if not phrase:
        # The words apart from each other still count, lower (search.query BOOST_TEXT_LOOSE).
        should.append({"match": {"text": {"query": text, "operator": "and", "boost": 1.5}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def query_body(parsed, size: int = MAX_HITS) -> dict | None:
    """The search request for a search.query.ParsedQuery, or None when nothing positive is asked."""
    must: list[dict] = []
    for group in parsed.groups:
        clauses = [term_clause(term.text, term.phrase) for term in group]
        must.append(clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}})
    if parsed.doc_numbers:
        numbers = [{"term": {"doc_number": {"value": n, "boost": BOOSTS["doc_number"]}}} for n in parsed.doc_numbers]
        citing = [_sequence("text_bigram", n, BOOSTS["text_bigram"]) for n in parsed.doc_numbers]
        must.append({"bool": {"should": numbers + citing, "minimum_should_match": 1}})
    if not must:
        return None
    query: dict = {"bool": {"must": must}}
    excluded = [t.text for t in parsed.excluded if bigram_query_tokens(t.text)]
    if excluded:
        query["bool"]["must_not"] = [{"match_phrase": {"text_bigram": text}} for text in excluded]
    return {"query": query, "_source": False, "docvalue_fields": ["document_pk"], "size": size}


def ranked_document_ids(parsed) -> list[tuple[int, float]]:
    """(document pk, score) for every match, best first, from the cluster."""
    from haystack import connections

    body = query_body(parsed)
    if body is None:
        return []
    backend = connections["default"].get_backend()
    response = backend.conn.search(index=backend.index_name, body=body)
    return [
        (int(hit["fields"]["document_pk"][0]), hit["_score"])
        for hit in response["hits"]["hits"]
        if hit.get("fields", {}).get("document_pk")
    ]


def user_dictionary(words: Iterable[str]) -> str:
    """IK's dictionary file: the same words as jieba's user dictionary, one per line."""
    return "".join(f"{word}\n" for word in sorted(set(words)))


def _engine():
    # Imported only when the settings choose Elasticsearch: it needs the elasticsearch client.
    from haystack.backends.elasticsearch7_backend import Elasticsearch7SearchBackend, Elasticsearch7SearchEngine

    class ChineseElasticsearch7SearchBackend(Elasticsearch7SearchBackend):
        def __init__(self, connection_alias, **connection_options):
            super().__init__(connection_alias, **connection_options)
            self.DEFAULT_SETTINGS = analysis_settings(connection_options.get("CHINESE_ANALYZER", "cjk"))

        def build_schema(self, fields):
            content_field_name, mapping = super().build_schema(fields)
            return content_field_name, field_mappings(fields, mapping)

    class ChineseElasticsearch7Engine(Elasticsearch7SearchEngine):
        backend = ChineseElasticsearch7SearchBackend

    return ChineseElasticsearch7Engine


def __getattr__(name: str):
    if name == "ChineseElasticsearch7Engine":
        return _engine()
    raise AttributeError(name)
