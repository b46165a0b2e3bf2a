"""Searching like a policy library: 文种, 规范性文件 and 效力 facets, 发布日期, Traditional characters."""

import csv
import datetime as dt
import io
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from gazette.models import Document
from policies.services import feed_token_create, feed_token_revoke
from search.hits import hits_for
from search.query import Filters, documents_search, parse_query
from tests.factories import DocumentFactory, GazetteFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db


def facet(outcome, name):
    return {entry["label"]: entry["count"] for entry in outcome.facets[name]}


@pytest.fixture
def policies(index_documents):
    """Three 冷链 documents: a normative 办法 in force, a repealed 通知, an expired 意见."""
    documents = {
        "rules": DocumentFactory(
            title="冷链物流管理办法", body="加强冷链物流管理。", genre="办法", normative=True, validity="in_force"
        ),
        "notice": DocumentFactory(
            title="关于冷链物流的通知", body="做好冷链物流工作。", genre="通知", validity=Document.Validity.REPEALED
        ),
        "opinion": DocumentFactory(
            title="关于冷链物流的意见",
            body="发展冷链物流。",
            genre="意见",
            validity=Document.Validity.EXPIRED,
            issue=IssueFactory(published=dt.date(2021, 6, 1)),
        ),
    }
    index_documents()
    return documents


def test_genre_normative_and_validity_facets_count_the_matches_with_chinese_labels(policies):
    outcome = documents_search(q="冷链物流")

    assert facet(outcome, "genre") == {"办法": 1, "通知": 1, "意见": 1}
    assert facet(outcome, "normative") == {"规范性文件": 1, "非规范性文件": 2}
    assert facet(outcome, "validity") == {"现行有效": 1, "已废止": 1, "已失效": 1}


def test_filtering_by_validity_keeps_the_other_validity_counts_to_switch_to(policies):
    outcome = documents_search(q="冷链物流", filters=Filters(validity="in_force"))

    assert outcome.ids == [policies["rules"].pk]
    assert facet(outcome, "validity") == {"现行有效": 1, "已废止": 1, "已失效": 1}
    assert facet(outcome, "genre") == {"办法": 1}


def test_filters_for_genre_and_normative_narrow_the_hits(policies):
    assert documents_search(q="冷链物流", filters=Filters(genre="通知")).ids == [policies["notice"].pk]
    assert documents_search(q="冷链物流", filters=Filters(normative=True)).ids == [policies["rules"].pk]
    assert set(documents_search(q="冷链物流", filters=Filters(normative=False)).ids) == {
        policies["notice"].pk,
        policies["opinion"].pk,
    }


def test_published_date_range_filters_by_the_issue_date_not_the_document_date(policies):
    outcome = documents_search(q="冷链物流", filters=Filters(published_from=dt.date(2021, 1, 1)))
    assert outcome.ids == [policies["opinion"].pk]

    outcome = documents_search(q="冷链物流", filters=Filters(published_to=dt.date(2020, 12, 31)))
    assert set(outcome.ids) == {policies["rules"].pk, policies["notice"].pk}


def test_search_page_reads_the_new_filters_from_get_parameters(staff_client, policies):
    response = staff_client.get(
        reverse("search:search"),
        {"q": "冷链物流", "genre": "意见", "normative": "0", "validity": "expired", "published_from": "2021-01-01"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "找到 1 篇文件" in html
    assert "<mark>冷链物流</mark>的意见" in html
    assert 'name="published_from" value="2021-01-01"' in html


def test_json_api_facets_carry_genre_normative_and_validity(staff_client, policies):
    data = staff_client.get("/api/search/", {"q": "冷链物流", "normative": "1"}).json()

    assert data["count"] == 1
    assert {e["label"]: e["count"] for e in data["facets"]["validity"]} == {"现行有效": 1}
    assert {(e["value"], e["count"], e["selected"]) for e in data["facets"]["normative"]} == {
        ("1", 1, True),
        ("0", 2, False),
    }
    assert {e["label"] for e in data["facets"]["genre"]} == {"办法"}
    (result,) = data["results"]
    assert (result["genre"], result["normative"], result["validity"]) == ("办法", True, "in_force")
    assert result["published"] == "2019-02-27"


def test_published_range_ending_before_it_starts_is_reported_and_ignored(staff_client, policies):
    response = staff_client.get(
        reverse("search:search"), {"q": "冷链物流", "published_from": "2021-01-01", "published_to": "2020-01-01"}
    )

    html = response.content.decode()
    assert "结束日期早于开始日期" in html
    assert "找到 1 篇文件" in html


def test_query_in_traditional_characters_finds_the_simplified_text(index_documents):
    document = DocumentFactory(title="关于优化营商环境的意见", body="持续优化营商环境。")
    DocumentFactory(title="其他通知", body="与此无关的内容。")
    index_documents()

    assert documents_search(q="營商環境").ids == [document.pk]
    assert documents_search(q='"優化營商環境" -快遞').ids == [document.pk]


def test_traditional_query_marks_the_simplified_words_in_the_snippet(staff_client, index_documents):
    DocumentFactory(title="关于优化营商环境的意见", body="持续优化营商环境。")
    index_documents()

    html = staff_client.get(reverse("search:search"), {"q": "營商環境"}).content.decode()

    assert "找到 1 篇文件" in html
    assert "<mark>营商环境</mark>" in html


def test_results_page_has_one_search_box_carrying_the_active_filters(staff_client, policies):
    response = staff_client.get(
        reverse("search:search"), {"q": "冷链物流", "validity": "in_force", "normative": "1", "year": "abc"}
    )

    html = response.content.decode()
    assert html.count('type="search"') == 1
    assert 'id="site-q"' not in html
    assert '<input type="hidden" name="validity" value="in_force">' in html
    assert '<input type="hidden" name="normative" value="1">' in html
    assert 'name="year" value="abc"' not in html


def test_clear_filters_link_keeps_the_query_and_drops_every_filter(staff_client, policies):
    response = staff_client.get(
        reverse("search:search"),
        {"q": "冷链物流", "genre": "通知", "date_from": "2018-01-01", "published_to": "2030-01-01", "page": "2"},
    )

    html = response.content.decode()
    assert '<a href="?q=%E5%86%B7%E9%93%BE%E7%89%A9%E6%B5%81">清除筛选</a>' in html
    assert "清除筛选" not in staff_client.get(reverse("search:search"), {"q": "冷链物流"}).content.decode()


def test_kept_filter_values_are_escaped_in_the_search_box(staff_client, policies):
    html = staff_client.get(reverse("search:search"), {"q": "冷链", "issuer": '"><script>x</script>'}).content.decode()

    assert "<script>x</script>" not in html
    assert 'name="issuer" value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


def test_doc_number_query_marks_the_whole_doc_number_not_its_parts(staff_client, index_documents):
    DocumentFactory(
        doc_number="贺政办发〔2018〕139号",
        doc_seq=139,
        title="关于信息公开的通知",
        body="根据贺政办发〔2018〕139号文件，2018年贺政办发的第139号以外文件不在此列。",
    )
    index_documents()

    outcome = documents_search(q="贺政办发[2018]139号")
    (hit,) = hits_for(outcome.ids, parse_query("贺政办发[2018]139号"))

    text = "".join(hit.snippets)
    assert "<mark>贺政办发〔2018〕139号</mark>" in text
    assert text.count("<mark>") == 1


def read_csv(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_csv_export_lists_every_match_of_the_query_and_filters_with_policy_columns(staff_client, policies):
    response = staff_client.get(reverse("search:export"), {"q": "冷链物流", "validity": "in_force", "page": "9"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gongbao-search-')
    header, *rows = read_csv(response)
    assert header == ["文号", "标题", "发文机关", "成文日期", "发布日期", "效力", "文种", "规范性文件", "链接"]
    rules = policies["rules"]
    assert rows == [
        [
            rules.doc_number,
            "冷链物流管理办法",
            "贺州市人民政府办公室",
            "2018-12-29",
            "2019-02-27",
            "现行有效",
            "办法",
            "是",
            f"http://testserver/documents/{rules.pk}/",
        ]
    ]


def test_csv_export_is_not_cut_at_one_page_but_at_the_export_limit(staff_client, index_documents, monkeypatch):
    monkeypatch.setattr("search.exports.EXPORT_LIMIT", 23)
    for _ in range(25):
        DocumentFactory(body="发展冷链物流。")
    index_documents()

    _, *rows = read_csv(staff_client.get(reverse("search:export"), {"q": "冷链物流", "sort": "date"}))

    assert len(rows) == 23


def test_csv_export_keeps_a_formula_like_title_as_text(staff_client, index_documents):
    DocumentFactory(title='=HYPERLINK("http://x")冷链物流', body="冷链物流。")
    index_documents()

    _, row = read_csv(staff_client.get(reverse("search:export"), {"q": "冷链物流"}))

    assert row[1] == '\'=HYPERLINK("http://x")冷链物流'


def test_results_page_links_the_csv_export_of_the_same_search(staff_client, policies):
    html = staff_client.get(reverse("search:search"), {"q": "冷链物流", "genre": "通知", "page": "1"}).content.decode()

    assert 'href="/search/export.csv?q=%E5%86%B7%E9%93%BE%E7%89%A9%E6%B5%81&amp;genre=%E9%80%9A%E7%9F%A5"' in html


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    return root, [
        (entry.findtext("a:title", namespaces=ns), entry.find("a:link", ns).get("href"))
        for entry in root.findall("a:entry", ns)
    ]


def test_saved_search_feed_lists_the_matches_of_its_query_and_filters_newest_first(staff_client, index_documents):
    old = DocumentFactory(title="冷链物流旧办法", body="冷链物流。", date=dt.date(2018, 1, 5))
    new = DocumentFactory(title="冷链物流新办法", body="冷链物流。", date=dt.date(2020, 3, 1))
    DocumentFactory(title="冷链物流废止通知", body="冷链物流。", validity=Document.Validity.REPEALED)
    DocumentFactory(title="档案管理办法", body="档案。")
    index_documents()

    root, entries = atom_entries(
        staff_client.get(reverse("search:feed"), {"q": "冷链物流", "validity": "in_force", "sort": "relevance"})
    )

    assert [href for _, href in entries] == [
        f"http://testserver/documents/{new.pk}/",
        f"http://testserver/documents/{old.pk}/",
    ]
    assert entries[0][0] == str(new)
    assert root.findtext("{http://www.w3.org/2005/Atom}title") == "公报库检索：冷链物流"


def test_saved_search_feed_escapes_hostile_document_text(staff_client, index_documents):
    DocumentFactory(title="冷链物流<script>alert(1)</script>&", body="冷链物流。", issuer="<b>局</b>")
    index_documents()

    response = staff_client.get(reverse("search:feed"), {"q": "冷链物流"})

    _, entries = atom_entries(response)
    assert entries[0][0].startswith("冷链物流<script>alert(1)</script>&")
    assert b"<script>" not in response.content


def test_gazette_feed_lists_its_new_issues_newest_import_first(staff_client):
    gazette = GazetteFactory(name="贺州市人民政府公报")
    first = IssueFactory(gazette=gazette, number=1)
    second = IssueFactory(gazette=gazette, number=2)
    DocumentFactory(issue=second)
    IssueFactory(gazette=GazetteFactory(name="柳州市政策汇编"))  # another gazette

    root, entries = atom_entries(staff_client.get(reverse("gazette:gazette-feed", args=[gazette.pk])))

    assert [href for _, href in entries] == [
        f"http://testserver/issues/{second.pk}/",
        f"http://testserver/issues/{first.pk}/",
    ]
    assert entries[0][0] == str(second)
    assert "收录文件 1 篇" in root.find("{http://www.w3.org/2005/Atom}entry").findtext(
        "{http://www.w3.org/2005/Atom}summary"
    )


def test_feeds_need_a_session(client):
    assert client.get(reverse("search:feed"), {"q": "冷链"}).status_code == 302
    assert client.get(reverse("gazette:gazette-feed", args=[GazetteFactory().pk])).status_code == 302


def test_gazette_feed_of_a_missing_gazette_is_not_found(staff_client):
    assert staff_client.get(reverse("gazette:gazette-feed", args=[999999])).status_code == 404


def test_saved_search_feed_opens_without_a_session_with_the_users_feed_token(client, index_documents):
    document = DocumentFactory(title="冷链物流管理办法", body="冷链物流。")
    DocumentFactory(title="档案管理办法", body="档案。")
    index_documents()
    user = UserFactory(username="feed-reader")
    token = feed_token_create(user=user)
    url = reverse("search:token-feed", args=[token.key])

    _, entries = atom_entries(client.get(url, {"q": "冷链物流"}))
    assert [href for _, href in entries] == [f"http://testserver/documents/{document.pk}/"]

    feed_token_revoke(user=user)
    response = client.get(url, {"q": "冷链物流"})
    assert response.status_code == 403 and "订阅地址无效或已撤销" in response.content.decode()
    assert client.get(reverse("search:token-feed", args=["1-forged"]), {"q": "冷链物流"}).status_code == 403


def test_results_page_links_the_token_feed_when_the_reader_has_a_token(client, policies):
    user = UserFactory(username="subscriber")
    client.force_login(user)
    html = client.get(reverse("search:search"), {"q": "冷链物流"}).content.decode()
    assert f'href="{reverse("search:feed")}?q=' in html and "生成订阅令牌" in html

    token = feed_token_create(user=user)
    html = client.get(reverse("search:search"), {"q": "冷链物流"}).content.decode()
    assert f'href="{reverse("search:token-feed", args=[token.key])}?q=' in html
