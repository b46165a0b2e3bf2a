"""Searching in a real browser: highlighted hits, facets, no results."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_search_from_the_header_shows_hits_with_the_chinese_match_highlighted(new_page, library, screenshot):
    page = new_page(user=library.reader)
    page.goto("/gazettes/")

    page.get_by_role("search").first.get_by_role("searchbox").fill("冷链物流")
    page.get_by_role("search").first.get_by_role("button", name="检索").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=%E5%86%B7%E9%93%BE%E7%89%A9%E6%B5%81"))
    expect(page.locator(".search-count")).to_contain_text(re.compile(r"找到 \d+ 篇文件"))
    hits = page.locator(".hits > .hit")
    expect(hits.first.locator(".hit-title mark").first).to_have_text("冷链物流")
    plan = hits.filter(
        has=page.locator(".hit-title", has_text="贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案")
    )
    expect(plan).to_have_count(1)
    expect(plan.locator(".hit-title mark").first).to_have_text("冷链物流")
    expect(plan.locator(".snippet mark").first).to_have_text("冷链物流")
    expect(plan.locator(".hit-meta")).to_contain_text("贺政办发〔2018〕146号")
    mark_style = plan.locator(".snippet mark").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert mark_style not in ("rgba(0, 0, 0, 0)", "transparent")
    expect(page.get_by_role("complementary", name="筛选")).to_be_visible()
    screenshot(page, "search")


def test_search_by_doc_number_finds_that_document_first(new_page, library):
    page = new_page(user=library.reader)

    page.goto("/search/?q=贺政办发[2019]20号")

    first = page.locator(".hits > .hit").first
    expect(first.locator(".hit-title")).to_have_text("贺州市人民政府办公室关于做好冷链物流项目建设有关工作的通知")
    first.locator(".hit-title a").click()
    expect(page.locator(".doc-number-line")).to_have_text("贺政办发〔2019〕20号")


def test_a_facet_narrows_the_hits_and_can_be_cleared(new_page, library):
    page = new_page(user=library.reader)
    page.goto("/search/?q=冷链物流")
    before = page.locator(".hits > .hit").count()
    year = page.get_by_role("complementary", name="筛选").locator(".facet", has_text="年份")
    value = year.locator(".facet-value", has_text="2019")
    expected = int(value.locator(".facet-count").inner_text())

    value.get_by_role("link").click()

    expect(page).to_have_url(re.compile(r"year=2019"))
    expect(page.locator(".hits > .hit")).to_have_count(expected)
    assert 0 < expected < before
    selected = page.locator(".facet-value.is-selected a")
    expect(selected.first).to_have_attribute("aria-current", "true")
    selected.first.click()
    expect(page.locator(".hits > .hit")).to_have_count(before)


def test_no_results_says_so_and_suggests_what_to_try(new_page, library):
    page = new_page(user=library.reader)

    page.goto("/search/?q=量子计算机")

    expect(page.locator(".search-count")).to_have_text("找到 0 篇文件")
    expect(page.get_by_role("heading", name="没有找到符合条件的文件")).to_be_visible()
