"""Keeping the versions on SQLite, where no trigger does: the service functions
(repairs/services.py) call these after each write, with the rows as stored.

On PostgreSQL the triggers (rupturelog/history.py) have already written every event row, so
each function here does nothing there: writing them here too would double every version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from repairs.history import event_model
from repairs.models import Rupture, RuptureCode
from rupturelog.history import Change, current_change, triggers_keep_history


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _write_events(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    label: str,
    change: Change | None = None,
) -> None:
    change = change or current_change()
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


def snapshot(model: type[models.Model], pks: Iterable[int], label: str) -> None:
    """Snapshot rows `pks` of `model` as stored now, as a `label` ("insert", "update") event.

    SQLite only: on PostgreSQL the triggers have already written the same rows.
    """
    if triggers_keep_history():
        return
    pks = list(pks)
    if pks:
        rows = model._default_manager.filter(pk__in=pks).values(*_columns(model))
        _write_events(model, rows, label)


def keep_baseline(
    model: type[models.Model], pks: Iterable[int], baseline: Change | None = None
) -> None:
    """Before an update or delete on SQLite: keep the version about to be replaced when the
    row has no history yet (it was written outside the service path, e.g. by seed_demo).

    The kept version is a change of its own (its own change id, no author), not part of the
    change about to be made.
    """
    if triggers_keep_history():
        return
    pks = set(pks)
    known = set(
        event_model(model).objects.filter(pgh_obj_id__in=pks).values_list("pgh_obj_id", flat=True)
    )
    if not (missing := pks - known):
        return
    baseline = baseline or Change()
    rows = model._default_manager.filter(pk__in=missing).values(*_columns(model))
    _write_events(model, rows, "baseline", baseline)
    if model is Rupture:
        # Their codes too, or the first code change would look like codes out of nowhere.
        codes = RuptureCode.objects.filter(rupture_id__in=missing).values_list("pk", flat=True)
        keep_baseline(RuptureCode, codes, baseline)


def keep_deleted(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Rows about to be deleted (as `values()` of every column), kept as "delete" events."""
    if not triggers_keep_history():
        _write_events(model, rows, "delete")


def delete_codes(codes: models.QuerySet[RuptureCode]) -> None:
    """Delete code rows, keeping each as a "delete" event on SQLite."""
    if triggers_keep_history():
        codes.delete()
        return
    rows = list(codes.values(*_columns(RuptureCode)))
    keep_baseline(RuptureCode, [row["id"] for row in rows])
    keep_deleted(RuptureCode, rows)
    RuptureCode.objects.filter(pk__in=[row["id"] for row in rows]).delete()
