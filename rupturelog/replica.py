"""Reading from a PostgreSQL replica, when one is configured (DATABASE_REPLICA_URL).

Heavy read-only pages (the review figures, CSV export) wrap their queries in
`reading_from_replica()`; the router then sends their reads to the "replica" alias. Writes,
and every read outside such a block, stay on the primary, so a page never reads its own
write from a replica that has not caught up. The flag lives in a context variable: per
request (and per thread or task), never shared process state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)

REPLICA = "replica"


@contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _use_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"
