"""The role-aware home page: the therapist's inbox, the client's "how was it?", the
supervisor's cases, the administrator's way into the admin."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpResponse,
)
from django.shortcuts import render
from django.utils import timezone

from repairs import access, review
from rupturelog.accounts.models import Role
from rupturelog.http import AuthenticatedHttpRequest

# Check-ins are offered for sessions this recent; older ones are past remembering well.
CHECK_IN_WINDOW = timedelta(days=14)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {}
    if user.role in (Role.CLIENT, Role.THERAPIST):
        now = timezone.now()
        sessions = access.sessions_for(user)
        context["unread_items"] = list(access.inbox_for(user).filter(read_at__isnull=True)[:100])
        context["check_in_due"] = list(
            sessions.filter(starts_at__lte=now, starts_at__gte=now - CHECK_IN_WINDOW)
            .exclude(check_ins__respondent=user)
            .order_by("-starts_at")[:10]
        )
    if user.role == Role.CLIENT:
        context["therapy_sessions"] = access.with_session_counts(
            access.sessions_for(user), user
        ).order_by("-starts_at")
    elif user.role in (Role.THERAPIST, Role.SUPERVISOR):
        context["cases"] = access.with_case_counts(access.cases_for(user), user).order_by(
            "therapist__display_name", "closed_on", "client__display_name", "pk"
        )
        if user.role == Role.SUPERVISOR:
            context["therapists"] = access.supervised_therapists(user)
        else:
            context["alerts"] = review.alerts(user, [user.pk], limit=20)
            context["open_ruptures"] = list(
                access.caseload_ruptures_for(user)
                .filter(status__in=access.UNRESOLVED)
                .select_related("case__client")
                .order_by("therapy_session__starts_at", "pk")[:50]
            )
    return render(request, f"home/{user.role}.html", context)
