"""Production: the secret key and database must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ENV

# Refuse to start without a real key rather than run with a guessable one.
SECRET_KEY = ENV.get("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY in the environment.")
# Behind a TLS-terminating proxy the session and CSRF cookies must be secure.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
