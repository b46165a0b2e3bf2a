"""A gazette written to attack the pages: markup, attribute breakers and template syntax in titles,
bodies, department names, file names and queries are shown escaped everywhere, never run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gazette.models import Document, Gazette, ImportRecord
from gazette.services import gazette_file_import
from policies.models import Department
from tests.factories import DepartmentFactory, ImportRecordFactory, TaskAssignmentFactory, TaskFactory
from tests.gazette.worker import jobs_run

pytestmark = pytest.mark.django_db

HOSTILE_FILE = Path(__file__).with_name("hostile_gazette.txt")
SCRIPT = "<script>alert(1)</script>"
HOSTILE_QUERY = f'冷链物流 {SCRIPT}" onmouseover="x {{{{ 7*7 }}}} {{% debug %}}'
# An attribute value broken out of: `" onmouseover="` unescaped inside a tag.
BROKEN_ATTRIBUTE = re.compile(r'<[^>]*"\s*onmouseover="')


@pytest.fixture
def hostile(search_index, upload_dir):
    """The hostile gazette imported and indexed, plus a department and an upload with hostile names."""
    outcome = gazette_file_import(file_name=f"{SCRIPT}.txt", data=HOSTILE_FILE.read_bytes())
    document = outcome.created[0]
    department = DepartmentFactory(name=f'市{SCRIPT}" onmouseover="x{{{{ 7*7 }}}}局')
    TaskAssignmentFactory(
        task=TaskFactory(document=document, text=f"任务{SCRIPT}", deadline="{% debug %}"), department=department
    )
    ImportRecordFactory(
        file_name=f'{SCRIPT}" onmouseover="x.txt', status=ImportRecord.Status.FAILED, error=f"失败{SCRIPT}"
    )
    return document


def assert_escaped(html: str, where: str, *, expect_script: bool = True) -> None:
    assert "<script>alert" not in html, where
    assert "<b>市商务局" not in html, where
    assert not BROKEN_ATTRIBUTE.search(html), where
    assert "{% debug %}" not in html or "{&#x27;" not in html, where  # the debug tag never ran
    if expect_script:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, where


def test_the_importer_keeps_hostile_text_as_text(hostile):
    assert SCRIPT in hostile.title and "{{ 7*7 }}" in hostile.title
    assert "{% debug %}" in hostile.body
    names = set(Department.objects.values_list("name", flat=True))
    assert '市"onmouseover="x局' in names and "市商务局" in names  # <b> dropped, the rest kept


def test_reading_pages_show_hostile_text_escaped(hostile, staff_client):
    department = Department.objects.get(name='市"onmouseover="x局')
    hostile_department = Department.objects.get(name__contains="<script>")
    gazette = Gazette.objects.get()
    pages = {
        "home": reverse("home"),
        "gazette list": reverse("gazette:gazette-list"),
        "gazette": gazette.get_absolute_url(),
        "issue": hostile.issue.get_absolute_url(),
        "document": hostile.get_absolute_url(),
        "department list": reverse("policies:department-list"),
        "department list filtered": reverse("policies:department-list") + f"?q={SCRIPT}",
        "imported department": department.get_absolute_url(),
        "hostile department": hostile_department.get_absolute_url(),
    }
    for where, url in pages.items():
        response = staff_client.get(url)
        assert response.status_code == 200, where
        expect = where not in ("home", "gazette list", "gazette", "department list filtered", "imported department")
        assert_escaped(response.content.decode(), where, expect_script=expect)
    document_html = staff_client.get(hostile.get_absolute_url()).content.decode()
    assert "{{ 7*7 }}" in document_html and "{% debug %}" in document_html
    assert "&quot; onmouseover=&quot;x" in document_html


def test_search_page_escapes_hits_snippets_and_the_query(hostile, staff_client):
    for q in ("冷链物流", "工作方案", HOSTILE_QUERY, SCRIPT):
        response = staff_client.get(reverse("search:search"), {"q": q})
        html = response.content.decode()
        assert response.status_code == 200, q
        assert_escaped(html, q, expect_script=True)
    html = staff_client.get(reverse("search:search"), {"q": "冷链物流"}).content.decode()
    assert "<mark>冷链物流</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_api_keeps_titles_as_data_and_escapes_its_html_snippets(hostile, staff_client):
    response = staff_client.get("/api/search/", {"q": "冷链物流"})

    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    data = response.json()
    (result,) = data["results"]
    assert result["title"] == hostile.title  # plain text, for the client to escape
    snippets = " ".join(result["snippets"])
    assert "<mark>冷链物流</mark>" in snippets
    assert SCRIPT not in snippets and "&lt;script&gt;" in snippets
    hostile_query = staff_client.get("/api/search/", {"q": HOSTILE_QUERY})
    assert hostile_query.status_code == 200
    assert SCRIPT not in " ".join(" ".join(r["snippets"]) for r in hostile_query.json()["results"])


def test_import_preview_result_and_history_escape_hostile_files(search_index, upload_dir, staff_client):
    upload = SimpleUploadedFile(f"{SCRIPT}.txt", HOSTILE_FILE.read_bytes(), content_type="text/plain")
    preview = staff_client.post(reverse("gazette:import"), {"files": [upload]})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert_escaped(html, "import preview")
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)

    progress = staff_client.post(reverse("gazette:import"), {"token": token})
    assert_escaped(staff_client.get(progress.url).content.decode(), "import progress, waiting", expect_script=False)
    jobs_run()
    assert_escaped(staff_client.get(progress.url).content.decode(), "import progress, done")
    assert Document.objects.count() == 1

    ImportRecordFactory(
        file_name=f'{SCRIPT}" onmouseover="x.txt', status=ImportRecord.Status.FAILED, error=f"失败{SCRIPT}"
    )
    history = staff_client.get(reverse("gazette:import-history")).content.decode()
    assert_escaped(history, "import history")


@pytest.mark.parametrize(
    "model", ["gazette/document", "gazette/issue", "gazette/importrecord", "policies/department", "policies/task"]
)
def test_admin_changelists_escape_hostile_text(hostile, staff_client, model):
    response = staff_client.get(f"/admin/{model}/", {"q": SCRIPT} if model != "policies/task" else {})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert not BROKEN_ATTRIBUTE.search(html)
    unfiltered = staff_client.get(f"/admin/{model}/").content.decode()
    if model != "gazette/issue":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in unfiltered, model
