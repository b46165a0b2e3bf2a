"""Searching within one field (全文 / 标题 / 文号 / 发文机关), on every engine, and the upgrade of
an index written before the 发文机关 and 文号 fields existed."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from whoosh.fields import Schema
from whoosh.index import create_in

from gazette.models import Document
from search.engines import engine, opensearch
from search.engines.whoosh.schema import ID_FIELD, PK_COLUMN, identifier, schema
from search.indexing import documents_index, index_status
from search.query import Within, documents_search
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

NEW_FIELDS = ("issuer_bigram", "doc_number_bigram")


@pytest.fixture
def documents(index_documents):
    """Four documents whose words sit in different fields."""
    made = {
        "titled": DocumentFactory(
            title="关于加快发展冷链物流的实施意见",
            doc_number="贺政办发〔2018〕139号",
            issuer="贺州市人民政府办公室",
            body="为保障食品安全，促进消费升级，制定本意见。",
        ),
        "in_body": DocumentFactory(
            title="关于促进消费的通知",
            doc_number="柳政发〔2019〕12号",
            issuer="柳州市人民政府",
            body="发展冷链物流。贺政办发〔2018〕139号同时废止。市发展改革委负责。",
        ),
        "by_bureau": DocumentFactory(
            title="关于做好价格监测工作的通知",
            doc_number="柳发改价格〔2020〕5号",
            issuer="柳州市发展改革委",
            body="各县区做好价格监测。",
        ),
        "next_year": DocumentFactory(
            title="关于冷链运输车辆通行的通知",
            doc_number="贺政办发〔2019〕7号",
            issuer="贺州市人民政府办公室",
            body="冷链物流车辆通行便利。",
        ),
    }
    index_documents()
    return made


def _titles(q: str, within: str = Within.ALL) -> set[str]:
    outcome = documents_search(q=q, within=within)
    return set(Document.objects.filter(pk__in=outcome.ids).values_list("title", flat=True))


def test_title_scope_finds_the_words_in_titles_only(documents):
    assert _titles("冷链物流") == {"关于加快发展冷链物流的实施意见", "关于促进消费的通知", "关于冷链运输车辆通行的通知"}
    assert _titles("冷链物流", Within.TITLE) == {"关于加快发展冷链物流的实施意见"}
    assert _titles("冷链", Within.TITLE) == {"关于加快发展冷链物流的实施意见", "关于冷链运输车辆通行的通知"}


def test_exclusion_within_the_title_looks_at_the_title_only(documents):
    # 关于促进消费的通知 has 冷链 in its body, not in its title: kept.
    assert _titles("通知 -冷链", Within.TITLE) == {"关于促进消费的通知", "关于做好价格监测工作的通知"}
    assert _titles("通知 -冷链") == {"关于做好价格监测工作的通知"}


def test_doc_number_scope_finds_the_document_not_those_citing_it(documents):
    assert _titles("贺政办发〔2018〕139号") == {"关于加快发展冷链物流的实施意见", "关于促进消费的通知"}
    assert _titles("贺政办发[2018]139号", Within.DOC_NUMBER) == {"关于加快发展冷链物流的实施意见"}


def test_doc_number_scope_matches_parts_of_a_doc_number(documents):
    assert _titles("贺政办发", Within.DOC_NUMBER) == {"关于加快发展冷链物流的实施意见", "关于冷链运输车辆通行的通知"}
    assert _titles("贺政办发 2019", Within.DOC_NUMBER) == {"关于冷链运输车辆通行的通知"}
    assert _titles("〔2018〕139", Within.DOC_NUMBER) == {"关于加快发展冷链物流的实施意见"}
    # The citation in a body is no 文号 of that document.
    assert "关于促进消费的通知" not in _titles("贺政办发", Within.DOC_NUMBER)


def test_issuer_scope_finds_the_issuing_body_not_bodies_named_in_the_text(documents):
    assert _titles("发展改革委") == {"关于促进消费的通知", "关于做好价格监测工作的通知"}
    assert _titles("发展改革委", Within.ISSUER) == {"关于做好价格监测工作的通知"}
    assert _titles("贺州 OR 发展改革委", Within.ISSUER) == {
        "关于加快发展冷链物流的实施意见",
        "关于冷链运输车辆通行的通知",
        "关于做好价格监测工作的通知",
    }


def test_search_page_offers_the_fields_and_keeps_the_chosen_one(staff_client, documents):
    response = staff_client.get(reverse("search:search"), {"q": "发展改革委", "field": "issuer"})
    page = response.content.decode()
    assert '<select id="search-field" name="field"' in page
    assert '<option value="issuer" selected>发文机关</option>' in page
    assert "关于做好价格监测工作的通知" in page
    assert "关于促进消费的通知" not in page


def test_json_api_and_feed_search_within_the_field(staff_client, documents):
    data = staff_client.get("/api/search/", {"q": "冷链物流", "field": "title"}).json()
    assert [hit["title"] for hit in data["results"]] == ["关于加快发展冷链物流的实施意见"]
    feed = staff_client.get(reverse("search:feed"), {"q": "冷链物流", "field": "title"}).content.decode()
    assert "公报库检索（标题）：冷链物流" in feed
    assert feed.count("<entry>") == 1


def test_unknown_field_is_reported_and_the_search_runs_on_the_full_text(staff_client, documents):
    data = staff_client.get("/api/search/", {"q": "冷链物流", "field": "body"}).json()
    assert "field" in data["errors"]
    assert data["count"] == 3


def _write_index_without_the_new_fields(search_engine_name: str, path) -> None:
    """An index as the previous version wrote it: no issuer_bigram, no doc_number_bigram."""
    document = Document.objects.get(issuer="柳州市发展改革委")
    if search_engine_name == "whoosh":
        fields = {name: field for name, field in schema().items() if name not in NEW_FIELDS}
        path.mkdir(parents=True, exist_ok=True)
        writer = create_in(str(path), Schema(**fields)).writer()
        writer.add_document(**{ID_FIELD: identifier(document.pk), "title": document.title, PK_COLUMN: str(document.pk)})
        writer.commit()
    else:
        search_engine = engine()
        properties = {name: spec for name, spec in opensearch.MAPPINGS["properties"].items() if name not in NEW_FIELDS}
        name = f"{search_engine.alias}-old"
        search_engine.client.indices.create(
            index=name,
            body={
                "settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": opensearch.ANALYSIS},
                "mappings": {**opensearch.MAPPINGS, "properties": properties},
            },
        )
        search_engine.client.index(
            index=name, id=str(document.pk), body={"title": document.title, "pk": document.pk}, refresh=True
        )
        search_engine.client.indices.put_alias(index=name, name=search_engine.alias)


@pytest.fixture
def old_index(search_index, search_engine_name):
    DocumentFactory(title="关于做好价格监测工作的通知", issuer="柳州市发展改革委", doc_number="柳发改价格〔2020〕5号")
    DocumentFactory(title="关于促进消费的通知", issuer="柳州市人民政府", body="市发展改革委负责。")
    _write_index_without_the_new_fields(search_engine_name, search_index)
    return search_index


def test_an_index_without_the_new_fields_is_reported_by_check_index(old_index):
    assert engine().missing_fields() == {"issuer_bigram", "doc_number_bigram"}
    assert index_status().missing_fields == ["doc_number_bigram", "issuer_bigram"]
    out = io.StringIO()
    with pytest.raises(Exception, match="不一致"):
        call_command("check_index", stdout=out)
    assert "索引缺少字段 doc_number_bigram、issuer_bigram" in out.getvalue()


def test_the_next_import_rebuilds_an_index_without_the_new_fields(old_index):
    new = DocumentFactory(title="关于物价的通知", issuer="柳州市发展改革委", doc_number="柳发改价格〔2020〕6号")
    report = documents_index(document_ids=[new.pk])
    assert report.rebuilt
    assert engine().missing_fields() == set()
    assert _titles("发展改革委", Within.ISSUER) == {"关于做好价格监测工作的通知", "关于物价的通知"}


def test_check_index_fix_rebuilds_an_index_without_the_new_fields(old_index):
    out = io.StringIO()
    call_command("check_index", fix=True, stdout=out)
    assert "已重建索引" in out.getvalue()
    assert _titles("柳发改价格", Within.DOC_NUMBER) == {"关于做好价格监测工作的通知"}


def test_doc_number_scope_marks_the_doc_number_not_the_body(staff_client, documents):
    page = staff_client.get(reverse("search:search"), {"q": "贺政办发 2018", "field": "doc_number"}).content.decode()
    assert '<span class="hit-doc-number"><mark>贺政办发</mark>〔<mark>2018</mark>〕139号</span>' in page
    snippets = page.split('class="snippet">')[1:]
    assert snippets and not any("<mark>" in snippet.split("</p>")[0] for snippet in snippets)


def test_issuer_scope_shows_the_issuer_marked_and_escaped(staff_client, documents):
    DocumentFactory(title="关于测试的通知", issuer="<b>柳州市发展改革委</b>", body="正文。")
    documents_index(document_ids=list(Document.objects.values_list("pk", flat=True)))
    page = staff_client.get(reverse("search:search"), {"q": "发展改革委", "field": "issuer"}).content.decode()
    assert '<span class="hit-issuer">柳州市<mark>发展改革委</mark></span>' in page
    assert '<span class="hit-issuer">&lt;b&gt;柳州市<mark>发展改革委</mark>&lt;/b&gt;</span>' in page
    assert "<b>柳州市" not in page
