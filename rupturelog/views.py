"""The role-aware home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rupturelog import access
from rupturelog.accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {}
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
    return render(request, f"home/{user.role}.html", context)
