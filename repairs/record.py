"""The right of access: everything in a client's record, as data.

`record_for(viewer, client)` gathers it through the same scoped querysets as every page, so
a client's own download holds exactly what they may see. The administrator's export of one
client's full record (for a formal access request) uses `full_record()`, which includes
private entries, each marked with its visibility so the practice can review it first.
A fixed number of queries, whatever the size of the record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from repairs import access
from repairs.codes import CodeKind
from repairs.models import Note, RepairStep, Rupture
from rupturelog.accounts.models import User
from sessions.models import Case, CheckIn, TherapySession


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _grouped(items: Any, key: str, row: Any) -> dict[int, list[dict[str, Any]]]:
    """`row(item)` for each item, grouped by the item's `key` (a parent's id), in order."""
    groups: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(getattr(item, key), []).append(row(item))
    return groups


def _step(step: RepairStep) -> dict[str, Any]:
    return {
        "position": step.position,
        "session_number": step.therapy_session.number,
        "started_by": step.initiated_by,
        "strategy": step.get_strategy_display(),
        "what_was_done": step.description,
        "outcome": step.get_outcome_display(),
        "recorded_at": _iso(step.created_at),
    }


def _note(note: Note) -> dict[str, Any]:
    return {
        "by": note.author.display_name,
        "role": note.author_role,
        "visibility": note.visibility,
        "text": note.body,
        "written_at": _iso(note.created_at),
    }


def _check_in(check_in: CheckIn) -> dict[str, Any]:
    return {
        "by": check_in.respondent_role,
        "tension": check_in.tension,
        "strength": check_in.intensity,
        "resolved_by_the_end": check_in.resolution,
        "comment": check_in.comment,
    }


def _moments_by_session(
    ruptures: QuerySet[Rupture], steps: QuerySet[RepairStep], notes: QuerySet[Note]
) -> dict[int, list[dict[str, Any]]]:
    steps_by_rupture = _grouped(
        steps.select_related("therapy_session").order_by("rupture_id", "position"),
        "rupture_id",
        _step,
    )
    notes_by_rupture = _grouped(
        notes.select_related("author").order_by("rupture_id", "created_at", "pk"),
        "rupture_id",
        _note,
    )

    def moment(rupture: Rupture) -> dict[str, Any]:
        return {
            "reported_by": rupture.author_role,
            "minute": rupture.minute,
            "recognised": rupture.get_recognised_display(),
            "what_happened": rupture.account,
            "felt": [c.label for c in rupture.codes.all() if c.kind == CodeKind.FEELING],
            "strength": rupture.intensity,
            "status": rupture.get_status_display(),
            "what_we_agreed": rupture.agreement,
            "visibility": rupture.visibility,
            "recorded_at": _iso(rupture.created_at),
            "repair_steps": steps_by_rupture.get(rupture.pk, []),
            "notes": notes_by_rupture.get(rupture.pk, []),
        }

    ordered = ruptures.prefetch_related("codes").order_by("therapy_session_id", "pk")
    return _grouped(ordered, "therapy_session_id", moment)


def _build(
    client: User,
    cases: QuerySet[Case],
    sessions: QuerySet[TherapySession],
    check_ins: QuerySet[CheckIn],
    ruptures: QuerySet[Rupture],
    steps: QuerySet[RepairStep],
    notes: QuerySet[Note],
) -> dict[str, Any]:
    moments = _moments_by_session(ruptures, steps, notes)
    check_ins_by_session = _grouped(
        check_ins.order_by("therapy_session_id", "respondent_role"), "therapy_session_id", _check_in
    )

    def session(therapy_session: TherapySession) -> dict[str, Any]:
        return {
            "number": therapy_session.number,
            "starts_at": _iso(therapy_session.starts_at),
            "minutes": therapy_session.minutes,
            "format": therapy_session.get_format_display(),
            "moments": moments.get(therapy_session.pk, []),
            "check_ins": check_ins_by_session.get(therapy_session.pk, []),
        }

    sessions_by_case = _grouped(sessions.order_by("case_id", "number"), "case_id", session)
    return {
        "client": {"name": client.display_name, "email": client.email},
        "exported_at": _iso(timezone.now()),
        "cases": [
            {
                "therapist": case.therapist.display_name,
                "opened_on": _iso(case.opened_on),
                "closed_on": _iso(case.closed_on),
                "sessions": sessions_by_case.get(case.pk, []),
            }
            for case in cases.select_related("therapist").order_by("opened_on", "pk")
        ],
    }


def record_for(client: User) -> dict[str, Any]:
    """What the client may see of their own record, as they see it."""
    return _build(
        client,
        access.cases_for(client),
        access.sessions_for(client),
        access.check_ins_for(client),
        access.ruptures_for(client),
        access.repair_steps_for(client),
        access.notes_for(client),
    )


def full_record(client: User) -> dict[str, Any]:
    """Everything recorded in the client's cases, withdrawn items excepted, for the
    practice to review before answering a formal access request."""
    return _build(
        client,
        Case.objects.filter(client=client),
        TherapySession.objects.filter(case__client=client),
        CheckIn.objects.filter(therapy_session__case__client=client),
        Rupture.objects.filter(case__client=client, withdrawn_at__isnull=True),
        RepairStep.objects.filter(rupture__case__client=client, withdrawn_at__isnull=True),
        Note.objects.filter(rupture__case__client=client, withdrawn_at__isnull=True),
    )
