"""The app as production runs it: config.wsgi under gunicorn with config/gunicorn.conf.py."""

import http.client
import socket
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import PYTHON

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

pytestmark = pytest.mark.django_db


def test_importing_the_wsgi_module_loads_jieba_before_any_request(subprocess_env):
    code = "import config.wsgi\nfrom search import analyzers\nprint(analyzers._active is not None)"

    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=subprocess_env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def test_gunicorn_with_the_project_config_preloads_the_app_and_serves_pages(subprocess_env, tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--config", "config/gunicorn.conf.py", "--log-level", "debug"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=subprocess_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            status = None
            while status is None and time.monotonic() < deadline and server.poll() is None:
                time.sleep(0.2)
                status = _get(port, "/login/")
        finally:
            server.terminate()
            server.wait(timeout=30)

    text = log.read_text(errors="replace")
    assert status == 200, text
    assert "preload_app: True" in text  # gunicorn's debug log lists the settings it read
    assert text.count("Booting worker") == 2
