"""The scale-out switch: settings alone choose Whoosh or OpenSearch, and both analyse alike.

The search behaviour itself runs on both engines in the other test modules
(tests/search/conftest.py); these tests read the settings, the request bodies the
OpenSearch engine sends, and, on the live node, how the node analyses what it is sent.
"""

import importlib.util
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from search.analyzers import bigram_positions, jieba_positions
from search.engines import IndexDocument, Ranking, engine
from search.engines import opensearch as os_engine
from search.query import documents_search, parse_query, search_clause
from tests.factories import DocumentFactory

BASE_SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings" / "base.py"


def load_base_settings(monkeypatch, **env):
    for name in ("GONGBAO_SEARCH_ENGINE", "GONGBAO_OPENSEARCH_URL", "GONGBAO_OPENSEARCH_INDEX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gongbao_settings_probe", BASE_SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_whoosh_is_the_default_with_its_index_in_the_index_dir(monkeypatch):
    settings = load_base_settings(monkeypatch)

    assert settings.GONGBAO_SEARCH_ENGINE == "whoosh"
    default = settings.HAYSTACK_CONNECTIONS["default"]
    assert default["ENGINE"] == "search.engines.haystack.EngineSearchEngine"
    assert default["PATH"] == str(settings.GONGBAO_INDEX_DIR)


def test_the_environment_switches_the_index_to_opensearch(monkeypatch):
    settings = load_base_settings(
        monkeypatch,
        GONGBAO_SEARCH_ENGINE="opensearch",
        GONGBAO_OPENSEARCH_URL="https://gongbao:secret@search.internal:9200",
        GONGBAO_OPENSEARCH_INDEX="guangxi",
    )

    assert settings.GONGBAO_SEARCH_ENGINE == "opensearch"
    assert settings.GONGBAO_OPENSEARCH_URL == "https://gongbao:secret@search.internal:9200"
    assert settings.GONGBAO_OPENSEARCH_INDEX == "guangxi"
    # haystack's commands go through the same engine.
    assert settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"] == "search.engines.haystack.EngineSearchEngine"


def test_opensearch_defaults_to_the_local_node(monkeypatch):
    settings = load_base_settings(monkeypatch, GONGBAO_SEARCH_ENGINE="opensearch")

    assert settings.GONGBAO_OPENSEARCH_URL == "http://127.0.0.1:9200"
    assert settings.GONGBAO_OPENSEARCH_INDEX == "gongbao"


@pytest.mark.parametrize("name", ["solr", "elasticsearch"])
def test_an_unknown_engine_stops_the_start(monkeypatch, name):
    with pytest.raises(ImproperlyConfigured, match="whoosh or opensearch"):
        load_base_settings(monkeypatch, GONGBAO_SEARCH_ENGINE=name)


def test_engine_follows_the_settings(settings):
    settings.GONGBAO_SEARCH_ENGINE = "opensearch"
    settings.GONGBAO_OPENSEARCH_URL = "https://gongbao:secret@search.internal:9200"
    settings.GONGBAO_OPENSEARCH_INDEX = "guangxi"
    chosen = engine()
    assert chosen.name == "opensearch" and chosen.alias == "guangxi"
    assert engine() is chosen

    settings.GONGBAO_SEARCH_ENGINE = "whoosh"
    assert engine().name == "whoosh"
    settings.GONGBAO_SEARCH_ENGINE = "solr"
    with pytest.raises(ImproperlyConfigured):
        engine()


def test_an_unreachable_cluster_is_reported_without_its_password(settings):
    from search.engines import EngineUnavailable

    settings.GONGBAO_SEARCH_ENGINE = "opensearch"
    settings.GONGBAO_OPENSEARCH_URL = "http://gongbao:secret@127.0.0.1:9, http://127.0.0.1:7"
    settings.GONGBAO_OPENSEARCH_TIMEOUT = 1

    assert not engine().healthy()
    assert len(engine().client.transport.hosts) == 2
    with pytest.raises(EngineUnavailable, match="did not answer") as raised:
        engine().indexed_ids()
    assert "secret" not in str(raised.value)
    assert "http://gongbao:***@127.0.0.1:9,http://127.0.0.1:7" in str(raised.value)


# --- what the OpenSearch engine sends -------------------------------------------------------------


def test_a_document_is_sent_as_jieba_words_runs_and_a_folded_doc_number():
    source = os_engine.document_source(
        IndexDocument(
            pk=7,
            title="关于发展冷链物流的通知",
            text="2018年ＡＢＣ冷链物流，一照多址。",
            doc_number="贺政办发〔2018〕146号",
        )
    )

    assert source["title"] == "关于 发展 冷链物流 的 通知"
    assert source["text"].split() == ["2018", "年", "abc", "冷链物流", "一照多址"]
    assert source["text_bigram"] == "2018 年 abc 冷链物流 一照多址"
    assert source["doc_number"] == "贺政办发〔2018〕146号"


def test_the_query_body_mirrors_the_clause_tree():
    body = os_engine.query_body(search_clause(parse_query('冷链物流 "一照多址" -海南 地方志 OR 档案')))

    must = body["bool"]["must"][0]["bool"]["must"]
    assert len(must) == 3
    (cold_chain,) = must[0]["bool"]["should"]
    fields = {_field(clause): clause for clause in cold_chain["bool"]["should"]}
    assert fields["title"] == {"term": {"title": {"value": "冷链物流", "boost": 8.0}}}
    # The body's bigram phrase counts its boost once, however often it occurs (MATCHED_ONLY).
    assert fields["text_bigram"] == {
        "constant_score": {"filter": {"match_phrase": {"text_bigram": {"query": "冷链 链物 物流"}}}, "boost": 1.0}
    }
    assert fields["title_bigram"] == {"match_phrase": {"title_bigram": {"query": "冷链 链物 物流", "boost": 4.0}}}
    either = must[2]["bool"]
    assert either["minimum_should_match"] == 1 and len(either["should"]) == 2
    assert body["bool"]["must_not"] == [
        {"bool": {"should": [{"term": {"text_bigram": {"value": "海南"}}}], "minimum_should_match": 1}}
    ]


def _field(clause: dict) -> str:
    """The field a leaf clause of the query body searches (through a constant_score's filter)."""
    ((kind, spec),) = clause.items()
    if kind == "constant_score":
        return _field(spec["filter"])
    return next(iter(spec))


def test_a_doc_number_query_asks_for_the_exact_field_with_the_big_boost():
    body = os_engine.query_body(search_clause(parse_query("贺政办发[2018]139号")))

    numbers = body["bool"]["should"]
    assert {"term": {"doc_number": {"value": "贺政办发〔2018〕139号", "boost": 1000.0}}} in numbers


@pytest.mark.django_db
def test_search_runs_through_the_chosen_engine_without_a_change_in_views(monkeypatch, staff_client, settings):
    document = DocumentFactory(title="关于发展冷链物流的通知", body="加快发展冷链物流。")
    asked = []

    class Recording:
        counts_facets = False

        def ranked_ids(self, query):
            asked.append(query)
            return Ranking([(document.pk, 2.5)], 1)

    monkeypatch.setattr("search.query.engine", lambda: Recording())
    assert documents_search(q="冷链物流").ids == [document.pk]
    response = staff_client.get("/api/search/", {"q": "冷链物流"})

    assert response.status_code == 200
    assert [hit["id"] for hit in response.json()["results"]] == [document.pk]
    assert "<mark>冷链物流</mark>" in response.json()["results"][0]["snippets"][0]
    assert asked[0] == search_clause(parse_query("冷链物流"))


@pytest.mark.django_db
def test_a_capped_ranking_says_how_many_matched(monkeypatch):
    documents = [DocumentFactory(body="冷链物流。") for _ in range(3)]

    class Capped:
        counts_facets = False

        def ranked_ids(self, query):
            return Ranking([(d.pk, 1.0) for d in documents], 12000)

    monkeypatch.setattr("search.query.engine", lambda: Capped())
    outcome = documents_search(q="冷链物流")

    assert len(outcome.ids) == 3
    assert any("找到 12000 篇" in notice for notice in outcome.notices)


# --- the live node analyses as the Whoosh engine does ------------------------------------------


def _fixture_texts() -> list[str]:
    from tests.conftest import FIXTURES

    texts = []
    for path in sorted(FIXTURES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text[:3000], text[-3000:]]
    return texts + ["2018年ＡＢＣ冷链物流 COVID19 二〇一九年", "冷 链", "㐀丽〇", "GB-2760 1.5倍 a1b2"]


def _node_positions(client, index, field, value) -> dict[str, list[int]]:
    tokens = client.indices.analyze(index=index, body={"field": field, "text": value})["tokens"]
    positions: dict[str, list[int]] = {}
    for token in tokens:
        positions.setdefault(token["token"], []).append(token["position"])
    return positions


@pytest.mark.engines("opensearch")
@pytest.mark.django_db
def test_the_node_indexes_the_tokens_and_positions_the_whoosh_tokenizers_make(search_index):
    chosen = engine()
    chosen.index([IndexDocument(pk=1, title="", text="")])
    for text in _fixture_texts():
        source = os_engine.document_source(IndexDocument(pk=1, title=text, text=text))
        assert _node_positions(chosen.client, chosen.alias, "text", source["text"]) == dict(jieba_positions(text))
        node_bigrams = _node_positions(chosen.client, chosen.alias, "text_bigram", source["text_bigram"])
        assert node_bigrams == dict(bigram_positions(text))
