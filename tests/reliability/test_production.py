"""The app served as the README says: gunicorn, production settings, collected static files.

Each test starts a real gunicorn (config/gunicorn.conf.py) on this test's PostgreSQL database
and index, with GONGBAO_HTTPS=0 since the test speaks plain http.
"""

from __future__ import annotations

import http.client
import re
import secrets
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client

from gazette.services import gazette_file_import
from tests.factories import UserFactory

from .conftest import PYTHON, ROOT
from .test_index_merges import QUERIES, gazette_variant

GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SECRET_KEY = secrets.token_urlsafe(50)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@dataclass
class Server:
    port: int
    log: Path
    cookie: str

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", quote(path, safe="/?=&%"), headers={"Cookie": self.cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_server(search_index, tmp_path, settings, subprocess_env):
    """gunicorn with production settings (plus /fault/) and a signed-in reader's cookie."""
    db = connection.settings_dict
    env = dict(subprocess_env)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.reliability.fault_settings",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        GONGBAO_INDEX_DIR=str(search_index),
        GONGBAO_STATIC_ROOT=str(tmp_path / "static"),
        GONGBAO_HTTPS="0",
    )
    collected = subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert collected.returncode == 0, collected.stderr
    # A session the server accepts: same database, same key.
    settings.SECRET_KEY = SECRET_KEY
    client = Client()
    client.force_login(UserFactory(username="reader"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--config", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = Server(port=port, log=log, cookie=cookie)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if server.get("/healthz/")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            assert process.poll() is None, server.log_text()
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_a_server_error_leaves_its_traceback_in_the_server_log(production_server):
    status, _, body = production_server.get("/fault/")

    assert status == 500
    assert b"DeliberateFault" not in body  # the visitor sees no internals
    time.sleep(0.5)
    log = production_server.log_text()
    assert "Internal Server Error: /fault/" in log
    assert "Traceback (most recent call last)" in log
    assert "DeliberateFault: a deliberate fault for the logging test" in log


def test_pages_load_their_hashed_stylesheets_and_carry_security_headers(production_server):
    status, headers, body = production_server.get("/")

    assert status == 200
    sheets = re.findall(rb'<link[^>]+href="(/static/[^"]+\.css)"', body)
    assert sheets, body[:500]
    for sheet in sheets:
        # Hashed by the manifest storage, served by WhiteNoise with far-future caching.
        assert re.search(rb"\.[0-9a-f]{12}\.css$", sheet), sheet
        sheet_status, sheet_headers, css = production_server.get(sheet.decode())
        assert sheet_status == 200
        assert sheet_headers["content-type"].startswith("text/css")
        assert "immutable" in sheet_headers["cache-control"]
        assert css
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-frame-options"] == "DENY"


def test_searches_answer_while_twelve_imports_merge_index_segments(production_server, fixture_bytes):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"))
    statuses: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_searching():
        try:
            while not stop.is_set():
                for q in QUERIES:
                    statuses.append(production_server.get(f"/api/search/?q={q}")[0])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    searchers = [threading.Thread(target=keep_searching) for _ in range(2)]
    for thread in searchers:
        thread.start()
    try:
        for n in range(1, 13):
            gazette_file_import(file_name=f"variant-{n}.txt", data=gazette_variant(fixture_bytes("000"), n))
    finally:
        stop.set()
        for thread in searchers:
            thread.join(timeout=60)

    assert errors == []
    failed = [s for s in statuses if s != 200]
    assert len(statuses) > 20
    assert failed == [], f"{len(failed)} of {len(statuses)} searches failed:\n{production_server.log_text()[-3000:]}"
    status, _, body = production_server.get("/api/search/?q=贺政办发〔2078〕146号")
    assert status == 200 and b'"count": 0' not in body


def test_deploy_checks_pass_under_production_settings(subprocess_env):
    env = dict(subprocess_env)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    env.pop("GONGBAO_HTTPS", None)
    # The browser tests set this in the test process (Playwright's sync API under pytest-django).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    result = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
