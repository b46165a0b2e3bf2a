"""Production: the secret key and database come from the environment; HTTPS unless told otherwise.

The environment is read in base.py (ENV); README "Serving it" lists every variable.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ENV, STORAGES

# Refuse to start without a real key rather than run with a guessable one.
SECRET_KEY = ENV.get("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY in the environment (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
# Production data lives in PostgreSQL; the SQLite default is for the quick start only.
if "DATABASE_URL" not in ENV:
    raise ImproperlyConfigured("Set DATABASE_URL, e.g. postgres://gongbao:PASSWORD@127.0.0.1:5432/gongbao.")

# Hashed, compressed static files (manage.py collectstatic) served by WhiteNoise with
# far-future caching; a missing file fails collectstatic instead of a page at run time.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

# GONGBAO_HTTPS=1 (the default) when the site is reached over HTTPS, normally through a
# TLS-terminating proxy that sets X-Forwarded-Proto: secure cookies, HSTS, and http → https.
# GONGBAO_HTTPS=0 only to try the production settings over plain http on one's own machine
# (`check --deploy` then rightly warns about each of these).
HTTPS = ENV.get("GONGBAO_HTTPS", "1") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(ENV.get("GONGBAO_HSTS_SECONDS", str(365 * 24 * 3600))) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    # Trust the proxy's word that the visitor used https; the proxy must set (not pass on) it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxy (or a load balancer's health check) may reach us as 127.0.0.1 over http.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
