"""Settings shared by every environment; dev, test and production import this and override.

The environment is read here and only here.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

ENV = os.environ

SECRET_KEY = ENV.get("DJANGO_SECRET_KEY", "")
DEBUG = ENV.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in ENV.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "haystack",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gazette",
    "policies",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from gunicorn itself, compressed and with far-future caching (production
    # stores them hashed); no proxy rule or runserver needed for a styled site.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an over-large request body before CsrfViewMiddleware reads it (needs the user).
    "gazette.uploads.UploadLimitMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name
# from one address, that pair is locked out for the cool-off time; other users are not.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(ENV.get("GONGBAO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(ENV.get("GONGBAO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Content Security Policy (django-csp): every script, stylesheet, font and image is our own
# file; no inline script or style, no other origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The quick start runs on SQLite in the project folder; PostgreSQL is the real database
# and is chosen with DATABASE_URL=postgres://user@host:port/name.
DATABASES = {
    "default": dj_database_url.parse(ENV.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(ENV.get("GONGBAO_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# Production swaps in WhiteNoise's hashed, compressed storage (collectstatic first).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded gazettes are kept as bytes in the database (ImportRecord.data), never as
# user-named files. An upload (all its files) and each file are capped; UploadLimitMiddleware
# refuses a larger request before its body is read.
GONGBAO_MAX_UPLOAD_BYTES = int(ENV.get("GONGBAO_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
GONGBAO_MAX_FILE_BYTES = int(ENV.get("GONGBAO_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = GONGBAO_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Search: the engine chosen under "scale-out" below, with jieba (see search/analyzers.py).
# The Whoosh index lives in var/ unless GONGBAO_INDEX_DIR says otherwise; the jieba
# dictionary sits beside it (on either engine) and jieba's cache where GONGBAO_JIEBA_CACHE says.
GONGBAO_INDEX_DIR = Path(ENV.get("GONGBAO_INDEX_DIR", str(BASE_DIR / "var" / "whoosh_index")))
GONGBAO_JIEBA_CACHE = Path(ENV.get("GONGBAO_JIEBA_CACHE", str(BASE_DIR / "var" / "jieba.cache")))
# Index explicitly after an import commits (gazette.services), never per save.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

# Everything goes to the console (gunicorn and the worker pass it on to the service's log),
# with the traceback of every error: django.request logs each 500 with exc_info, in every
# environment (Django's default shows it only with DEBUG on or mails it to ADMINS).
LOG_LEVEL = ENV.get("GONGBAO_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(name)s] pid=%(process)d %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # 4xx responses are a visitor's business; 5xx are logged as errors with the traceback.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        **{
            app: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
            for app in ("gazette", "policies", "search", "config")
        },
    },
}

# --- search ---
# How long an index writer waits for another (an import, update_index) before giving up, in seconds.
GONGBAO_INDEX_LOCK_TIMEOUT = int(ENV.get("GONGBAO_INDEX_LOCK_TIMEOUT", "600"))

# --- scale-out ---
# One machine: the Whoosh engine, index files in GONGBAO_INDEX_DIR. A province: PostgreSQL
# (DATABASE_URL) and an OpenSearch cluster, chosen here alone: GONGBAO_SEARCH_ENGINE=opensearch
# and GONGBAO_OPENSEARCH_URL=https://user:pass@search.internal:9200 (docs/scale-out.md).
# search.engines.engine() reads these; haystack's commands reach the same engine.
GONGBAO_SEARCH_ENGINE = ENV.get("GONGBAO_SEARCH_ENGINE", "whoosh")
if GONGBAO_SEARCH_ENGINE not in ("whoosh", "opensearch"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"GONGBAO_SEARCH_ENGINE must be whoosh or opensearch, not {GONGBAO_SEARCH_ENGINE!r}.")
GONGBAO_OPENSEARCH_URL = ENV.get("GONGBAO_OPENSEARCH_URL", "http://127.0.0.1:9200")
# An alias: a rebuild fills a new index behind it and switches it over.
GONGBAO_OPENSEARCH_INDEX = ENV.get("GONGBAO_OPENSEARCH_INDEX", "gongbao")
# Taken when an index is created (a rebuild); replicas can be changed on a live index.
GONGBAO_OPENSEARCH_SHARDS = int(ENV.get("GONGBAO_OPENSEARCH_SHARDS", "1"))
GONGBAO_OPENSEARCH_REPLICAS = int(ENV.get("GONGBAO_OPENSEARCH_REPLICAS", "0"))
GONGBAO_OPENSEARCH_TIMEOUT = int(ENV.get("GONGBAO_OPENSEARCH_TIMEOUT", "10"))
# At most this many hits from ranked_ids(); searches page through the engine and count every match.
GONGBAO_OPENSEARCH_MAX_HITS = int(ENV.get("GONGBAO_OPENSEARCH_MAX_HITS", "10000"))
# PATH: the Whoosh index folder; the jieba dictionary sits beside it on either engine.
HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "search.engines.haystack.EngineSearchEngine", "PATH": str(GONGBAO_INDEX_DIR)},
}

# --- jobs ---
# Imports and indexing run as background jobs (gazette.tasks) kept in this database and run
# by `manage.py jobs_worker`; scripts/serve starts it beside gunicorn.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Waits before each retry of a failed indexing job, in seconds (then index_check repairs it).
GONGBAO_INDEX_RETRY_SECONDS = [30, 120, 600]
# How often the worker runs check_index --fix (gazette.tasks.index_check), in seconds.
GONGBAO_INDEX_CHECK_SECONDS = int(ENV.get("GONGBAO_INDEX_CHECK_SECONDS", "3600"))
