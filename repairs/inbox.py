"""The inbox, the cheap "anything new?" requests behind live pages, and check-ins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from repairs import services
from repairs.forms import CheckInForm
from rupturelog import access
from rupturelog.accounts.models import Role
from rupturelog.http import posted, see_other


def _unread(request: HttpRequest):
    return access.inbox_for(request.user).filter(read_at__isnull=True)


@login_required
def session_changes(request: HttpRequest, session_id: int) -> HttpResponse:
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


@login_required
def inbox_badge(request: HttpRequest) -> HttpResponse:
    """The unread count in the header; 204 when it is still `n`."""
    count = _unread(request).count()
    if request.GET.get("n") == str(count):
        return HttpResponse(status=204)
    return render(request, "base.html#inbox-badge", {"unread_count": count})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(access.inbox_for(request.user), pk=item_id)
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    if request.POST.get("open"):
        return see_other(item.get_absolute_url())
    return see_other("home")


@login_required
@require_POST
def inbox_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = _unread(request).update(read_at=timezone.now())
    messages.success(request, f"Marked {count} item{'s' if count != 1 else ''} as read.")
    return see_other("home")


@login_required
@require_POST
def notify_preference(request: HttpRequest) -> HttpResponse:
    """A therapist turns email notices on or off. The emails carry no clinical text."""
    if request.user.role != Role.THERAPIST:
        raise Http404
    request.user.notify_by_email = request.POST.get("notify_by_email") == "on"
    request.user.save(update_fields=["notify_by_email"])
    messages.success(
        request,
        "You will get an email when a client shares a flag or replies."
        if request.user.notify_by_email
        else "Email notices are off.",
    )
    return see_other("home")


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, session_id: int) -> HttpResponse:
    """The short questionnaire after a session, once per person per session."""
    if request.user.role not in (Role.CLIENT, Role.THERAPIST):
        raise Http404
    therapy_session = get_object_or_404(access.flaggable_sessions_for(request.user), pk=session_id)
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
