"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py rupturelog.wsgi`.

Values come from the environment, with defaults for a 2-core machine. The worker timeout is
the same GUNICORN_TIMEOUT that settings.py checks the database pool timeout against.
"""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The TLS proxy in front sets X-Forwarded-*; trust it only from where it runs.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access logs are JSON lines like the app's (rupturelog/logs.py), with the response's request
# id. They carry paths and status codes only: no query strings (filters, searches), no bodies.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "name": "gunicorn.access", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"
# gunicorn's own messages (start-up, worker restarts, timeouts) as JSON lines too.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "rupturelog.logs.JsonFormatter"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
