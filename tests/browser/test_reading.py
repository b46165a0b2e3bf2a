"""Reading in a real browser: sign in, gazette → issue → document, citations both ways."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, PHONE

pytestmark = pytest.mark.browser


def test_sign_in_through_the_login_form_lands_on_the_page_asked_for(new_page, library):
    page = new_page()

    page.goto("/gazettes/")

    expect(page).to_have_url(re.compile(r"/login/\?next=/gazettes/"))
    page.get_by_label("用户名").fill("reader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/gazettes/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("公报")
    expect(page.get_by_role("button", name="退出（reader）")).to_be_visible()
    expect(page.get_by_role("link", name="贺州市人民政府公报")).to_be_visible()


def test_wrong_password_is_refused_with_a_message(new_page, library):
    page = new_page()
    page.goto("/login/")

    page.get_by_label("用户名").fill("reader")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确，请重试。")


def test_issue_shows_its_table_of_contents_with_page_numbers(new_page, library, screenshot):
    page = new_page(user=library.reader)

    page.goto("/gazettes/")
    page.get_by_role("link", name="贺州市人民政府公报").click()
    page.get_by_role("link", name=re.compile(r"^第1期")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2019年第1期")
    toc = page.locator(".toc-list > li")
    expect(toc).to_have_count(13)
    cold_chain = toc.filter(has_text="贺政办发〔2018〕146号")
    expect(cold_chain.locator(".toc-page")).to_have_text("22")
    expect(cold_chain.locator(".badge")).to_have_text("任务 17")
    expect(toc.first.locator(".toc-page")).to_have_text("1")
    screenshot(page, "issue", full_page=True)

    cold_chain.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案"
    )


def test_document_shows_body_structure_a_real_table_and_its_tasks(new_page, library, screenshot):
    page = new_page(user=library.reader)

    page.goto(library.notice.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "贺州市人民政府办公室关于做好冷链物流项目建设有关工作的通知"
    )
    expect(page.locator(".doc-number-line")).to_have_text("贺政办发〔2019〕20号")
    body = page.locator(".doc-body")
    expect(body.get_by_role("heading", level=2)).to_have_text(["一、加快项目建设", "二、项目清单"])
    table = body.get_by_role("table")
    expect(table.locator("thead th")).to_have_text(["序号", "项目名称", "建设单位", "完成时限"])
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(1).locator("td")).to_have_text(
        ["2", "平桂区冷链配送中心", "平桂区人民政府", "2020年6月"]
    )
    expect(page.locator(".doc-signature")).to_contain_text("贺州市人民政府办公室")

    tasks = page.get_by_role("region", name="任务分工（2 项）").get_by_role("table")
    rows = tasks.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("td").nth(2)).to_have_text("市商务局")
    expect(rows.first.locator("td").nth(3)).to_contain_text("市农业局")
    screenshot(page, "document", full_page=True)

    rows.first.get_by_role("link", name=re.compile("建设产地冷库")).click()
    expect(page).to_have_url(re.compile(r"#"))
    expect(page.locator(":target")).to_contain_text("在农产品主产区建设一批产地预冷库和冷藏库")


def test_cited_document_link_leads_to_the_plan_which_links_back(new_page, library):
    page = new_page(user=library.reader)
    page.goto(library.notice.get_absolute_url())

    page.locator(".doc-body").get_by_role("link", name="贺政办发〔2018〕146号").click()

    expect(page).to_have_url(re.compile(rf"/documents/{library.plan.pk}/$"))
    links = page.get_by_role("region", name="关联文件")
    expect(links.get_by_role("heading", name="被以下文件引用")).to_be_visible()
    back = links.get_by_role("link", name="贺州市人民政府办公室关于做好冷链物流项目建设有关工作的通知")
    back.click()
    expect(page).to_have_url(re.compile(rf"/documents/{library.notice.pk}/$"))
    expect(page.get_by_role("region", name="关联文件").get_by_role("heading", name="本文引用")).to_be_visible()


def test_document_fits_a_phone_screen_and_its_tables_scroll_inside_the_page(new_page, library, screenshot):
    page = new_page(user=library.reader, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)

    page.goto(library.notice.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"page is {page_width}px wide on a {PHONE['width']}px phone"
    # The task table is a list of cards on a phone, its 牵头 on screen (tests/browser/test_followup.py).
    lead = page.locator(".doc-tasks tbody tr").first.locator('td[data-label="牵头"]')
    expect(lead).to_be_visible()
    box = lead.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], f"牵头 is off screen: {box}"
    screenshot(page, "document-phone", full_page=True)


def test_reading_and_searching_work_without_javascript(new_page, library):
    page = new_page(user=library.reader, javascript=False)

    page.goto("/")
    page.get_by_role("searchbox", name="关键词或文号").fill("冷链物流")
    page.get_by_role("button", name="检索").last.click()

    expect(page).to_have_url(re.compile(r"/search/\?q="))
    hits = page.locator(".hits > .hit")
    expect(hits.first.locator("mark").first).to_have_text("冷链物流")
    page.locator(".hit-title a", has_text="加快发展冷链物流").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("加快发展冷链物流")
    expect(page.locator(".doc-tasks tbody tr")).to_have_count(17)

    page.get_by_role("link", name="本期目录").click()
    expect(page.locator(".toc-list > li")).to_have_count(13)
    page.get_by_role("link", name=re.compile("^下一期")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2019年第2期")
    # The search form's date options are a <details>, which opens without script.
    page.goto("/search/?q=%E5%86%B7%E9%93%BE")
    page.get_by_text("日期与排序").click()
    expect(page.get_by_label("排序")).to_be_visible()
