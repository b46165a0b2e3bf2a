"""Importing through the web page: dry-run preview first, then confirm, then the documents."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURES
from tests.factories import StaffFactory
from tests.gazette.worker import jobs_run

pytestmark = pytest.mark.browser


@pytest.fixture
def editor(live_server, search_index, settings, tmp_path):
    settings.GONGBAO_UPLOAD_DIR = tmp_path / "uploads"
    return StaffFactory(username="editor")


def test_upload_previews_then_confirm_imports_and_shows_the_documents(new_page, editor):
    (fixture,) = FIXTURES.glob("000_*.txt")
    page = new_page(user=editor)
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="导入").click()

    page.get_by_label("公报文件").set_input_files(str(fixture))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("导入预览")
    expect(page.get_by_text("以下是解析结果，尚未写入数据库。")).to_be_visible()
    preview = page.get_by_role("region", name=f"{fixture.name} 的文件").get_by_role("table")
    expect(preview.locator("tbody tr")).to_have_count(13)
    expect(preview.locator("tbody tr").nth(6)).to_contain_text("贺政办发〔2018〕146号")
    expect(page.locator(".facts")).to_contain_text("13 篇（新增 13 篇），任务 71 项")
    page.goto("/gazettes/")
    expect(page.get_by_role("link", name="贺州市人民政府公报")).to_have_count(0)
    page.go_back()

    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("导入进度")
    status = page.locator('[data-field="status"]')
    expect(status).to_have_text("等待处理")
    jobs_run()  # what the worker beside the web server does
    # The page follows without a reload: its script polls the JSON twin.
    expect(status).to_have_text("已导入")
    expect(page.locator('[data-field="documents_created"]')).to_have_text("13")
    expect(page.locator('[data-field="tasks_created"]')).to_have_text("71")
    expect(page.locator("#import-progress-summary")).to_have_text("共 1 个文件：已完成 1 个，处理中 0 个，失败 0 个。")
    created = page.locator("ol.created > li")
    expect(created).to_have_count(13)
    created.get_by_role("link", name=re.compile("加快发展冷链物流")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("加快发展冷链物流")
    expect(page.locator(".doc-tasks tbody tr")).to_have_count(17)

    page.goto("/search/?q=冷链物流")
    expect(page.locator(".hits > .hit").first.locator(".hit-title")).to_contain_text("加快发展冷链物流")


def test_without_javascript_the_progress_page_is_brought_up_to_date_by_its_refresh_link(new_page, editor):
    (fixture,) = FIXTURES.glob("001_*.txt")
    page = new_page(user=editor, javascript=False)
    page.goto("/import/")
    page.get_by_label("公报文件").set_input_files(str(fixture))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator('[data-field="status"]')).to_have_text("等待处理")

    jobs_run()
    page.get_by_role("link", name="刷新").click()

    expect(page.locator('[data-field="status"]')).to_have_text("已导入")
    expect(page.locator("ol.created > li")).to_have_count(9)


def test_uploading_the_same_file_again_changes_nothing(new_page, editor):
    (fixture,) = FIXTURES.glob("002_*.txt")
    page = new_page(user=editor)

    page.goto("/import/")
    page.get_by_label("公报文件").set_input_files(str(fixture))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("导入进度")
    jobs_run()

    # The second upload's dry run says it was imported before and offers nothing to confirm.
    page.goto("/import/")
    page.get_by_label("公报文件").set_input_files(str(fixture))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator(".verdict")).to_contain_text("已导入过：此文件已于")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    # Both uploads are in the history, the second with what came of it.
    page.goto("/import/history/")
    expect(page.get_by_role("row").filter(has_text=fixture.name)).to_have_count(2)
