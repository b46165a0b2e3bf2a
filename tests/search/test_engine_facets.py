"""An engine that counts facets (OpenSearch) answers as the database path does, and stays current.

On OpenSearch the page, the total and the facet counts come from the engine, from values it
was sent with each document; on Whoosh from the database. Each write that changes a value
(the nightly 效力 update, an import repealing a known document, an admin's edit of a
document, an issue, a gazette or a task, a deletion) must reach the engine when it commits,
or its facets would disagree with the pages: the tests below run on both engines.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from gazette.models import Document, DocumentChange
from gazette.validity import documents_validity_reread, documents_validity_update
from search import query
from search.engines import engine
from search.indexing import documents_index, index_status
from search.query import Filters, documents_search
from tests.factories import (
    DocumentFactory,
    GazetteFactory,
    IssueFactory,
    StaffFactory,
    TaskFactory,
)
from tests.gazette.test_validity import admin_form_data

pytestmark = pytest.mark.django_db


def _counts(outcome, name: str) -> dict[str, int]:
    return {entry["value"]: entry["count"] for entry in outcome.facets.get(name, [])}


def _varied_documents() -> list[Document]:
    """Thirty documents over three gazettes, with every facet's values varied, about 冷链物流 or not."""
    gazettes = [GazetteFactory(), GazetteFactory(name="柳州市政策汇编", kind="compilation")]
    issues = [
        IssueFactory(gazette=gazettes[0], year=2019, published=dt.date(2019, 3, 1)),
        IssueFactory(gazette=gazettes[0], year=2021, published=dt.date(2021, 6, 1)),
        IssueFactory(gazette=gazettes[1], year=2020, published=dt.date(2020, 9, 1)),
    ]
    documents = []
    for i in range(30):
        document = DocumentFactory(
            issue=issues[i % 3],
            title=f"关于{'加快发展冷链物流' if i % 4 else '做好食品安全'}的通知（{i}）",
            body=["发展冷链物流，建设冷库。", "冷链物流与食品安全。", "与此无关的文字。"][i % 3],
            section=["部门文件", "市政府文件", ""][i % 3],
            issuer=["市商务局", "市人民政府", "市人民政府办公室"][i % 3],
            region=["贺州市", "柳州市", ""][i % 2],
            genre=["通知", "意见", "办法"][i % 3],
            normative=bool(i % 2),
            validity=["in_force", "repealed", "expired", "amended"][i % 4],
            date=dt.date(2018 + i % 4, 1 + i % 12, 1) if i % 7 else None,
        )
        if i % 3 == 1:
            TaskFactory(document=document)
        documents.append(document)
    return documents


CASES = [
    ("冷链物流", Filters(), "relevance"),
    ("冷链物流", Filters(), "date"),
    ("冷链物流 -食品安全", Filters(), "relevance"),
    ("冷链物流 OR 食品安全", Filters(validity="in_force"), "relevance"),
    ("冷链物流", Filters(year=2019, normative=True), "date"),
    ("冷链物流", Filters(has_tasks=True, region="贺州市"), "relevance"),
    ("冷链物流", Filters(kind="compilation", has_tasks=False), "relevance"),
    ("冷链物流", Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2020, 12, 31)), "relevance"),
    ("冷链物流", Filters(published_from=dt.date(2020, 1, 1), issuer="市人民政府"), "date"),
    ("", Filters(section="部门文件"), "relevance"),
    ("", Filters(region="柳州市", genre="意见"), "date"),
]


@pytest.mark.engines("opensearch")
@pytest.mark.parametrize(("q", "filters", "sort"), CASES)
def test_the_engine_answers_the_page_total_and_facets_the_database_path_answers(
    index_documents, monkeypatch, q, filters, sort
):
    _varied_documents()
    index_documents()

    by_engine = documents_search(q=q, filters=filters, sort=sort)
    # The same node's scores, filtered, counted and ordered by the database instead.
    monkeypatch.setattr(type(engine()), "counts_facets", False)
    by_database = documents_search(q=q, filters=filters, sort=sort)

    assert by_engine.count == by_database.count > 0
    assert list(by_engine.ids) == list(by_database.ids)
    assert by_engine.facets == by_database.facets
    assert by_engine.notices == by_database.notices


def test_a_search_matching_nothing_answers_no_page_no_count_and_no_facets(index_documents):
    DocumentFactory(title="关于冷链物流的通知")
    index_documents()

    outcome = documents_search(q="仓储保鲜", filters=Filters(validity="in_force"))

    assert outcome.searched and outcome.count == 0 and list(outcome.ids) == []
    assert not any(outcome.facets.values())


@pytest.mark.engines("opensearch")
def test_equal_scores_are_ordered_by_date_then_pk_as_the_database_path_orders_them(index_documents, monkeypatch):
    # The page's search does not count its matches, so the cluster skips those that cannot
    # reach the page: documents scoring as much as the last one on it must still be
    # weighed by date (a gazette reprinting a document gives two equal scores).
    copies = [
        DocumentFactory(title="关于冷链物流的通知", body="发展冷链物流。", date=dt.date(2015, 1, 1) + dt.timedelta(days=i % 40))
        for i in range(120)
    ]
    better = [DocumentFactory(title="关于冷链物流的通知", body="冷链物流，冷链物流，冷链物流。") for _ in range(3)]
    index_documents()
    monkeypatch.setattr(query, "FIRST_IDS", 10)

    by_engine = documents_search(q="冷链物流")
    monkeypatch.setattr(type(engine()), "counts_facets", False)
    by_database = documents_search(q="冷链物流")

    assert by_engine.count == by_database.count == 123
    assert set(by_engine.ids[:3]) == {d.pk for d in better}
    newest = sorted(copies, key=lambda d: (-d.date.toordinal(), d.pk))
    assert list(by_engine.ids[3:40]) == [d.pk for d in newest[:37]]
    assert list(by_engine.ids) == list(by_database.ids)


@pytest.mark.engines("opensearch")
def test_pages_past_the_first_ids_are_read_from_the_engine_in_order(
    index_documents, staff_client, monkeypatch, settings
):
    documents = [
        DocumentFactory(title=f"关于冷链物流的通知（{i}）", date=dt.date(2019, 1, 1) + dt.timedelta(days=i))
        for i in range(9)
    ]
    index_documents()
    monkeypatch.setattr(query, "FIRST_IDS", 2)
    newest_first = [d.pk for d in reversed(documents)]

    outcome = documents_search(q="冷链物流", sort="date")
    assert len(outcome.ids) == 9
    assert list(outcome.ids) == newest_first
    assert outcome.ids[3:6] == newest_first[3:6]
    assert outcome.ids[-1] == newest_first[-1]
    with pytest.raises(IndexError):
        outcome.ids[9]

    settings.HAYSTACK_SEARCH_RESULTS_PER_PAGE = 4
    for page in (1, 2, 3):
        response = staff_client.get("/api/search/", {"q": "冷链物流", "sort": "date", "page": page})
        assert response.json()["num_pages"] == 3
        assert [hit["id"] for hit in response.json()["results"]] == newest_first[(page - 1) * 4 : page * 4]


def test_the_nightly_validity_update_is_counted_at_once(index_documents, django_capture_on_commit_callbacks):
    document = DocumentFactory(title="关于冷链物流的通知", valid_until=dt.date(2020, 12, 31), validity="in_force")
    index_documents()
    assert _counts(documents_search(q="冷链物流"), "validity") == {"in_force": 1}

    with django_capture_on_commit_callbacks(execute=True):
        documents_validity_update(today=dt.date(2021, 1, 1))

    assert _counts(documents_search(q="冷链物流"), "validity") == {"expired": 1}
    assert documents_search(q="冷链物流", filters=Filters(validity="expired")).ids == [document.pk]


def test_indexing_a_document_sends_the_documents_it_repeals_again(index_documents):
    old = DocumentFactory(title="关于冷链物流的通知", validity="in_force")
    index_documents()
    new = DocumentFactory(title="关于废止冷链物流文件的通知")
    DocumentChange.objects.create(source=new, target=old, kind=DocumentChange.Kind.REPEALS, title=old.title)
    # What an import does: the statuses change in its transaction, its indexing job follows.
    Document.objects.filter(pk=old.pk).update(validity="repealed")

    documents_index(document_ids=[new.pk])

    assert documents_search(q="冷链物流", filters=Filters(validity="repealed")).ids == [old.pk]


def test_admin_edits_of_an_issue_a_gazette_and_a_task_and_deletions_are_counted_at_once(
    client, index_documents, django_capture_on_commit_callbacks
):
    gazette = GazetteFactory()
    issue = IssueFactory(gazette=gazette, year=2019, published=dt.date(2019, 3, 1))
    document = DocumentFactory(issue=issue, title="关于冷链物流的通知", date=None)
    doomed = DocumentFactory(issue=issue, title="关于冷链物流试点的通知")
    index_documents()
    client.force_login(StaffFactory(username="admin"))

    url = reverse("admin:gazette_issue_change", args=[issue.pk])
    data = admin_form_data(client.get(url))
    data["year"], data["published"] = "2022", "2022-05-01"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    outcome = documents_search(q="冷链物流")
    assert _counts(outcome, "year") == {"2022": 1, "2018": 1}
    assert documents_search(q="冷链物流", filters=Filters(published_from=dt.date(2022, 1, 1))).count == 2

    url = reverse("admin:gazette_gazette_change", args=[gazette.pk])
    data = admin_form_data(client.get(url))
    data["kind"] = "compilation"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert _counts(documents_search(q="冷链物流"), "kind") == {"compilation": 2}

    url = reverse("admin:policies_task_add")
    data = {
        **admin_form_data(client.get(url)),
        "document": str(document.pk),
        "order": "1",
        "text": "建设冷库。",
        "created_at_0": "2022-05-01",
        "created_at_1": "08:00:00",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert documents_search(q="冷链物流", filters=Filters(has_tasks=True)).ids == [document.pk]
    assert documents_search(q="建设冷库").ids == [document.pk]

    url = reverse("admin:gazette_document_delete", args=[doomed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"post": "yes"}).status_code == 302
    outcome = documents_search(q="冷链物流")
    assert outcome.ids == [document.pk]
    assert sum(_counts(outcome, "gazette").values()) == 1


@pytest.mark.engines("opensearch")
def test_check_index_finds_values_changed_behind_its_back_and_fix_sends_them(index_documents):
    document = DocumentFactory(title="关于冷链物流的通知", validity="in_force")
    DocumentFactory(title="关于食品安全的通知")
    index_documents()
    assert index_status().healthy

    # A write that no hook saw (a raw UPDATE, a restore of an older database …).
    Document.objects.filter(pk=document.pk).update(validity="repealed", issuer="市商务局")
    status = index_status()
    assert status.stale == [document.pk] and not status.healthy

    call_command("check_index", fix=True)
    assert index_status().healthy
    assert documents_search(q="冷链物流", filters=Filters(issuer="市商务局", validity="repealed")).ids == [document.pk]


def test_reading_the_validity_facts_again_refiles_a_document_under_its_new_genre_at_once(
    index_documents, django_capture_on_commit_callbacks
):
    document = DocumentFactory(title="贺州市冷链物流管理办法", genre="通知")
    index_documents()
    assert _counts(documents_search(q="冷链物流"), "genre") == {"通知": 1}

    with django_capture_on_commit_callbacks(execute=True):
        documents_validity_reread(documents=Document.objects.filter(pk=document.pk))

    document.refresh_from_db()
    assert document.genre != "通知"
    assert _counts(documents_search(q="冷链物流"), "genre") == {document.genre: 1}
