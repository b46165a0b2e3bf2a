"""gunicorn settings: `gunicorn config.wsgi --config config/gunicorn.conf.py [--bind … --workers …]`.

Options given on the command line (or in GUNICORN_CMD_ARGS) override these.
"""

# The master imports config.wsgi (Django and jieba's dictionary) before forking, so a
# worker answers its first search without loading them, and shares their memory.
preload_app = True
# Three workers suit two cores.
workers = 3
bind = "127.0.0.1:8000"
# Imports run in the job worker (scripts/serve starts it beside gunicorn), never in a
# request; a request that takes this long is stuck, and its worker is replaced.
timeout = 60
# Workers are replaced now and then so memory cannot creep; preloading makes that cheap.
max_requests = 2000
max_requests_jitter = 200
# One line per request on stdout, beside the application's log (config/settings/base.py LOGGING).
accesslog = "-"
