"""Shared fixtures. Tests use real PostgreSQL and a real Whoosh index in a temp dir."""

from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def pytest_configure(config):
    """Fail the whole run at once, with a clear message, if PostgreSQL is not reachable."""
    db = settings.DATABASES["default"]
    try:
        psycopg2.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"],
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg2.OperationalError as exc:
        raise pytest.UsageError(
            f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT']} as {db['USER']!r}: {exc}. "
            "Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
            "or set PGHOST/PGPORT/PGUSER. Tests never fall back to SQLite."
        ) from exc


@pytest.fixture
def fixture_bytes():
    """Bytes of a real gazette file in fixtures/, by name prefix ('000', '001', ...)."""

    def read(prefix: str) -> bytes:
        (path,) = FIXTURES.glob(f"{prefix}_*.txt")
        return path.read_bytes()

    return read


@pytest.fixture
def search_index(settings, tmp_path):
    """A fresh, empty index in a temp dir for this test, on the engine the settings choose."""
    from haystack import connections

    path = tmp_path / "whoosh"
    settings.HAYSTACK_CONNECTIONS = {"default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(path)}}
    connections.reload("default")
    yield path
    connections.reload("default")
