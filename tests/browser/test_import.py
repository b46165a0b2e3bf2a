"""Importing through the web page: dry-run preview first, then confirm, then the documents."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURES
from tests.factories import StaffFactory

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

    expect(page.get_by_role("heading", level=1)).to_have_text("导入结果")
    expect(page.locator(".success")).to_contain_text("新建 13 篇，关联已有 0 篇")
    created = page.locator(".result ol > li")
    expect(created).to_have_count(13)
    created.get_by_role("link", name=re.compile("加快发展冷链物流")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("加快发展冷链物流")
    expect(page.locator(".doc-tasks tbody tr")).to_have_count(17)

    page.goto("/search/?q=冷链物流")
    expect(page.locator(".hits > .hit").first.locator(".hit-title")).to_contain_text("加快发展冷链物流")


def test_uploading_the_same_file_again_changes_nothing(new_page, editor):
    (fixture,) = FIXTURES.glob("002_*.txt")
    page = new_page(user=editor)

    for _ in range(2):
        page.goto("/import/")
        page.get_by_label("公报文件").set_input_files(str(fixture))
        page.get_by_role("button", name="上传并预览").click()
        page.get_by_role("button", name="确认导入").click()

    expect(page.locator(".notice")).to_have_text("未变更：此文件已导入过。")
