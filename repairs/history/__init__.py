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

from typing import TYPE_CHECKING, cast

from django.db import models

from repairs.models import Note, RepairStep, Rupture, RuptureCode
from sessions.models import CheckIn

if TYPE_CHECKING:
    import uuid
    from typing import Any

    from pghistory.models import Event

    class TrackedEvent(Event):
        """What the event models pghistory generates (RuptureEvent, ...) hold, for the type
        checker: no such class exists. Beside pghistory's own fields (`pgh_id`,
        `pgh_created_at`, `pgh_label`), `track()` adds the tracked row's id and the change's
        context; the tracked model's columns are copied in, and read here as Any."""

        pgh_obj_id: int
        pgh_context: dict[str, Any] | None  # {"user": id, "url": path}; None outside a change
        pgh_context_id: uuid.UUID | None

        class Meta:
            abstract = True

        def __getattr__(self, name: str) -> Any: ...


TRACKED: tuple[type[models.Model], ...] = (Rupture, RepairStep, Note, RuptureCode, CheckIn)


def event_model(model: type[models.Model]) -> type[TrackedEvent]:
    """The generated event model (RuptureEvent, ...) of a tracked model."""
    # The app registry gives any model; this name is always one pghistory generated.
    found = model._meta.apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    return cast("type[TrackedEvent]", found)
