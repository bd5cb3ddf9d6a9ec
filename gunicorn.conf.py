"""Gunicorn's configuration for KispFam: ``gunicorn -c gunicorn.conf.py kispfam.wsgi``.

Threaded workers (gthread): a request that waits for PostgreSQL or a file keeps one thread,
not a whole process, and a long request does not get its worker killed. Every value can
be set from the environment (``GUNICORN_*``) without editing this file.
"""

import os


def _env(name: str, default: int) -> int:
    return int(os.environ.get(f"GUNICORN_{name}", default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
worker_class = "gthread"
# Two processes per core, four threads each; each thread holds its own database
# connection (DB_CONN_MAX_AGE), so workers × threads must stay below PostgreSQL's
# max_connections together with the task workers.
workers = _env("WORKERS", 2 * (os.cpu_count() or 1))
threads = _env("THREADS", 4)
# Requests run on threads, so the main loop of a busy worker still reports alive; a
# worker silent for this long is hung and restarted. The longest legitimate request (a
# PDF rendered on demand, a CSV export) finishes well within it; heavy work runs in tasks.
timeout = _env("TIMEOUT", 60)
# On a restart (deploy, max_requests), running requests get this long to finish.
graceful_timeout = _env("GRACEFUL_TIMEOUT", 30)
# Behind the reverse proxy, which keeps its connections to us open.
keepalive = _env("KEEPALIVE", 5)
# Load the application (Django, WeasyPrint, matplotlib) once in the master and fork:
# workers start fast and share memory; nothing is imported inside the first request.
preload_app = True
# Recycle each worker after about a thousand requests, staggered so they do not all
# restart at once: bounds slow memory growth (WeasyPrint, matplotlib).
max_requests = _env("MAX_REQUESTS", 1000)
max_requests_jitter = _env("MAX_REQUESTS_JITTER", 100)
# The reverse proxy on this machine sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "kispfam"


def post_fork(server, worker):
    """No database connection opened while the master loaded the application may be
    shared by the forked workers."""
    from django.db import connections

    connections.close_all()
