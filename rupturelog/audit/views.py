"""A client's view of who opened their record and when."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from rupturelog import access
from rupturelog.accounts.models import Role
from rupturelog.audit.models import AccessEvent
from rupturelog.http import AuthenticatedHttpRequest

# What each page is, in words a client understands.
PAGE_WORDS = {
    "case_detail": "your sessions overview",
    "reveal_name": "your real name (supervisors otherwise see a pseudonym)",
    "session_detail": "a session's timeline",
    "rupture_card": "a moment on the timeline",
    "rupture_history": "the history of a moment",
    "step_history": "the history of a repair step",
    "note_history": "the history of a note",
    "home": "their home page",
    "review_ruptures": "a list of moments for supervision",
    "review_export_ruptures": "an export for supervision (without your name)",
    "review_export_steps": "an export for supervision (without your name)",
}


@login_required
def record_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role != Role.CLIENT:
        raise Http404
    case_ids = list(access.cases_for(request.user).values_list("pk", flat=True))
    events = (
        AccessEvent.objects.filter(case_id__in=case_ids)
        .exclude(user=request.user)
        .select_related("user")
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "event": event,
            "what": PAGE_WORDS.get(event.page, "a part of your record"),
        }
        for event in page.object_list
    ]
    return render(request, "audit/record_access.html", {"page": page, "rows": rows})
