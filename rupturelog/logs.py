"""Structured logs that never carry clinical text.

Production logs are one JSON object per line (LOG_FORMAT=json, the default without DEBUG):
time, level, logger, message, the request id (the same X-Request-ID the access log and the
response carry) and the user id when the request has one. What could quote clinical data is
kept out: an exception is logged as its type and where it happened, never its message
(a database error's message repeats the values it refused), and the request object Django
attaches to its own records is dropped (its repr has the query string). The app's own log
calls name objects by id only.
"""

from __future__ import annotations

import logging
import traceback
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

if TYPE_CHECKING:  # gunicorn's master imports this module before Django is set up
    from django.http import HttpRequest

# The request being served on this thread, set by the access-log middleware.
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def redacted_exception(exc_info: ExcInfo) -> str:
    """A traceback with every frame but without any exception's message."""
    exc_type, exc, tb = exc_info
    chain: list[tuple[type[BaseException], TracebackType | None]] = [(exc_type, tb)]
    seen = {id(exc)}
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        chain.append((type(cause), cause.__traceback__))
        cause = cause.__cause__ or cause.__context__
    parts = []
    for kind, frames in reversed(chain):
        lines = ["Traceback (most recent call last):"]
        lines += [line.rstrip("\n") for line in traceback.format_list(traceback.extract_tb(frames))]
        lines.append(f"{kind.__module__}.{kind.__qualname__}: (message withheld from the log)")
        parts.append("\n".join(lines))
    return "\n\nDuring handling of the above exception, another exception occurred:\n\n".join(parts)


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        record.request_id = getattr(request, "request_id", "") if request else ""
        # Only a user already loaded for this request: logging must not query the database.
        user = getattr(request, "_cached_user", None) if request else None
        record.user_id = getattr(user, "pk", None)
        return True


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "{asctime}{levelname}{name}{message}{request_id}{user_id}")
        kwargs.setdefault("style", "{")
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "taskName", "request", "server_time"])
        super().__init__(*args, **kwargs)

    def formatException(self, ei: Any) -> str:
        return redacted_exception(ei)


class TextFormatter(logging.Formatter):
    """The same redaction for people reading the console (LOG_FORMAT=text)."""

    def formatException(self, ei: Any) -> str:
        return redacted_exception(ei)
