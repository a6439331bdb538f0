"""Database triggers for two rules no CHECK constraint can express (they span tables):

* a rupture's denormalised `case` is its session's case;
* a repair step happens in a session of the rupture's own case.

They hold whatever writes the row (the app, the admin, a bulk load, a psql session).
"""

from __future__ import annotations

from django.db import migrations

SESSION_TABLE = "therapy_sessions_therapysession"

POSTGRES_FORWARD = f"""
CREATE FUNCTION rupture_case_matches_session() RETURNS trigger AS $$
BEGIN
    IF NEW.case_id IS DISTINCT FROM
       (SELECT case_id FROM {SESSION_TABLE} WHERE id = NEW.therapy_session_id) THEN
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
    IF (SELECT case_id FROM {SESSION_TABLE} WHERE id = NEW.therapy_session_id)
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

_RUPTURE_CHECK = f"""
    WHEN NEW.case_id IS NOT (SELECT case_id FROM {SESSION_TABLE} WHERE id = NEW.therapy_session_id)
    BEGIN SELECT RAISE(ABORT, 'A rupture''s case must be the case of its session.'); END
"""
_STEP_CHECK = f"""
    WHEN (SELECT case_id FROM {SESSION_TABLE} WHERE id = NEW.therapy_session_id)
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


def _run(statements_by_vendor: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"RuptureLog supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}."
            )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("repairs", "0001_initial"),
        ("therapy_sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD}),
        )
    ]
