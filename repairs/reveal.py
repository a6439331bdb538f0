"""A supervisor asking to see a client's real name.

Supervisors see clients by pseudonym. Now and then they need the name (a safeguarding
concern, a handover); they can see it, one case at a time, after choosing why, and the
access log records the reveal with that reason. The client sees it on "Who opened your
record". The name is shown in the answer to that request only, never remembered.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from repairs.forms import RevealForm
from repairs.views import case_detail_response
from rupturelog import access
from rupturelog.audit.middleware import note_reveal


@login_required
@require_POST
def reveal_name(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(access.cases_for(request.user).select_related("client"), pk=case_id)
    if not access.sees_client_by_pseudonym(request.user, case):
        raise Http404  # the client and their therapist already see the name
    form = RevealForm(request.POST)
    if not form.is_valid():
        return case_detail_response(request, case, reveal_form=form, status=400)
    note_reveal(form.cleaned_data["reason"])
    name = case.client.display_name
    return case_detail_response(request, case, reveal_form=form, revealed_name=name)
