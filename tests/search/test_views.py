import datetime as dt
from urllib.parse import parse_qsl

import pytest
from django.urls import reverse

from tests.factories import DocumentFactory, IssueFactory

pytestmark = pytest.mark.django_db


def test_search_page_requires_login(client):
    response = client.get(reverse("search:search"), {"q": "冷链"})
    assert response.status_code == 302


def test_search_page_shows_hits_with_marked_snippets(staff_client, index_documents):
    document = DocumentFactory(title="冷链物流实施方案", body="发展冷链物流。<script>x</script>")
    index_documents()

    response = staff_client.get(reverse("search:search"), {"q": "冷链物流"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="hit"' in html and document.doc_number in html
    assert "<mark>冷链物流</mark>" in html
    assert "<script>x</script>" not in html


def test_empty_query_shows_help(staff_client, index_documents):
    response = staff_client.get(reverse("search:search"))
    assert response.status_code == 200
    assert "怎样检索" in response.content.decode()


def test_no_results_page_suggests_what_to_try(staff_client, index_documents):
    DocumentFactory()
    index_documents()
    response = staff_client.get(reverse("search:search"), {"q": "完全不存在的词语组合"})
    assert "没有找到" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"冷链'},
        {"q": "title:冷链 *"},
        {"q": "冷链" * 1000},
        {"q": "冷链\x00"},
        {"q": "冷链", "page": "999"},
        {"q": "冷链", "page": "abc"},
        {"q": "冷链", "gazette": "x", "issue": "-1", "year": "99999", "date_from": "2020-13-45", "sort": "evil"},
        {"q": "冷链", "date_from": "2022-01-01", "date_to": "2020-01-01"},
        {"q": "-冷链"},
    ],
)
def test_hostile_parameters_never_fail(staff_client, index_documents, params):
    DocumentFactory(body="冷链物流。")
    index_documents()
    assert staff_client.get(reverse("search:search"), params).status_code == 200
    assert staff_client.get("/api/search/", params).status_code == 200


def test_json_endpoint_returns_count_results_and_facets(staff_client, index_documents):
    document = DocumentFactory(title="冷链物流实施方案", body="发展冷链物流。")
    index_documents()

    data = staff_client.get("/api/search/", {"q": "冷链物流"}).json()

    assert data["count"] == 1
    (result,) = data["results"]
    assert result["doc_number"] == document.doc_number
    assert result["title"] == document.title
    assert result["url"] == document.get_absolute_url()
    assert result["gazette"] == document.issue.gazette.name
    assert result["date"] == document.date.isoformat()
    assert any("<mark>冷链物流</mark>" in s for s in result["snippets"])
    assert data["facets"]["gazette"][0]["count"] == 1


def test_json_endpoint_requires_login(client):
    response = client.get("/api/search/", {"q": "冷链"})

    assert response.status_code == 401
    assert response.json()["error"] == "authentication required"


def test_search_page_sql_queries_do_not_grow_with_the_hits(staff_client, index_documents):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import TaskFactory

    def queries_for(q):
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(reverse("search:search"), {"q": q})
        assert response.status_code == 200
        return len(captured.captured_queries)

    for _ in range(2):
        DocumentFactory(body="编修地方志。")
    for _ in range(30):
        TaskFactory(document=DocumentFactory(body="发展冷链物流。"), text="建设冷库。")
    index_documents()
    staff_client.get(reverse("search:search"), {"q": "地方志"})  # session and user loaded once

    assert queries_for("冷链物流") == queries_for("地方志") <= 12


def test_each_facet_value_links_to_the_search_with_it_chosen_or_cleared(staff_client, index_documents):
    for year in (2020, 2021):
        DocumentFactory(
            title="冷链物流实施方案",
            date=dt.date(year, 3, 1),
            issue=IssueFactory(year=year, published=dt.date(year, 5, 1)),
        )
    index_documents()

    data = staff_client.get("/api/search/", {"q": "冷链物流", "year": "2020", "sort": "date", "page": "2"}).json()

    links = {entry["value"]: entry["url"] for entry in data["facets"]["year"]}
    # The chosen year clears itself; the other replaces it in place; the page number goes.
    assert parse_qsl(links["2020"].lstrip("?")) == [("q", "冷链物流"), ("sort", "date")]
    assert parse_qsl(links["2021"].lstrip("?")) == [("q", "冷链物流"), ("year", "2021"), ("sort", "date")]
    (gazette,) = data["facets"]["gazette"]
    assert parse_qsl(gazette["url"].lstrip("?")) == [
        ("q", "冷链物流"),
        ("year", "2020"),
        ("sort", "date"),
        ("gazette", str(gazette["value"])),
    ]
