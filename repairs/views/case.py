"""The case page (a course of therapy: its sessions as a row of ticks, the check-ins as
a chart) and a supervisor asking to see a client's real name.

Supervisors see clients by pseudonym. Now and then they need the name (a safeguarding
concern, a handover); they can see it, one case at a time, after choosing why, and the
access log records the reveal with that reason. The client sees it on "Who opened your
record". The name is shown in the answer to that request only, never remembered.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_POST

from repairs import access
from repairs.forms import RevealForm
from rupturelog.audit.middleware import note_reveal
from rupturelog.http import AuthenticatedHttpRequest
from sessions.models import Case


@login_required
def case_detail(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = access.get_in_scope(access.cases_for(request.user), case_id)
    return case_detail_response(request, case)


def case_detail_response(
    request: AuthenticatedHttpRequest,
    case: Case,
    *,
    reveal_form: forms.Form | None = None,
    revealed_name: str = "",
    status: int = 200,
) -> HttpResponse:
    """The case page; also the answer to a supervisor's "show the real name" (with it)."""
    user = request.user
    therapy_sessions = access.with_session_counts(
        access.sessions_for(user).filter(case=case), user
    ).order_by("number")
    check_ins = (
        access.check_ins_for(user)
        .filter(therapy_session__case=case)
        .order_by("therapy_session__number", "respondent_role")
    )
    by_session: dict[int, dict[str, object]] = {}
    for check_in in check_ins:
        by_session.setdefault(check_in.therapy_session_id, {})[check_in.respondent_role] = check_in
    rows = [(s, by_session.get(s.pk, {})) for s in therapy_sessions]
    context = {"case": case, "rows": rows, "chart": _check_in_chart(rows)}
    if access.sees_client_by_pseudonym(user, case):
        context["reveal_form"] = reveal_form or RevealForm()
        context["revealed_name"] = revealed_name
    if request.htmx and reveal_form is not None:
        return render(request, "repairs/case_detail.html#real-name", context, status=status)
    return render(request, "repairs/case_detail.html", context, status=status)


def _check_in_chart(rows: list) -> list[dict]:
    """Points for the case page's check-in chart: per session and side, how strong the
    tension was (0 when there was none), placed as a percentage across the chart."""
    points = []
    for index, (therapy_session, answers) in enumerate(rows):
        for side, check_in in answers.items():
            strength = (check_in.intensity or 1) if check_in.tension else 0
            points.append(
                {
                    "x": round((index + 0.5) * 100 / len(rows), 2),
                    "y": 88 - strength * 16,
                    "side": side,
                    "label": f"Session {therapy_session.number}, {side}: "
                    + (f"tension {strength} of 5" if strength else "no tension"),
                }
            )
    return points


@login_required
@require_POST
def reveal_name(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = access.get_in_scope(access.cases_for(request.user), case_id)
    # The client and their therapist already see the name.
    access.require(access.sees_client_by_pseudonym(request.user, case))
    form = RevealForm(request.POST)
    if not form.is_valid():
        return case_detail_response(request, case, reveal_form=form, status=400)
    note_reveal(form.cleaned_data["reason"])
    name = case.client.display_name
    return case_detail_response(request, case, reveal_form=form, revealed_name=name)
