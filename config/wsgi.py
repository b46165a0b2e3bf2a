"""WSGI entry point (gunicorn config.wsgi -c config/gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# jieba's dictionary (about half a second to load) and the URL modules with the views they
# import are loaded here, not by the first request. With gunicorn's preload_app
# (config/gunicorn.conf.py) the master loads them once and every worker, a restarted one
# too, starts with them in memory shared with the master.
from django.urls import get_resolver  # noqa: E402

from search.analyzers import segmenter  # noqa: E402 — needs the app registry set up above

segmenter()
get_resolver().url_patterns  # noqa: B018 — imports config.urls and every app's views
