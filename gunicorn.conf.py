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
# Access logs carry paths and status codes only: no query strings with ids, no bodies.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
