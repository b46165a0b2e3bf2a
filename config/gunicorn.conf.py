"""gunicorn settings: `gunicorn config.wsgi -c config/gunicorn.conf.py`.

GUNICORN_WORKERS and GUNICORN_BIND override the defaults (three workers suit two cores).
"""

import os

# The master imports config.wsgi (Django and jieba's dictionary) before forking, so a
# worker answers its first search without loading them, and shares their memory.
preload_app = True
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# An import of a large gazette runs in the request; the search index waits for its lock.
timeout = 120
# Workers are replaced now and then so memory cannot creep; preloading makes that cheap.
max_requests = 2000
max_requests_jitter = 200
