"""The session timeline: the bar, the moments as cards, one card on its own (htmx
"cancel" and refreshes), and the cheap "anything new?" poll behind an open timeline."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import (
    Http404,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.functional import LazyObject, empty
from django_htmx.http import trigger_client_event

from repairs import access
from repairs.views.inline import render_card
from rupturelog.accounts.models import User
from rupturelog.http import AuthenticatedHttpRequest
from sessions.models import RespondentRole, TherapySession


def plain_user(request: AuthenticatedHttpRequest) -> User:
    """The signed-in user, unwrapped from `request.user`'s SimpleLazyObject (loaded if it
    was not yet): the same object, without a proxy call on every attribute read."""
    if not isinstance(request.user, LazyObject):
        return request.user
    # `_wrapped` and `_setup()` are the wrapper's private side, which django-stubs leaves out.
    lazy: Any = request.user
    if lazy._wrapped is empty:
        lazy._setup()
    user: User = lazy._wrapped
    return user


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
def session_detail(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The session timeline: the bar, the moments as cards, and what is still open from
    earlier sessions. htmx requests for `timeline-live` or `timeline-bar` get that part only.
    """
    # The signed-in user itself, not the request's lazy wrapper: the template reads the
    # viewer's role and id on every card, and each read through the wrapper costs a proxy call.
    user = plain_user(request)
    target = request.htmx.target if request.htmx else None
    therapy_session = access.get_in_scope(access.sessions_for(user), session_id)
    if target not in ("timeline-bar", "timeline-live"):  # the whole page, with its pager
        access.add_neighbours(therapy_session)
    case = therapy_session.case
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

    check_ins = list(access.check_ins_of_session(user, therapy_session))
    answered = any(c.respondent_id == user.pk for c in check_ins)
    context.update(
        check_ins=check_ins,
        can_log=access.may_log_in(user, therapy_session),
        can_flag=access.may_flag_in(user, therapy_session),
        can_check_in=access.may_check_in_to(user, therapy_session) and not answered,
    )
    return render(request, "repairs/session_detail.html", context)


def _bar(ruptures: list, therapy_session: TherapySession) -> dict[str, list]:
    """The bar's context: moments placed at their minute, and those "not sure when"."""
    return {
        "placed": _marks(ruptures, therapy_session.minutes),
        "unplaced": [r for r in ruptures if r.minute is None],
    }


@login_required
def rupture_card(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    """One card, as the viewer sees it (htmx "cancel" and refreshes)."""
    if not request.htmx:
        rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
        return redirect(rupture.get_absolute_url())
    return render_card(request, rupture_id, event=False)


@login_required
def session_changes(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """Has anything in this session's case changed since revision `rev`?

    Open timelines ask every 15 s. Unchanged: 204 and nothing rendered (one indexed lookup
    after authentication). Changed: a short polite announcement, and an event that makes the
    timeline fetch its fresh moments.
    """
    revision = (
        access.sessions_for(request.user).filter(pk=session_id).values_list("case__revision")
    ).first()
    if revision is None:
        raise Http404
    if request.GET.get("rev") == str(revision[0]):
        return HttpResponse(status=204)
    response = HttpResponse("The timeline has been updated.")
    trigger_client_event(response, "timelineChanged")
    return response
