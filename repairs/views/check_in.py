"""The short questionnaire after a session, answered once by each side."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import (
    HttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from repairs import access, services
from repairs.forms import CheckInForm
from rupturelog.http import AuthenticatedHttpRequest, posted, see_other


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The short questionnaire after a session, once per person per session."""
    therapy_session = access.get_in_scope(access.sessions_for(request.user), session_id)
    access.require(access.may_check_in_to(request.user, therapy_session))
    if therapy_session.check_ins.filter(respondent=request.user).exists():
        messages.info(request, "You have already answered the check-in for this session.")
        return see_other(therapy_session.get_absolute_url())
    form = CheckInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_save(therapy_session, respondent=request.user, **form.cleaned_data)
        except IntegrityError:
            # The same person answered twice at once (two tabs); the first answer stands.
            messages.info(request, "You have already answered the check-in for this session.")
            return see_other(therapy_session.get_absolute_url())
        messages.success(request, "Thank you for your check-in.")
        return see_other("home")
    return render(
        request, "repairs/check_in.html", {"form": form, "therapy_session": therapy_session}
    )
