"""Follow-up in a real browser: 柳政办〔2023〕10号 read at desktop and phone width, progress recorded on
a task and seen on the department page and in the department's iCalendar feed."""

import re

import pytest
from playwright.sync_api import expect

from gazette.models import Document
from gazette.services import gazette_file_import
from policies.models import Department
from tests.factories import StaffFactory, UserFactory

from .conftest import PHONE

pytestmark = pytest.mark.browser

DESKTOP_1366 = {"width": 1366, "height": 900}


@pytest.fixture
def plan(live_server, settings, tmp_path, fixture_bytes) -> Document:
    """柳州市人民政府公报 2023年第14期 imported; its plan 柳政办〔2023〕10号 (94 tasks, two-level header)."""
    settings.GONGBAO_UPLOAD_DIR = tmp_path / "uploads"
    gazette_file_import(file_name="001.txt", data=fixture_bytes("001"), index=False)
    return Document.objects.with_issue().get(doc_code="柳政办", doc_year=2023, doc_seq=10)


def test_task_document_at_1366_keeps_its_two_level_header_and_its_summary_leads_to_the_task_table(
    new_page, plan, screenshot
):
    page = new_page(user=UserFactory(username="reader"), viewport=DESKTOP_1366)

    page.goto(plan.get_absolute_url())

    summary = page.get_by_role("region", name="任务概要")
    expect(summary).to_contain_text("本文件分解任务 94 项")
    expect(summary).to_contain_text("2022年12月31日 至 2023年12月31日")
    expect(summary.get_by_role("link", name="市市场监管局")).to_be_visible()
    outline = page.get_by_role("navigation", name="本文目录")
    expect(outline.get_by_role("link", name=re.compile("^一、进一步破除区域分割"))).to_be_visible()
    screenshot(page, "task-document")

    table = page.locator(".doc-body table.doc-table").first
    head = table.locator("thead")
    expect(head.locator('th[colspan="2"]')).to_have_text(["自治区", "柳州市"])
    expect(head.locator('th[rowspan="2"]').first).to_have_text("序号")
    expect(head.locator("tr").nth(1).locator("th")).to_have_text(["牵头单位", "配合单位", "牵头单位", "配合单位"])
    sections = table.locator("tr.doc-table-section")
    expect(sections).to_have_count(7)
    expect(sections.first).to_have_text("一、进一步破除区域分割和地方保护等不合理限制")
    width = table.evaluate("el => el.getBoundingClientRect().width")
    assert width >= 1000, f"the 9-column table is only {width}px wide on a 1366px screen"
    measure = table.locator("tbody tr").nth(1).locator("td").nth(2).evaluate("el => el.getBoundingClientRect().width")
    assert measure >= 120, f"the measure column is {measure}px: too narrow to read"

    outline.get_by_role("link", name=re.compile("^一、进一步破除区域分割")).click()
    expect(page).to_have_url(re.compile(r"#b\d+-r2$"))
    screenshot(page, "task-document-table")

    summary.get_by_role("link", name="查看任务分工表").click()
    expect(page).to_have_url(re.compile("#tasks-title$"))
    tasks = page.locator(".doc-tasks tbody tr")
    expect(tasks).to_have_count(94)
    expect(page.locator(".doc-tasks thead th")).to_have_text(
        ["序号", "任务", "牵头单位", "配合单位", "完成时限", "状态"]
    )
    expect(tasks.first.locator('td[data-label="时限"]')).to_contain_text("2023年12月31日到期")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= DESKTOP_1366["width"]


def test_task_document_on_a_phone_shows_each_task_as_a_card(new_page, plan, screenshot):
    page = new_page(
        user=UserFactory(username="reader"), viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )

    page.goto(plan.get_absolute_url())
    page.get_by_role("region", name="任务概要").get_by_role("link", name="查看任务分工表").click()

    card = page.locator(".doc-tasks tbody tr").first
    for label in ("任务", "牵头", "配合", "时限", "状态"):
        cell = card.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{label} is off screen: {box}"
    expect(card.locator('td[data-label="牵头"]')).to_contain_text("自治区市场监管局")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"page is {page_width}px wide on a {PHONE['width']}px phone"
    card.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")
    screenshot(page, "task-document-phone")


def test_progress_recorded_on_a_task_shows_on_the_department_page_and_in_its_calendar(new_page, plan, screenshot):
    supervisor = StaffFactory(username="supervisor")
    department = Department.objects.get(city="柳州市", name="市市场监管局")
    page = new_page(user=supervisor, viewport=DESKTOP_1366)

    page.goto(department.get_absolute_url() + "?q=一照多址")
    row = page.locator("table.department-tasks tbody tr:not(.task-group)").first
    expect(row).to_contain_text("开展“一照多址”改革")
    expect(row.locator('td[data-label="时限"]')).to_contain_text("2023年12月31日到期")
    expect(row.locator(".status")).to_have_text("逾期")  # the fixture's dates are past
    row.locator(".status").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("任务进展")
    form = page.locator("form.progress-form")
    expect(form.get_by_label("单位")).to_have_value(str(department.pk))
    form.get_by_label("已完成").check()
    form.get_by_label("说明").fill("全市已实现跨辖区“一照多址”登记。")
    screenshot(page, "task-progress", full_page=True)
    form.get_by_role("button", name="登记").click()

    expect(page).to_have_url(re.compile(rf"/departments/{department.pk}/\?q="))
    expect(page.get_by_role("status")).to_contain_text("已登记：市市场监管局 已完成")
    row = page.locator("table.department-tasks tbody tr:not(.task-group)").first
    expect(row.locator(".status")).to_have_text("已完成")
    expect(row).to_contain_text("报已完成：全市已实现跨辖区“一照多址”登记。")
    page.goto(department.get_absolute_url())
    counts = page.get_by_role("list", name="跟踪概况")
    expect(counts.get_by_role("link", name=re.compile(r"项已逾期"))).to_have_text(re.compile(r"^[1-9]\d* 项已逾期$"))
    page.get_by_role("heading", name="任务跟踪").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, document.querySelector('#tasks').getBoundingClientRect().top - 10)")
    screenshot(page, "department-follow-up")

    page.get_by_role("link", name="订阅到期日历和新任务").click()
    page.get_by_role("button", name="生成订阅令牌").click()
    calendar = page.get_by_role("link", name=re.compile(r"calendar\.ics$"))
    address = calendar.get_attribute("href")
    atom = page.get_by_role("link", name=re.compile(r"tasks\.atom$")).get_attribute("href")
    screenshot(page, "feed-token")

    outsider = new_page()  # a calendar has no session
    feed = outsider.request.get(address)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    ics = feed.text().replace("\r\n ", "")
    event = next(part for part in ics.split("BEGIN:VEVENT") if "一照多址" in part)
    assert "SUMMARY:【已完成】开展“一照多址”改革" in event
    assert "DTSTART;VALUE=DATE:20231231" in event
    assert "全市已实现跨辖区“一照多址”登记。" in event
    assert outsider.request.get(atom).text().count("<entry>") == 50

    page.get_by_role("button", name="撤销令牌").click()
    expect(page.get_by_role("status")).to_contain_text("订阅令牌已撤销")
    assert outsider.request.get(address).status == 403


def test_department_follow_up_on_a_phone_lists_task_cards(new_page, plan, screenshot):
    department = Department.objects.get(city="柳州市", name="市市场监管局")
    page = new_page(
        user=UserFactory(username="reader"), viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )

    page.goto(department.get_absolute_url() + "?sort=due")

    card = page.locator("table.department-tasks tbody tr:not(.task-group)").first
    for label in ("任务", "时限", "状态"):
        expect(card.locator(f'td[data-label="{label}"]')).to_be_visible()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"page is {page_width}px wide on a {PHONE['width']}px phone"
    page.evaluate("window.scrollBy(0, document.querySelector('#tasks').getBoundingClientRect().top - 10)")
    screenshot(page, "department-phone")
