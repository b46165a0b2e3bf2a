"""Keyboard use: the skip link comes first and moves focus to the content; focus is visible."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_first_tab_reaches_the_visible_skip_link_which_jumps_to_the_content(new_page, library):
    page = new_page(user=library.reader)
    page.goto(library.plan.get_absolute_url())

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0, "the focused skip link must be on screen"
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"

    page.keyboard.press("Enter")

    expect(page).to_have_url(page.url.split("#")[0] + "#main")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused, "after skipping, the next Tab stays in the content"


def test_focused_links_show_an_outline(new_page, library):
    page = new_page(user=library.reader)
    page.goto(library.issue.get_absolute_url())

    link = page.locator(".toc-list a").first
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")

    expect(link).to_be_focused()
    assert link.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
