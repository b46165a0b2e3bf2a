"""Local development and the quick start: DEBUG on, a fixed throwaway key, SQLite by default."""

from .base import *  # noqa: F403
from .base import ENV

# Debug pages are for a developer's own machine only.
DEBUG = ENV.get("DJANGO_DEBUG", "1") == "1"
# A dev-only key so the quick start needs no setup; production reads DJANGO_SECRET_KEY.
SECRET_KEY = ENV.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-for-local-use")
# Static files come from the app folders through WhiteNoise's finders; collectstatic is production's.
STATIC_ROOT = None
