"""Who may reach what: anonymous visitors only the login page, readers not the import or admin,
CSRF on every form, and uploads limited by size and type."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from gazette.models import ImportRecord
from tests.factories import DocumentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SMALL_GAZETTE = (
    "贺州市人民政府公报\n\n2019年第2期（总第52期）\n\n目 录\n\n"
    "贺州市人民政府办公室关于印发贺州市测试工作方案的通知(贺政办发〔2019〕20号) 1\n\n"
    "贺州市人民政府办公室关于印发贺州市测试工作方案的通知\n\n贺政办发〔2019〕20号\n\n"
    "各县（区）人民政府，市直各有关单位：\n\n现将《贺州市测试工作方案》印发给你们，请认真贯彻执行。\n\n"
    "贺州市人民政府办公室\n\n2019年3月20日\n"
).encode()

# <int:pk>, <path:object_id>, (?P<app_label>gazette|policies|auth) … → a value that resolves.
ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)")


def _sample_route(route: str) -> str:
    samples = {"int": "1", None: "1", "uuid": "00000000-0000-0000-0000-000000000001"}
    return ROUTE_PARAM.sub(lambda m: samples.get(m.group("conv"), "x"), route)


def _sample_regex(regex: str) -> str | None:
    def group(match):
        body = match.group("body")
        if "|" in body and not any(c in body for c in "\\[]*+"):
            return body.split("|")[0]
        return "1"

    text = REGEX_GROUP.sub(group, regex).lstrip("^").rstrip("$").replace("\\Z", "")
    return None if re.search(r"[\\()\[\]*+?]", text) else text


def every_url(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """One concrete path for every pattern in the urlconf (admin included)."""
    resolver = resolver or get_resolver()
    urls = []
    for pattern in resolver.url_patterns:
        raw = str(pattern.pattern)
        piece = _sample_regex(raw) if isinstance(pattern.pattern, RegexPattern) else _sample_route(raw)
        if piece is None:
            continue
        if isinstance(pattern, URLResolver):
            urls.extend(every_url(pattern, prefix + piece))
        elif isinstance(pattern, URLPattern):
            urls.append("/" + prefix + piece)
    return sorted(set(urls))


@pytest.fixture
def reader():
    client = Client()
    client.force_login(UserFactory(username="reader"))
    return client


def test_every_url_sends_an_anonymous_visitor_to_a_login_page(client):
    DocumentFactory()
    urls = every_url()
    assert len(urls) > 40 and "/documents/1/" in urls and "/admin/1" in urls and "/admin/gazette/importrecord/" in urls

    for url in urls:
        response = client.get(url)
        if url in ("/login/", "/admin/login/"):
            assert response.status_code == 200, url
        elif url.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.json()["error"] == "authentication required"
        elif url == "/healthz/":
            assert response.status_code == 200 and response.content == b"ok", url
        elif url == "/logout/":
            assert response.status_code in (302, 405), url
        elif "/feeds/" in url:
            # Calendars and feed readers have no session: a feed opens with its user's token, or not at all.
            assert response.status_code == 403 and "订阅地址无效或已撤销" in response.content.decode(), url
        elif url.startswith("/admin/"):
            assert response.status_code == 302, url
            assert response.url.startswith(("/admin/login/", "/login/")), url
        else:
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login") + "?next="), url


def test_stylesheets_are_served_to_anyone_and_nothing_else_under_static(client):
    # WhiteNoise serves static files from the app itself (production: collected and hashed);
    # a stylesheet is public, a path outside the static folders is not a file it knows.
    assert client.get("/static/css/gongbao.css").status_code == 200
    assert client.get("/static/../config/settings/base.py").status_code in (302, 404)
    assert client.get("/static/css/missing.css").status_code in (302, 404)


def test_reader_cannot_import_or_see_import_history(reader):
    assert reader.get(reverse("gazette:import")).status_code == 403
    assert reader.get(reverse("gazette:import-history")).status_code == 403
    upload = SimpleUploadedFile("small.txt", SMALL_GAZETTE, content_type="text/plain")
    assert reader.post(reverse("gazette:import"), {"files": [upload]}).status_code == 403
    assert reader.post(reverse("gazette:import"), {"token": "x" * 32}).status_code == 403
    assert not ImportRecord.objects.exists()


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/gazette/importrecord/", "/admin/auth/user/", "/admin/gazette/document/add/"]
)
def test_reader_cannot_reach_the_admin(reader, url):
    response = reader.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def _csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(user)
    return client


def test_login_without_a_csrf_token_is_refused():
    UserFactory(username="clerk")
    client = _csrf_client()

    assert client.post(reverse("login"), {"username": "clerk", "password": "pw-for-tests"}).status_code == 403
    assert client.post("/admin/login/", {"username": "clerk", "password": "pw-for-tests"}).status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_without_a_csrf_token_is_refused_and_keeps_the_session():
    client = _csrf_client(UserFactory())

    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_login_with_the_token_from_the_page_works():
    UserFactory(username="clerk")
    client = _csrf_client()
    page = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        reverse("login"), {"username": "clerk", "password": "pw-for-tests", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302 and response.url == reverse("home")


def test_import_and_admin_posts_without_a_csrf_token_are_refused(upload_dir):
    client = _csrf_client(StaffFactory(username="admin"))
    upload = SimpleUploadedFile("small.txt", SMALL_GAZETTE, content_type="text/plain")

    assert client.post(reverse("gazette:import"), {"files": [upload]}).status_code == 403
    assert client.post(reverse("gazette:import"), {"token": "x" * 32}).status_code == 403
    assert client.post("/admin/gazette/gazette/add/", {"name": "伪造公报", "kind": "gazette"}).status_code == 403
    assert client.post("/admin/logout/").status_code == 403
    assert not ImportRecord.objects.exists()


@pytest.mark.parametrize("url", ["/login/", "/import/", "/admin/login/", "/admin/gazette/gazette/add/"])
def test_every_post_form_carries_a_csrf_token(url):
    client = Client()
    if url != "/login/" and url != "/admin/login/":
        client.force_login(StaffFactory(username="admin"))
    html = client.get(url).content.decode()

    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S | re.I)
    assert forms, url
    assert all('name="csrfmiddlewaretoken"' in form for form in forms), url


def test_upload_over_the_size_limit_is_refused_with_a_message(staff_client, upload_dir, settings):
    settings.GONGBAO_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("big.txt", SMALL_GAZETTE, content_type="text/plain")

    response = staff_client.post(reverse("gazette:import"), {"files": [upload]})

    assert response.status_code == 400
    assert "文件过大" in response.content.decode() and "big.txt" in response.content.decode()
    assert not list(upload_dir.glob("*")) if upload_dir.exists() else True


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", b"MZ\x90\x00\x03" + bytes(range(256)) * 8, "只接受 PDF、Word"),
        ("gazette.exe", SMALL_GAZETTE, "只接受 PDF、Word"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16, "不是 UTF-8"),
        ("archive.md", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 16, "压缩包"),
    ],
)
def test_upload_of_the_wrong_type_is_refused_with_a_message(staff_client, upload_dir, name, data, message):
    upload = SimpleUploadedFile(name, data, content_type="text/plain")

    response = staff_client.post(reverse("gazette:import"), {"files": [upload]})

    html = response.content.decode()
    assert message in html and name in html
    assert "确认导入" not in html
    # Refused, and kept in the history with the reason.
    assert ImportRecord.objects.get(file_name=name).status == ImportRecord.Status.FAILED
