"""Every main page fits a phone's width: nothing but tables scrolls sideways."""

import os

import pytest

from .conftest import PHONE

pytestmark = pytest.mark.browser

REVIEW = os.environ.get("GONGBAO_REVIEW_SHOTS")


def test_main_pages_fit_a_phone_without_sideways_scrolling(new_page, library):
    page = new_page(user=library.staff, viewport=PHONE, is_mobile=True, has_touch=True)
    paths = {
        "home": "/",
        "gazettes": "/gazettes/",
        "gazette": library.issue.gazette.get_absolute_url(),
        "issue": library.issue.get_absolute_url(),
        "plan": library.plan.get_absolute_url(),
        "search": "/search/?q=冷链物流",
        "search-empty": "/search/",
        "departments": "/departments/",
        "import": "/import/",
    }
    too_wide = {}
    for name, path in paths.items():
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
        if REVIEW:
            page.screenshot(path=f"{REVIEW}/{name}-phone.png", full_page=True)
    assert too_wide == {}


def test_printed_document_leaves_out_navigation_and_keeps_the_tables(new_page, library):
    page = new_page(user=library.reader)
    page.goto(library.notice.get_absolute_url())

    page.emulate_media(media="print")

    assert page.locator(".site-header").is_hidden()
    assert page.locator(".breadcrumbs").is_hidden()
    assert page.locator(".doc-body table").is_visible()
    assert page.locator(".doc-tasks table").is_visible()
