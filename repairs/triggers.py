"""Database triggers for two rules no CHECK constraint can express (they span tables):

* a rupture's denormalised `case` is its session's case;
* a repair step happens in a session of the rupture's own case.

They hold whatever writes the row (the app, the admin, a bulk load, a psql session).

They are installed after every `migrate` (post_migrate) and removed before it (pre_migrate),
not by a migration: SQLite alters a table by rebuilding and renaming it, and a trigger that
names the table being rebuilt makes that rename fail. Dropping them around migrations keeps
every future migration working on both databases.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

SESSION_TABLE = "therapy_sessions_therapysession"

POSTGRES_FORWARD = """
CREATE FUNCTION rupture_case_matches_session() RETURNS trigger AS $$
BEGIN
    IF NEW.case_id IS DISTINCT FROM
       (SELECT case_id FROM therapy_sessions_therapysession WHERE id = NEW.therapy_session_id) THEN
        RAISE EXCEPTION 'A rupture''s case must be the case of its session.'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER rupture_case_matches_session
    BEFORE INSERT OR UPDATE OF case_id, therapy_session_id ON repairs_rupture
    FOR EACH ROW EXECUTE FUNCTION rupture_case_matches_session();

CREATE FUNCTION repair_step_in_rupture_case() RETURNS trigger AS $$
BEGIN
    IF (SELECT case_id FROM therapy_sessions_therapysession WHERE id = NEW.therapy_session_id)
       IS DISTINCT FROM (SELECT case_id FROM repairs_rupture WHERE id = NEW.rupture_id) THEN
        RAISE EXCEPTION 'A repair step must happen in a session of the rupture''s case.'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER repair_step_in_rupture_case
    BEFORE INSERT OR UPDATE OF rupture_id, therapy_session_id ON repairs_repairstep
    FOR EACH ROW EXECUTE FUNCTION repair_step_in_rupture_case();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS repair_step_in_rupture_case ON repairs_repairstep;
DROP FUNCTION IF EXISTS repair_step_in_rupture_case();
DROP TRIGGER IF EXISTS rupture_case_matches_session ON repairs_rupture;
DROP FUNCTION IF EXISTS rupture_case_matches_session();
"""

_RUPTURE_CHECK = """
    WHEN NEW.case_id IS NOT
         (SELECT case_id FROM therapy_sessions_therapysession WHERE id = NEW.therapy_session_id)
    BEGIN SELECT RAISE(ABORT, 'A rupture''s case must be the case of its session.'); END
"""
_STEP_CHECK = """
    WHEN (SELECT case_id FROM therapy_sessions_therapysession WHERE id = NEW.therapy_session_id)
         IS NOT (SELECT case_id FROM repairs_rupture WHERE id = NEW.rupture_id)
    BEGIN SELECT RAISE(ABORT, 'A repair step must happen in a session of the rupture''s case.');
    END
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER rupture_case_matches_session_insert BEFORE INSERT ON repairs_rupture "
    f"{_RUPTURE_CHECK}",
    f"CREATE TRIGGER rupture_case_matches_session_update "
    f"BEFORE UPDATE OF case_id, therapy_session_id ON repairs_rupture {_RUPTURE_CHECK}",
    f"CREATE TRIGGER repair_step_in_rupture_case_insert BEFORE INSERT ON repairs_repairstep "
    f"{_STEP_CHECK}",
    f"CREATE TRIGGER repair_step_in_rupture_case_update "
    f"BEFORE UPDATE OF rupture_id, therapy_session_id ON repairs_repairstep {_STEP_CHECK}",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS rupture_case_matches_session_insert",
    "DROP TRIGGER IF EXISTS rupture_case_matches_session_update",
    "DROP TRIGGER IF EXISTS repair_step_in_rupture_case_insert",
    "DROP TRIGGER IF EXISTS repair_step_in_rupture_case_update",
]


TABLES = {"repairs_rupture", "repairs_repairstep", SESSION_TABLE}


def _statements(vendor: str, forward: bool) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES_BACKWARD] + ([POSTGRES_FORWARD] if forward else [])
    if vendor == "sqlite":
        return SQLITE_BACKWARD + (SQLITE_FORWARD if forward else [])
    raise NotImplementedError(f"RuptureLog supports SQLite and PostgreSQL, not {vendor}.")


def _apply(using: str, forward: bool) -> None:
    connection = connections[using]
    if not set(connection.introspection.table_names()) >= TABLES:
        return  # migrated to a point before these tables exist
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, forward):
            cursor.execute(statement)


def remove_triggers(using: str = "default", **kwargs: Any) -> None:
    _apply(using, forward=False)


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    _apply(using, forward=True)
