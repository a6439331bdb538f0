"""The version history of ruptures, repair steps, notes and check-ins.

capture.py   writing the versions where the database does not (SQLite)
versions.py  reading them back as versions a person can follow (the history page)

On PostgreSQL every event row is written by a trigger (rupturelog/history.py), so capture
does nothing there: writing them here too would double every version. On SQLite the service
functions call capture after each write, with the rows as stored.

A rupture's codes (RuptureCode rows) have a history of their own (insert, delete); the page
shows a code change inside the rupture version it was saved with: both carry the same change
id (`pgh_context_id`).
"""

from __future__ import annotations

from django.db import models

from repairs.models import Note, RepairStep, Rupture, RuptureCode
from sessions.models import CheckIn

TRACKED: tuple[type[models.Model], ...] = (Rupture, RepairStep, Note, RuptureCode, CheckIn)


def event_model(model: type[models.Model]) -> type[models.Model]:
    """The generated event model (RuptureEvent, ...) of a tracked model."""
    return model._meta.apps.get_model(model._meta.app_label, f"{model.__name__}Event")
