"""Browser fixtures: one Chromium per session, a live server, and a small imported library.

Playwright's sync API runs an event loop in this thread; Django would then refuse the
synchronous database calls the fixtures make, so they are allowed for these tests only.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from gazette.models import Document  # noqa: E402
from gazette.services import gazette_file_import  # noqa: E402
from tests.factories import StaffFactory, UserFactory  # noqa: E402

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "docs" / "screenshots"
PASSWORD = "pw-for-tests"
CHROMIUM = os.environ.get("GONGBAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (the Debian package; Playwright's download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (scripts/test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh contexts (desktop by default); every context is closed after the test."""
    contexts = []

    def open_page(*, user=None, viewport=DESKTOP, javascript=True, **options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="zh-CN",
            java_script_enabled=javascript,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot under docs/screenshots/ for the README and for design review."""

    def save(page, name: str, *, full_page: bool = False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return save


@dataclass
class Library:
    reader: object
    staff: object
    issue: object
    plan: Document  # 贺政办发〔2018〕146号, the cold-chain plan
    notice: Document  # 贺政办发〔2019〕20号, which cites the plan and holds a table


@pytest.fixture
def library(live_server, search_index, settings, tmp_path, fixture_bytes) -> Library:
    """Gazette 000 and a small issue citing its cold-chain plan, imported and indexed as staff do."""
    settings.GONGBAO_UPLOAD_DIR = tmp_path / "uploads"
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=True)
    outcome = gazette_file_import(
        file_name="citing_gazette.md", data=(HERE / "citing_gazette.md").read_bytes(), index=True
    )
    plan = Document.objects.with_issue().get(doc_code="贺政办发", doc_year=2018, doc_seq=146)
    return Library(
        reader=UserFactory(username="reader"),
        staff=StaffFactory(username="editor"),
        issue=plan.issue,
        plan=plan,
        notice=outcome.created[0],
    )
