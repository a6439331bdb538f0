"""Case and session pages: what a viewer may see of a course of therapy."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from repairs.forms import RevealForm
from rupturelog import access
from rupturelog.audit.middleware import note_case
from sessions.models import Case, RespondentRole, TherapySession


def plain_user(request: HttpRequest):
    """The signed-in user, unwrapped from `request.user`'s SimpleLazyObject (loaded if it
    was not yet): the same object, without a proxy call on every attribute read."""
    user = request.user
    if not isinstance(user, LazyObject):
        return user
    if user._wrapped is empty:
        user._setup()
    return user._wrapped


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(access.cases_for(request.user), pk=case_id)
    return case_detail_response(request, case)


def case_detail_response(
    request: HttpRequest,
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


def _marks(ruptures: list, minutes: int) -> list[dict]:
    """Where each moment with a minute sits on the session bar (x as a percentage of its
    width), with a text label, so the bar never relies on colour or shape alone."""
    marks = []
    for index, rupture in enumerate(r for r in ruptures if r.minute is not None):
        who = "Client" if rupture.author_role == RespondentRole.CLIENT else "Therapist"
        marks.append(
            {
                "rupture": rupture,
                "x": round(max(1.5, min(98.5, rupture.minute * 100 / max(minutes, 1))), 2),
                # Alternate label rows so neighbouring moments do not print over each other.
                "label_y": 56 if index % 2 == 0 else 72,
                "short": f"{who[0]} {rupture.minute}\u2032",
                "label": f"{who}, minute {rupture.minute}",
            }
        )
    return marks


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session timeline: the bar, the moments as cards, and what is still open from
    earlier sessions. htmx requests for `timeline-live` or `timeline-bar` get that part only.
    """
    # The signed-in user itself, not the request's lazy wrapper: the template reads the
    # viewer's role and id on every card, and each read through the wrapper costs a proxy call.
    user = plain_user(request)
    target = request.htmx.target if request.htmx else None
    therapy_session = get_object_or_404(access.sessions_for(user), pk=session_id)
    if target not in ("timeline-bar", "timeline-live"):  # the whole page, with its pager
        access.add_neighbours(therapy_session)
    case = therapy_session.case
    note_case("session", therapy_session.pk, case.pk)
    context = {
        "therapy_session": therapy_session,
        "case": case,
        "case_revision": case.revision,
        "user": user,
    }
    if target == "timeline-bar":
        # The bar shows no card, so none of the cards' threads are loaded.
        ruptures = list(
            access.ruptures_for(user).select_related(None).filter(therapy_session=therapy_session)
        )
        context.update(_bar(ruptures, therapy_session))
        return render(request, "repairs/session_detail.html#timeline-bar", context)

    # This session's moments and those still open from earlier ones, in one query (and one
    # per kind of thread), in timeline order: by session, "not sure when" last (the
    # databases disagree on where NULL sorts), then as the timeline orders ties.
    moments = (
        access.ruptures_with_threads(user)
        .filter(case=case)
        .filter(
            Q(therapy_session=therapy_session)
            | Q(therapy_session__number__lt=therapy_session.number, status__in=access.UNRESOLVED)
        )
        .order_by("therapy_session__number", F("minute").asc(nulls_last=True), "created_at", "pk")
    )
    ruptures, carried_over = [], []
    for rupture in moments:
        if rupture.therapy_session_id == therapy_session.pk:
            ruptures.append(rupture)
        else:
            carried_over.append(rupture)
    context.update(_bar(ruptures, therapy_session), ruptures=ruptures, carried_over=carried_over)
    if target == "timeline-live":
        context["live_refresh"] = True
        return render(request, "repairs/session_detail.html#timeline-live", context)

    started = therapy_session.starts_at <= timezone.now()
    check_ins = list(access.check_ins_of_session(user, therapy_session))
    context.update(
        check_ins=check_ins,
        can_log=started and user.pk == case.therapist_id,
        can_flag=started and user.pk == case.client_id,
        can_check_in=started
        and user.pk in (case.client_id, case.therapist_id)
        and not any(c.respondent_id == user.pk for c in check_ins),
    )
    return render(request, "repairs/session_detail.html", context)


def _bar(ruptures: list, therapy_session: TherapySession) -> dict[str, list]:
    """The bar's context: moments placed at their minute, and those "not sure when"."""
    return {
        "placed": _marks(ruptures, therapy_session.minutes),
        "unplaced": [r for r in ruptures if r.minute is None],
    }
