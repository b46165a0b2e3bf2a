"""Test settings: PostgreSQL always (never SQLite), a fast password hasher, a fixed key."""

import tempfile

from .base import *  # noqa: F403
from .base import ENV

# Tests run on the real database; conftest.py fails loudly if it cannot be reached.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": ENV.get("GONGBAO_TEST_DB_NAME", "gongbao"),
        "USER": ENV.get("PGUSER", "postgres"),
        "PASSWORD": ENV.get("PGPASSWORD", ""),
        "HOST": ENV.get("PGHOST", "127.0.0.1"),
        "PORT": ENV.get("PGPORT", "5432"),
        "TEST": {"NAME": ENV.get("GONGBAO_TEST_DB_NAME", "test_gongbao")},
    }
}
# Tests need a key but no secret.
SECRET_KEY = "test-only-key"
# Hashing passwords slowly only slows the suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test session gets its own index; conftest points tests at a per-test temp dir.
GONGBAO_INDEX_DIR = __import__("pathlib").Path(tempfile.mkdtemp(prefix="gongbao-index-"))
# Whoosh, whatever GONGBAO_SEARCH_ENGINE says: tests/search runs its tests on OpenSearch too,
# each with an index of its own (tests/search/conftest.py).
GONGBAO_SEARCH_ENGINE = "whoosh"
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.engines.haystack.EngineSearchEngine",
        "PATH": str(GONGBAO_INDEX_DIR),
    },
}
# Static files come from the app folders through WhiteNoise's finders; collectstatic is production's.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
