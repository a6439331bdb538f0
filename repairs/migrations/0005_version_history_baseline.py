"""A "baseline" history event for every clinical row that existed before history tracking,
so the first edit after this release still keeps the version it replaced.

One INSERT ... SELECT per table (no rows through Python), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import migrations
from django.utils import timezone

TRACKED = [
    ("repairs", "Rupture"),
    ("repairs", "RepairStep"),
    ("repairs", "Note"),
    ("repairs", "RuptureCode"),
    ("therapy_sessions", "CheckIn"),
]


def snapshot_existing_rows(apps, schema_editor) -> None:
    quote = schema_editor.quote_name
    now = timezone.now()
    with schema_editor.connection.cursor() as cursor:
        for app_label, name in TRACKED:
            model = apps.get_model(app_label, name)
            event = apps.get_model(app_label, f"{name}Event")
            columns = [field.column for field in model._meta.concrete_fields]
            cursor.execute(
                f"INSERT INTO {quote(event._meta.db_table)} "
                f"(pgh_created_at, pgh_label, pgh_obj_id, {', '.join(map(quote, columns))}) "
                f"SELECT %s, 'baseline', id, {', '.join(map(quote, columns))} "
                f"FROM {quote(model._meta.db_table)}",
                [now],
            )


class Migration(migrations.Migration):
    dependencies = [("repairs", "0004_version_history")]

    operations = [migrations.RunPython(snapshot_existing_rows, migrations.RunPython.noop)]
