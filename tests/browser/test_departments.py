"""The department registry in a real browser: an admin works the review queue, a reader never sees it."""

import re

import pytest
from playwright.sync_api import expect

from gazette.importer.records import TaskRecord
from policies.models import Department
from policies.services import document_tasks_save
from tests.factories import DocumentFactory, GazetteFactory, IssueFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def liuzhou(live_server):
    """Two 柳州 plans: one names 市发展改革委, a later one misspells it 市发改改革委 (waiting for review)."""
    gazette = GazetteFactory(name="柳州市人民政府公报", city="柳州市")
    for title, name in (("重大项目建设实施方案", "市发展改革委"), ("平陆运河建设任务分解表", "市发改改革委")):
        document = DocumentFactory(
            issue=IssueFactory(gazette=gazette),
            title=f"柳州市人民政府办公室关于印发{title}的通知",
            issuer="柳州市人民政府办公室",
        )
        tasks = [TaskRecord(text=f"{title}：按期完成年度投资。", lead=[name], support=["市财政局"], block_index=0)]
        document_tasks_save(document=document, tasks=tasks, city="柳州市")
    return Department.objects.get(name="市发改革委"), Department.objects.get(name="市发展改革委")


def test_admin_merges_a_misspelt_body_from_the_review_queue(new_page, liuzhou, screenshot):
    typo, right = liuzhou
    page = new_page(user=StaffFactory(username="registrar"))

    page.goto("/departments/")
    page.get_by_role("link", name="待审核的单位名称 1 个").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("待审核的单位名称")
    entry = page.locator(f"#department-{typo.pk}")
    expect(entry.get_by_role("heading", level=2)).to_contain_text("市发改革委")
    expect(entry.get_by_role("link", name=re.compile("平陆运河建设任务分解表：按期完成年度投资"))).to_be_visible()
    match = entry.get_by_role("row").filter(has_text="名称相近")
    expect(match.get_by_role("link", name="市发展改革委")).to_be_visible()
    screenshot(page, "department-review", full_page=True)

    match.get_by_role("button", name="并入“市发展改革委”").click()

    expect(page).to_have_url(re.compile(r"/departments/review/$"))
    expect(page.get_by_role("status")).to_contain_text("已将“市发改革委”并入“市发展改革委”")
    expect(page.get_by_text("没有待审核的单位名称。")).to_be_visible()

    page.goto(right.get_absolute_url())
    expect(page.get_by_role("heading", name="别名与曾用名")).to_be_visible()
    expect(page.locator(".aliases")).to_contain_text("市发改革委")
    tasks = page.locator("table.tasks tbody tr:not(.task-group)")  # a header row per source document
    expect(tasks).to_have_count(2)
    expect(tasks.filter(has_text="平陆运河建设任务分解表")).to_be_visible()


def test_admin_accepts_a_new_body_without_javascript(new_page, liuzhou):
    typo, _ = liuzhou
    page = new_page(user=StaffFactory(username="registrar"), javascript=False)

    page.goto("/departments/review/")
    page.locator(f"#department-{typo.pk}").get_by_role("button", name="确认为新单位").click()

    expect(page.get_by_role("status")).to_contain_text("已确认“市发改革委”为新单位")
    typo.refresh_from_db()
    assert not typo.review


def test_a_reader_sees_the_registry_by_level_but_not_the_queue(new_page, liuzhou):
    page = new_page(user=UserFactory(username="reader"))

    page.goto("/departments/")

    liuzhou_section = page.locator("section").filter(has=page.get_by_role("heading", name="柳州市", exact=True))
    expect(liuzhou_section.locator("caption").first).to_have_text("市级")
    expect(liuzhou_section.get_by_role("link", name="市发展改革委")).to_be_visible()
    expect(page.get_by_text("待审核的单位名称")).to_have_count(0)
    response = page.goto("/departments/review/")
    assert response.status == 403
