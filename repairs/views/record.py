"""The client's right of access: their whole record as a page and as JSON, and who opened
their record and when."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import render

from repairs import access
from repairs.record import record_for
from rupturelog.audit import pages
from rupturelog.audit.middleware import note_export
from rupturelog.audit.models import AccessEvent
from rupturelog.http import AuthenticatedHttpRequest


@login_required
def my_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A client's whole record as a readable page (print it, or save it as PDF)."""
    access.require(access.may_read_own_record(request.user))
    return render(request, "repairs/my_record.html", {"record": record_for(request.user)})


@login_required
def my_record_json(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The same record as JSON, to keep or to take elsewhere."""
    access.require(access.may_read_own_record(request.user))
    note_export()
    response = JsonResponse(record_for(request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-rupturelog-record.json"'
    return response


@login_required
def record_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(access.may_read_own_record(request.user))
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
            "what": pages.client_words(event.page),
        }
        for event in page.object_list
    ]
    return render(request, "audit/record_access.html", {"page": page, "rows": rows})
