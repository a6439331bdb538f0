"""Reading the version history back as versions a person can follow (the history page):
which versions of an item a viewer may see, and what each one changed.

The event rows are the same on both databases (PostgreSQL's triggers or capture.py wrote
them); a rupture's code rows are folded into the rupture version saved with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any, cast

from django.db import models

from repairs.codes import CODES_BY_KIND, CodeKind, Visibility
from repairs.history import event_model
from repairs.models import Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import Role
from sessions.models import TherapySession

NOT_SURE = "not sure when"
EMPTY = "(empty)"


@dataclass(frozen=True)
class Shown:
    """One field of an item as the history page shows it."""

    name: str
    label: str
    long: bool = False  # free text: shown as a block, old and new one under the other
    for_client: bool = True  # False: codes and classifications a client's card hides too


RUPTURE_FIELDS = [
    Shown("account", "What happened", long=True),
    Shown("minute", "When in the session"),
    Shown("recognised", "Recognised"),
    Shown("family", "Family", for_client=False),
    Shown("intensity", "Strength"),
    Shown("markers", "Markers", for_client=False),
    Shown("causes", "Causes", for_client=False),
    Shown("feelings", "Feelings"),
    Shown("status", "Status"),
    Shown("agreement", "What we agreed", long=True),
    Shown("visibility", "Who can see it"),
    Shown("client_view", "Client's view"),
    Shown("counterpart", "Linked with the other side's report"),
    Shown("withdrawn_at", "Withdrawn"),
]
STEP_FIELDS = [
    Shown("description", "What was done", long=True),
    Shown("therapy_session", "Session"),
    Shown("initiated_by", "Started by"),
    Shown("strategy", "Strategy", for_client=False),
    Shown("outcome", "How it landed"),
    Shown("withdrawn_at", "Withdrawn"),
]
NOTE_FIELDS = [
    Shown("body", "Note", long=True),
    Shown("visibility", "Who can see it"),
    Shown("withdrawn_at", "Withdrawn"),
]
FIELDS: dict[type[models.Model], list[Shown]] = {
    Rupture: RUPTURE_FIELDS,
    RepairStep: STEP_FIELDS,
    Note: NOTE_FIELDS,
}
NOUNS: dict[type[models.Model], str] = {Rupture: "entry", RepairStep: "repair step", Note: "note"}
CODE_FIELDS = {CodeKind.MARKER: "markers", CodeKind.CAUSE: "causes", CodeKind.FEELING: "feelings"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    long: bool


@dataclass
class Version:
    """One saved change: when, who, and what it changed (or, for the first version shown,
    everything as it then stood)."""

    at: datetime
    who: str
    summary: str
    changes: list[FieldChange] = dataclass_field(default_factory=list)
    snapshot: list[FieldChange] = dataclass_field(default_factory=list)
    hidden: int = 0  # a placeholder for this many versions from while it was private


@dataclass
class History:
    versions: list[Version]  # oldest first
    hidden_before_shared: int
    recorded: bool  # False: no event rows at all (written before history was kept)


def _column(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model's field `name`: a column, as every name in FIELDS is (get_field() may also
    give a reverse relation, which the type checker cannot rule out from a string)."""
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _display(model: type[models.Model], name: str, value: Any, sessions: dict[int, int]) -> str:
    if name in CODE_FIELDS.values():
        kind = next(k for k, v in CODE_FIELDS.items() if v == name)
        labels = [CODES_BY_KIND[kind](code).label for code in sorted(value)]
        return ", ".join(labels) if labels else EMPTY
    if name == "withdrawn_at":
        return "yes" if value else "no"
    if name == "counterpart":
        return "yes" if value else "no"
    if name == "minute":
        return NOT_SURE if value is None else f"minute {value}"
    if name == "intensity":
        return EMPTY if value is None else f"{value} of 5"
    if name == "therapy_session":
        return f"session {sessions.get(value, '?')}"
    if value in (None, ""):
        return EMPTY
    field = _column(model, name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _state(model: type[models.Model], event: Any, codes: dict[str, set[str]]) -> dict[str, Any]:
    state = {}
    for shown in FIELDS[model]:
        if shown.name in CODE_FIELDS.values():
            state[shown.name] = frozenset(codes.get(shown.name, set()))
        else:
            state[shown.name] = getattr(event, _column(model, shown.name).attname)
    return state


def _summary(model: type[models.Model], label: str, before: dict | None, after: dict) -> str:
    noun = NOUNS[model]
    if label == "baseline" and before is None:
        return "As it stood when version history began"
    if before is None:
        return f"Wrote the {noun}"
    if after["withdrawn_at"] and not before["withdrawn_at"]:
        return f"Withdrew the {noun}"
    if after.get("visibility") == Visibility.SHARED and before.get("visibility") != after.get(
        "visibility"
    ):
        return "Shared it with the care team"
    if before.get("status") != after.get("status"):
        return "Changed the status"
    return f"Edited the {noun}"


def item_history(item: Rupture | RepairStep | Note, viewer: Any) -> History:
    """Every kept version of `item` the viewer may see, oldest first.

    The item's author sees every version. Anyone else sees versions from when it was shared
    onwards: earlier versions (a private draft) are counted, never shown. A client does not
    see codes or classifications their card hides either. A fixed number of queries.
    """
    model = type(item)
    events, code_events = _events(item)
    names = _names(item, events + code_events)
    sessions = _session_numbers(events) if model is RepairStep else {}
    is_author = item.author_id == viewer.pk
    is_client = viewer.role == Role.CLIENT
    fields = [f for f in FIELDS[model] if f.for_client or not is_client]
    versions: list[Version] = []
    codes: dict[str, set[str]] = {}
    latest = None  # the item's latest snapshot event
    shown_state: dict[str, Any] | None = None  # the last state the viewer was shown
    hidden = hidden_total = 0
    for rows in _changes(events + code_events):
        item_rows = [r for r in rows if isinstance(r, event_model(model))]
        if model is Rupture:
            _fold_codes(rows, codes)
        if item_rows:
            latest = item_rows[-1]
        if latest is None:
            continue  # codes written before the rupture's first snapshot: folded into it
        state = _state(model, latest, codes)
        visible = is_author or state.get("visibility", Visibility.SHARED) == Visibility.SHARED
        if not visible:
            hidden += 1
            hidden_total += 1
            continue
        label = item_rows[0].pgh_label if item_rows else "update"
        who = _who(rows, label, item, viewer, names)
        if hidden:
            versions.append(Version(at=rows[0].pgh_created_at, who="", summary="", hidden=hidden))
            hidden = 0
        show = [(f, _display(model, f.name, state[f.name], sessions)) for f in fields]
        if shown_state is None:
            version = Version(
                at=rows[0].pgh_created_at,
                who=who,
                summary=_summary(model, label, None, state)
                if not hidden_total
                else "Shared it with the care team",
                snapshot=[
                    FieldChange(f.label, "", value, f.long)
                    for f, value in show
                    if value != EMPTY and f.name not in ("withdrawn_at", "counterpart")
                ],
            )
        else:
            changes = [
                FieldChange(
                    f.label, _display(model, f.name, shown_state[f.name], sessions), value, f.long
                )
                for f, value in show
                if shown_state[f.name] != state[f.name]
            ]
            if not changes:
                continue  # nothing this viewer can see changed (e.g. a code a client's card hides)
            version = Version(
                at=rows[0].pgh_created_at,
                who=who,
                summary=_summary(model, label, shown_state, state),
                changes=changes,
            )
        versions.append(version)
        shown_state = state
    if hidden:  # private again after the last version shown: say so, show nothing
        last = events[-1].pgh_created_at
        versions.append(Version(at=last, who="", summary="", hidden=hidden))
    return History(versions=versions, hidden_before_shared=hidden_total, recorded=bool(events))


def _events(item: Rupture | RepairStep | Note) -> tuple[list[Any], list[Any]]:
    """The item's own event rows and, for a rupture, its codes' event rows, oldest first."""
    model = type(item)
    events = list(event_model(model).objects.filter(pgh_obj_id=item.pk).order_by("pgh_id"))
    code_events: list[Any] = []
    if model is Rupture:
        code_events = list(
            event_model(RuptureCode).objects.filter(rupture_id=item.pk).order_by("pgh_id")
        )
    return events, code_events


def _names(item: Rupture | RepairStep | Note, events: list[Any]) -> dict[int, str]:
    """The display names of everyone who made one of the changes, and of the item's author."""
    from rupturelog.accounts.models import User

    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    user_ids.add(item.author_id)
    return dict(User.objects.filter(pk__in=user_ids - {None}).values_list("pk", "display_name"))


def _session_numbers(events: list[Any]) -> dict[int, int]:
    """The number of each session a repair step's versions name, by session id."""
    return dict(
        TherapySession.objects.filter(pk__in={e.therapy_session_id for e in events}).values_list(
            "pk", "number"
        )
    )


def _changes(events: list[Any]) -> list[list[Any]]:
    """The event rows grouped by change, in the order they were written.

    One change = the rows one request or service call wrote (same change id); a row written
    with no change id (a raw UPDATE outside the app) is a change of its own.
    """
    groups: dict[Any, list[Any]] = {}
    for event in sorted(events, key=lambda e: (e.pgh_created_at, e.pgh_id)):
        groups.setdefault(event.pgh_context_id or ("row", type(event), event.pgh_id), []).append(
            event
        )
    return list(groups.values())


def _fold_codes(rows: list[Any], codes: dict[str, set[str]]) -> None:
    """Apply one change's code rows to a rupture's codes by field (markers, causes, ...)."""
    for row in rows:
        if isinstance(row, event_model(RuptureCode)):
            kind_codes = codes.setdefault(CODE_FIELDS[row.kind], set())
            if row.pgh_label == "delete":
                kind_codes.discard(row.code)
            else:
                kind_codes.add(row.code)


def _who(
    rows: list[Any],
    label: str,
    item: Rupture | RepairStep | Note,
    viewer: Any,
    names: dict[int, str],
) -> str:
    """Who made one change, as the viewer reads it."""
    context = next((r.pgh_context for r in rows if r.pgh_context), None) or {}
    who_id = context.get("user")
    if who_id is None and label == "insert":
        who_id = item.author_id  # written outside a request: only its author writes one
    if who_id == viewer.pk:
        return "You"
    if who_id in names:
        return names[who_id]
    if label == "baseline":
        return "Not recorded"
    return "Not recorded (changed outside the app's pages)"
