"""The version history of ruptures, repair steps, notes and check-ins: writing it where the
database does not (SQLite), and reading it back as versions a person can follow.

On PostgreSQL every event row is written by a trigger (rupturelog/history.py), so `record`
does nothing there: writing them here too would double every version. On SQLite the
service functions call `record` after each write, with the rows as stored.

A rupture's codes (RuptureCode rows) have a history of their own (insert, delete); the
page shows a code change inside the rupture version it was saved with: both carry the same
change id (`pgh_context_id`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from repairs.models import Note, RepairStep, Rupture, RuptureCode
from rupturelog.history import current_change, triggers_record_history
from sessions.models import CheckIn

TRACKED: tuple[type[models.Model], ...] = (Rupture, RepairStep, Note, RuptureCode, CheckIn)


def event_model(model: type[models.Model]) -> type[models.Model]:
    """The generated event model (RuptureEvent, ...) of a tracked model."""
    return model._meta.apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _write(model: type[models.Model], rows: Iterable[dict[str, Any]], label: str) -> None:
    change = current_change()
    events = event_model(model)
    events.objects.bulk_create(
        [
            events(
                pgh_label=label,
                pgh_obj_id=row["id"],
                pgh_context=change.metadata or None,
                pgh_context_id=change.id,
                **row,
            )
            for row in rows
        ]
    )


def record(model: type[models.Model], pks: Iterable[int], label: str) -> None:
    """Snapshot rows `pks` of `model` as stored now, as a `label` ("insert", "update") event.

    SQLite only: on PostgreSQL the triggers have already written the same rows.
    """
    if triggers_record_history():
        return
    pks = list(pks)
    if pks:
        _write(model, model.objects.filter(pk__in=pks).values(*_columns(model)), label)


def record_before_change(model: type[models.Model], pks: Iterable[int]) -> None:
    """Before an update or delete on SQLite: keep the version about to be replaced when the
    row has no history yet (it was written outside the service path, e.g. by seed_demo)."""
    if triggers_record_history():
        return
    pks = set(pks)
    known = set(
        event_model(model).objects.filter(pgh_obj_id__in=pks).values_list("pgh_obj_id", flat=True)
    )
    if missing := pks - known:
        _write(model, model.objects.filter(pk__in=missing).values(*_columns(model)), "baseline")


def record_delete(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Rows about to be deleted (as `values()` of every column), kept as "delete" events."""
    if not triggers_record_history():
        _write(model, rows, "delete")


def delete_codes(codes: models.QuerySet[RuptureCode]) -> None:
    """Delete code rows, keeping each as a "delete" event on SQLite."""
    if triggers_record_history():
        codes.delete()
        return
    rows = list(codes.values(*_columns(RuptureCode)))
    record_before_change(RuptureCode, [row["id"] for row in rows])
    record_delete(RuptureCode, rows)
    RuptureCode.objects.filter(pk__in=[row["id"] for row in rows]).delete()
