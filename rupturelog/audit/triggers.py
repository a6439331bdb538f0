"""Database triggers that make the access log append-only: UPDATE and DELETE are refused,
whoever sends them (the app, the admin, a psql session). Installed after every migrate and
removed before it, like repairs/triggers.py, so migrations can still alter the table."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

TABLE = "audit_accessevent"

POSTGRES_FORWARD = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only: % is not allowed.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER audit_append_only
    BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_no_truncate
    BEFORE TRUNCATE ON audit_accessevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_no_truncate ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_accessevent "
    "BEGIN SELECT RAISE(ABORT, 'The access log is append-only: UPDATE is not allowed.'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_accessevent "
    "BEGIN SELECT RAISE(ABORT, 'The access log is append-only: DELETE is not allowed.'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
]


def apply(using: str, forward: bool) -> None:
    connection = connections[using]
    if TABLE not in connection.introspection.table_names():
        return
    if connection.vendor == "postgresql":
        statements = [POSTGRES_BACKWARD] + ([POSTGRES_FORWARD] if forward else [])
    elif connection.vendor == "sqlite":
        statements = SQLITE_BACKWARD + (SQLITE_FORWARD if forward else [])
    else:
        raise NotImplementedError(f"Unsupported database: {connection.vendor}.")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def remove_triggers(using: str = "default", **kwargs: Any) -> None:
    apply(using, forward=False)


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    # Test runs flush every table between transactional tests, which these triggers would
    # refuse; the suite turns them off and tests them on their own
    # (tests/rupturelog/audit/test_middleware.py).
    if settings.AUDIT_LOG_TRIGGERS:
        apply(using, forward=True)
