"""The version history of one rupture, repair step or note: every saved version, who made
it and what it changed, withdrawals included.

Who may open which history is decided in repairs/access.py (`*_histories_for`); which
versions they then see (not a private draft's) in repairs/history/versions.py. The access log
records each opening as a view, like any page naming a clinical object in its URL.
Check-ins keep their history rows too, but have no page: they are answered once and never
edited in the app, so their history is a single version.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpResponse,
)
from django.shortcuts import render

from repairs import access
from repairs.history.versions import item_history
from repairs.models import Note, RepairStep, Rupture
from rupturelog.http import AuthenticatedHttpRequest


def _page(
    request: AuthenticatedHttpRequest,
    item: Rupture | RepairStep | Note,
    rupture: Rupture,
    **extra: object,
) -> HttpResponse:
    context = {
        "item": item,
        "rupture": rupture,
        "history": item_history(item, request.user),
        "kind": {Rupture: "rupture", RepairStep: "step", Note: "note"}[type(item)],
        **extra,
    }
    return render(request, "repairs/history.html", context)


@login_required
def rupture_history(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    rupture = access.get_in_scope(access.rupture_histories_for(request.user), rupture_id)
    # The rupture's steps and notes whose own history this person may open, withdrawn ones
    # included (the timeline no longer shows those; this is where they can still be found).
    steps = access.repair_step_histories_for(request.user).filter(rupture=rupture)
    notes = access.note_histories_for(request.user).filter(rupture=rupture)
    return _page(
        request,
        rupture,
        rupture,
        steps=steps.order_by("position"),
        notes=notes.select_related("author").order_by("created_at", "pk"),
    )


@login_required
def step_history(request: AuthenticatedHttpRequest, step_id: int) -> HttpResponse:
    step = access.get_in_scope(access.repair_step_histories_for(request.user), step_id)
    return _page(request, step, step.rupture)


@login_required
def note_history(request: AuthenticatedHttpRequest, note_id: int) -> HttpResponse:
    note = access.get_in_scope(access.note_histories_for(request.user), note_id)
    return _page(request, note, note.rupture)
