"""Case and session pages: what a viewer may see of a course of therapy."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from rupturelog import access


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = get_object_or_404(access.cases_for(user), pk=case_id)
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
    return render(request, "repairs/case_detail.html", {"case": case, "rows": rows})


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user = request.user
    therapy_session = get_object_or_404(access.sessions_for(user), pk=session_id)
    case_sessions = access.sessions_for(user).filter(case_id=therapy_session.case_id)
    ruptures = access.ruptures_with_threads(user).filter(therapy_session=therapy_session)
    check_ins = access.check_ins_for(user).filter(therapy_session=therapy_session)
    context = {
        "therapy_session": therapy_session,
        "case": therapy_session.case,
        "ruptures": ruptures,
        "check_ins": check_ins,
        "previous_session": case_sessions.filter(number__lt=therapy_session.number)
        .order_by("-number")
        .first(),
        "next_session": case_sessions.filter(number__gt=therapy_session.number)
        .order_by("number")
        .first(),
    }
    return render(request, "repairs/session_detail.html", context)
