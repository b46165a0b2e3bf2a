"""Upload size limits (refused before the body is read) and the import page's small bugs."""

from __future__ import annotations

import re
import socket

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gazette.models import ImportRecord
from tests.factories import UserFactory
from tests.gazette.worker import jobs_run

from .test_import_views import SMALL_GAZETTE

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
HUGE = str(300 * MB)


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path, search_index):
    settings.GONGBAO_UPLOAD_DIR = tmp_path / "uploads"


def importer_client(username="importer") -> Client:
    user = UserFactory(username=username)
    user.user_permissions.add(Permission.objects.get(codename="add_issue", content_type__app_label="gazette"))
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    # filesizeformat keeps a size on one line with a no-break space.
    return response.content.decode().replace("\xa0", " ")


def claimed_post(client: Client, url: str, length: str):
    """A POST whose Content-Length claims `length` bytes but carries a few: reading the body would fail the test."""
    return client.post(url, data=b"x" * 10, content_type="multipart/form-data; boundary=b", CONTENT_LENGTH=length)


def test_an_anonymous_300_mb_post_is_refused_before_its_body_is_read(client):
    response = claimed_post(client, reverse("gazette:import"), HUGE)

    assert response.status_code == 413
    assert "请求内容过大" in response.content.decode()


def test_a_300_mb_post_to_the_login_page_is_refused_before_csrf_reads_it():
    client = Client(enforce_csrf_checks=True)

    response = claimed_post(client, reverse("login"), HUGE)

    assert response.status_code == 413


def test_a_reader_without_the_import_permission_cannot_send_a_large_body(client):
    client.force_login(UserFactory(username="reader"))

    response = claimed_post(client, reverse("gazette:import"), str(20 * MB))

    assert response.status_code == 413


def test_an_importers_upload_over_the_upload_limit_is_refused_with_the_form_and_a_chinese_message():
    response = claimed_post(importer_client(), reverse("gazette:import"), str(60 * MB))

    html = page_text(response)
    assert response.status_code == 413
    assert "超过每次上传的上限 50.0 MB" in html and "每个文件不超过 10.0 MB" in html and "请分批上传" in html
    assert 'type="file"' in html  # the form, to try again
    assert not ImportRecord.objects.exists()


def test_the_limits_are_settings(settings):
    settings.GONGBAO_MAX_UPLOAD_BYTES = 5 * MB

    response = claimed_post(importer_client(), reverse("gazette:import"), str(6 * MB))

    assert response.status_code == 413 and "上限 5.0 MB" in page_text(response)


def test_a_file_over_the_file_limit_is_refused_naming_it(settings):
    settings.GONGBAO_MAX_FILE_BYTES = 1000
    files = [
        SimpleUploadedFile("small.txt", SMALL_GAZETTE.encode()[:900], content_type="text/plain"),
        SimpleUploadedFile("big.txt", SMALL_GAZETTE.encode() * 3, content_type="text/plain"),
    ]

    response = importer_client().post(reverse("gazette:import"), {"files": files})

    html = page_text(response)
    assert response.status_code == 400
    assert "big.txt：文件过大" in html and "每个文件的上限为 1000 字节" in html
    assert "small.txt：文件过大" not in html


def test_files_together_over_the_upload_limit_are_refused(settings):
    settings.GONGBAO_MAX_UPLOAD_BYTES = 1000  # each file is 528 bytes
    files = [SimpleUploadedFile(f"{n}.txt", SMALL_GAZETTE.encode(), content_type="text/plain") for n in "ab"]

    response = importer_client().post(reverse("gazette:import"), {"files": files})

    html = page_text(response)
    assert response.status_code == 400
    assert "超过每次上传的上限 1000 字节" in html and "a.txt、b.txt" in html


@pytest.mark.django_db(transaction=True)
def test_a_real_server_answers_an_oversized_upload_without_waiting_for_its_body(live_server):
    """Headers claiming 300 MB, then nothing: the server must answer without reading a byte of body."""
    host, port = live_server.url.removeprefix("http://").split(":")
    request = (
        f"POST /import/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {HUGE}\r\nCookie: csrftoken=abcdefghijklmnopqrstuvwxyz012345\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = connection.recv(4096).decode("utf-8", "replace")

    assert answer.startswith("HTTP/1.1 413")


def test_an_empty_upload_form_is_shown_again_with_an_error():
    response = importer_client().post(reverse("gazette:import"), {"gazette_name": ""})

    html = response.content.decode()
    assert response.status_code == 400
    assert "请选择至少一个公报文件。" in html
    assert "导入预览" not in html and 'type="file"' in html


def dry_run_token(client: Client) -> str:
    preview = client.post(reverse("gazette:import"), {"files": [SimpleUploadedFile("s.txt", SMALL_GAZETTE.encode())]})
    return re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)


def test_a_second_admin_confirming_a_file_another_admin_just_imported_is_told_it_is_imported():
    first, second = importer_client("first-admin"), importer_client("second-admin")
    first_token, second_token = dry_run_token(first), dry_run_token(second)
    first.post(reverse("gazette:import"), {"token": first_token})
    jobs_run()

    response = second.post(reverse("gazette:import"), {"token": second_token})

    html = response.content.decode()
    assert response.status_code == 409
    assert "此文件已由 first-admin 于" in html and "导入（导入记录 #" in html and "无需重复导入" in html
    assert "已不在服务器上" not in html
    assert ImportRecord.objects.count() == 1


def test_a_second_admin_confirming_while_the_first_import_waits_is_told_it_is_being_imported():
    first, second = importer_client("first-admin"), importer_client("second-admin")
    first_token, second_token = dry_run_token(first), dry_run_token(second)
    first.post(reverse("gazette:import"), {"token": first_token})

    html = second.post(reverse("gazette:import"), {"token": second_token}).content.decode()

    assert "此文件已由 first-admin 于" in html and "正在处理" in html
    assert ImportRecord.objects.count() == 1


def test_the_api_401_names_the_login_url_to_come_back_to(client):
    response = client.get("/api/search/", {"q": "冷链物流"})

    assert response.status_code == 401
    assert response.json() == {
        "error": "authentication required",
        "login": "/login/?next=%2Fapi%2Fsearch%2F%3Fq%3D%25E5%2586%25B7%25E9%2593%25BE%25E7%2589%25A9%25E6%25B5%2581",
    }


def test_messages_a_web_user_reads_name_no_command_line_flags(settings, monkeypatch):
    import search.indexing
    from gazette.services import gazette_file_import

    monkeypatch.setattr(search.indexing, "documents_index", lambda **kwargs: 1 / 0)
    no_name = SMALL_GAZETTE.replace("贺州市人民政府公报\n", "", 1).encode()
    outcome = gazette_file_import(file_name="no-name.txt", data=no_name, gazette_name=None)

    record = ImportRecord.objects.get()
    shown = " ".join([record.error, *record.messages, *outcome.messages])
    assert "检索索引更新失败" in shown and "未识别出公报名称" in shown
    assert "--" not in shown and "manage.py" not in shown
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", shown.replace("ZeroDivisionError: division by zero", ""))
