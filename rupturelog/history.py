"""Version history of the clinical tables: every insert and update keeps a snapshot.

On PostgreSQL, django-pghistory triggers write an event row for every INSERT and UPDATE of
a tracked table, whatever sends it (the app, `QuerySet.update()`, the admin, a psql
session), and pgtrigger's `append_only` trigger makes the event tables refuse UPDATE and
DELETE. Who made the change comes from `pghistory.context`, which prefixes each write
with `set_config(...)`: PostgreSQL-only SQL that SQLite cannot run.

On SQLite there are no triggers, so the app's one write path (repairs/services.py) writes
the same event rows itself through repairs/history/capture.py, and only there.

Both databases store the same thing in the event rows: the snapshot, a label ("insert",
"update", "delete"), `pgh_context` as JSON ({"user": id, "url": path}) and
`pgh_context_id`, a UUID shared by every row one change wrote (one request, or one service
call outside a request), which is how the history page groups a rupture's update with the
code rows changed beside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pghistory
from django.db import connection
from django.http import HttpRequest, HttpResponse

# Requests that may change clinical data; GETs never do (STYLE.md: state changes on POST).
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def track(*trackers: pghistory.RowEvent) -> Callable[[type], type]:
    """The history tracking every clinical model uses: a snapshot per insert and update
    (or the trackers given), context stored beside it as JSON, append-only."""
    # pghistory.track() is not annotated; this is what it returns.
    decorator: Callable[[type], type] = pghistory.track(
        *(trackers or (pghistory.InsertEvent(), pghistory.UpdateEvent())),
        # Denormalised context (JSON in each row, no shared context table that the trigger
        # would upsert into): every event table can then be strictly append-only.
        context_field=pghistory.ContextJSONField(),
        append_only=True,
    )
    return decorator


def triggers_keep_history() -> bool:
    """True where the database writes the history itself (PostgreSQL triggers)."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Change:
    """One change on SQLite: the id its event rows share and who made it."""

    id: uuid.UUID = field(default_factory=uuid.uuid4)
    metadata: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[Change | None] = ContextVar("history_change", default=None)


def current_change() -> Change:
    """The change the SQLite event rows being written belong to (a fresh one outside any)."""
    return _current.get() or Change()


@contextmanager
def change(**metadata: Any) -> Iterator[None]:
    """Group every write inside as one change, with `metadata` (user, url) attached.

    Nested uses join the outermost one, so a request and the service call inside it are one
    change. Also usable as a decorator (repairs/services.py decorates each write).
    """
    if triggers_keep_history():
        with pghistory.context(**metadata):
            yield
        return
    if _current.get() is not None:
        yield
        return
    token = _current.set(Change(metadata=metadata))
    try:
        yield
    finally:
        _current.reset(token)


class HistoryMiddleware:
    """Attach who and where to every change a request makes (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in WRITE_METHODS:
            return self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        with change(user=user_id, url=request.path):
            return self.get_response(request)
