"""The scale-out switch: settings alone choose Whoosh or Elasticsearch, with Chinese analysis.

No cluster runs here: these tests read the settings, the analysis settings and mapping the
ES7 backend would send, and the query body it would run, without connecting.
"""

import importlib.util
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from haystack import connections
from haystack.exceptions import MissingDependency
from haystack.utils.loading import ConnectionHandler

from search import elasticsearch as es
from search.query import documents_search, parse_query
from tests.factories import DocumentFactory

BASE_SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings" / "base.py"
ES_CONNECTION = {
    "default": {
        "ENGINE": "search.elasticsearch.ChineseElasticsearch7Engine",
        "URL": "http://es.example:9200/",
        "INDEX_NAME": "gongbao",
        "CHINESE_ANALYZER": "cjk",
    }
}


def load_base_settings(monkeypatch, **env):
    for name in ("GONGBAO_SEARCH_ENGINE", "GONGBAO_ELASTICSEARCH_URL", "GONGBAO_ELASTICSEARCH_ANALYZER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gongbao_settings_probe", BASE_SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_whoosh_with_the_lean_schema_is_the_default(monkeypatch):
    settings = load_base_settings(monkeypatch)

    default = settings.HAYSTACK_CONNECTIONS["default"]
    assert default["ENGINE"] == "search.backends.LeanWhooshEngine"
    assert default["PATH"] == str(settings.GONGBAO_INDEX_DIR)


def test_the_environment_switches_the_index_to_elasticsearch(monkeypatch):
    settings = load_base_settings(
        monkeypatch,
        GONGBAO_SEARCH_ENGINE="elasticsearch",
        GONGBAO_ELASTICSEARCH_URL="https://search.internal:9200/",
        GONGBAO_ELASTICSEARCH_ANALYZER="ik",
    )

    default = settings.HAYSTACK_CONNECTIONS["default"]
    assert default["ENGINE"] == "search.elasticsearch.ChineseElasticsearch7Engine"
    assert default["URL"] == "https://search.internal:9200/"
    assert default["INDEX_NAME"] == "gongbao"
    assert default["CHINESE_ANALYZER"] == "ik"
    assert "PATH" not in default


def test_an_unknown_engine_stops_the_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="whoosh or elasticsearch"):
        load_base_settings(monkeypatch, GONGBAO_SEARCH_ENGINE="solr")


def test_the_elasticsearch_engine_is_haystacks_es7_backend():
    handler = ConnectionHandler(ES_CONNECTION)
    try:
        import elasticsearch  # noqa: F401
    except ImportError:
        # Without the client, loading the engine reaches haystack's ES7 backend and stops there.
        with pytest.raises(MissingDependency, match="elasticsearch"):
            handler["default"].get_backend()
        return
    backend = handler["default"].get_backend()
    assert backend.index_name == "gongbao"
    assert backend.DEFAULT_SETTINGS == es.analysis_settings("cjk")


def test_the_mapping_gives_each_field_the_analyzer_of_its_whoosh_twin():
    fields = connections["default"].get_unified_index().all_searchfields()

    mapping = es.field_mappings(fields, {"date": {"type": "date"}})

    assert mapping["text"] == {"type": "text", "analyzer": es.WORDS, "search_analyzer": es.WORDS_SEARCH}
    assert mapping["title"]["analyzer"] == es.WORDS
    assert mapping["text_bigram"] == {"type": "text", "analyzer": es.BIGRAMS}
    assert mapping["title_bigram"]["analyzer"] == es.BIGRAMS
    assert mapping["doc_number"] == {"type": "keyword", "normalizer": es.DOC_NUMBER}
    assert mapping["document_pk"]["type"] == "keyword"
    assert mapping["date"] == {"type": "date"}


@pytest.mark.parametrize("chinese", ["cjk", "ik"])
def test_every_analyzer_the_mapping_names_is_defined(chinese):
    fields = connections["default"].get_unified_index().all_searchfields()
    analysis = es.analysis_settings(chinese)["settings"]["analysis"]

    for spec in es.field_mappings(fields).values():
        for key in ("analyzer", "search_analyzer"):
            if key in spec:
                assert spec[key] in analysis["analyzer"]
        if "normalizer" in spec:
            assert spec["normalizer"] in analysis["normalizer"]
    assert analysis["filter"]["gongbao_cjk_bigram"] == {"type": "cjk_bigram", "output_unigrams": True}


def test_ik_indexes_with_max_word_and_queries_with_smart():
    analyzers = es.analysis_settings("ik")["settings"]["analysis"]["analyzer"]

    assert analyzers[es.WORDS]["tokenizer"] == "ik_max_word"
    assert analyzers[es.WORDS_SEARCH]["tokenizer"] == "ik_smart"
    with pytest.raises(ValueError):
        es.analysis_settings("smartcn")


def test_the_query_body_mirrors_the_whoosh_query():
    body = es.query_body(parse_query('冷链物流 "一照多址" -海南'))

    must = body["query"]["bool"]["must"]
    assert len(must) == 2
    fields = {next(iter(c["match_phrase"])) for c in must[0]["bool"]["should"] if "match_phrase" in c}
    assert fields == {"title", "text", "title_bigram", "text_bigram"}
    assert not any("match" in c for c in must[1]["bool"]["should"])  # a quoted phrase: no loose words
    assert body["query"]["bool"]["must_not"] == [{"match_phrase": {"text_bigram": "海南"}}]
    assert body["docvalue_fields"] == ["document_pk"]


def test_a_doc_number_query_asks_for_the_keyword_first():
    body = es.query_body(parse_query("贺政办发[2018]139号"))

    numbers = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert {"term": {"doc_number": {"value": "贺政办发〔2018〕139号", "boost": 1000.0}}} in numbers
    assert es.query_body(parse_query("-海南")) is None


@pytest.mark.django_db
def test_search_runs_through_elasticsearch_without_a_change_in_views(monkeypatch, staff_client):
    document = DocumentFactory(title="关于发展冷链物流的通知", body="加快发展冷链物流。")
    asked = []

    def cluster(parsed):
        asked.append(es.query_body(parsed))
        return [(document.pk, 2.5)]

    monkeypatch.setattr("search.query.elasticsearch_ranked_ids", cluster)
    with override_settings(HAYSTACK_CONNECTIONS=ES_CONNECTION):
        assert documents_search(q="冷链物流").ids == [document.pk]
        response = staff_client.get("/api/search/", {"q": "冷链物流"})

    assert response.status_code == 200
    assert [hit["id"] for hit in response.json()["results"]] == [document.pk]
    assert "<mark>冷链物流</mark>" in response.json()["results"][0]["snippets"][0]
    assert asked and asked[0]["query"]["bool"]["must"]
