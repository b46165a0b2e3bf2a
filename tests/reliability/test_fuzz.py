"""Hypothesis drives the search page, the JSON API and the list views with hostile GET parameters:
every answer is a page (200), a refusal (400) or a redirect/not-found where one belongs — never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.models import Document, Gazette, Issue
from policies.models import Department
from search.indexing import documents_index
from tests.factories import DepartmentFactory, DocumentFactory, TaskAssignmentFactory, TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=60,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "",
    "-1",
    "0",
    "abc",
    "1.5",
    "1e9",
    "99999999999",
    "99999999999999999999999",
    "²",
    "١٢",
    "２０１９",
    "2023-13-45",
    "0000-00-00",
    "2019-02-30",
    "9999-12-31",
    "evil",
    "relevance",
    "date",
    '"',
    '"冷链',
    "title:冷链",
    "*",
    "?",
    "冷链*",
    "((冷链",
    "冷链)",
    "OR",
    "AND",
    "NOT",
    "OR AND NOT",
    "-",
    "--",
    "|",
    "||",
    "\x00",
    "冷链\x00物流",
    "冷" * 5000,
    "😀🚀",
    "\u202eمرحبا",
    "שלום",
    "%",
    "%%",
    "\\",
    "'; DROP TABLE gazette_document; --",
    "<script>",
    "{{ 7*7 }}",
    "贺政办发〔2018〕146号",
    "〔2018〕",
    "[",
    "\r\n",
    "\t",
    " ",
    "csv",
    "lead",
    "support",
    "on",
    "1",
    "true",
]
# Any text but lone surrogates, which no HTTP client can send.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
VALUE = st.one_of(st.sampled_from(NASTY), TEXT)

SEARCH_KEYS = [
    "q",
    "page",
    "year",
    "date_from",
    "date_to",
    "sort",
    "gazette",
    "issue",
    "issuer",
    "section",
    "kind",
    "region",
    "has_tasks",
]
LIST_KEYS = ["page", "year", "q", "city", "gazette", "role", "deadline", "has_deadline", "format", "sort"]


def params(keys):
    return st.dictionaries(st.sampled_from(keys), st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3)), max_size=6)


@pytest.fixture
def data(search_index):
    department = DepartmentFactory()
    documents = [DocumentFactory(body=f"第{n}篇。发展冷链物流，保障食品安全。") for n in range(3)]
    TaskAssignmentFactory(task=TaskFactory(document=documents[0]), department=department)
    documents_index(document_ids=[d.pk for d in documents])
    return {"document": documents[0], "department": department}


def _fine(response, allowed=(200, 400)) -> bool:
    return response.status_code in allowed


@FUZZ
@given(query=params(SEARCH_KEYS))
def test_search_page_and_api_never_fail(reader_client, data, query):
    page = reader_client.get("/search/", query)
    api = reader_client.get("/api/search/", query)

    assert _fine(page), (page.status_code, query)
    assert _fine(api), (api.status_code, query)
    if api.status_code == 200:
        assert isinstance(api.json()["results"], list)


@FUZZ
@given(
    query=params(LIST_KEYS),
    which=st.sampled_from(["home", "gazettes", "gazette", "issue", "document", "departments", "department"]),
)
def test_list_and_detail_pages_never_fail(reader_client, data, query, which):
    document: Document = data["document"]
    url = {
        "home": "/",
        "gazettes": "/gazettes/",
        "gazette": Gazette.objects.get().get_absolute_url(),
        "issue": document.issue.get_absolute_url(),
        "document": document.get_absolute_url(),
        "departments": "/departments/",
        "department": data["department"].get_absolute_url(),
    }[which]

    response = reader_client.get(url, query)

    assert _fine(response, (200, 400, 404)), (response.status_code, url, query)


@pytest.mark.parametrize(
    "url",
    [
        "/documents/99999999999999999999/",
        "/issues/9223372036854775808/",
        "/gazettes/0/",
        "/departments/18446744073709551616/",
        "/documents/1/?page=99999999999999999999",
    ],
)
def test_absurd_ids_in_the_path_are_not_found(reader_client, data, url):
    assert reader_client.get(url).status_code == 404


@pytest.mark.parametrize("year", ["99999999999", "²", "٣", "00002019", "-1"])
def test_gazette_page_with_a_bogus_year_is_answered(reader_client, data, year):
    gazette = Gazette.objects.get()
    assert reader_client.get(gazette.get_absolute_url(), {"year": year}).status_code in (200, 400)


def test_staff_only_list_pages_never_fail(staff_client, data):
    for page in ("-1", "abc", "99999999999999999999", "\x00"):
        assert staff_client.get("/import/history/", {"page": page}).status_code in (200, 404)
    assert Issue.objects.exists() and Department.objects.exists()
