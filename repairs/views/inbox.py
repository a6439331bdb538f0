"""The inbox: the unread badge in the header (asked for in the background), marking items
read, and a therapist's email notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from repairs import access
from rupturelog.http import AuthenticatedHttpRequest, see_other


def _unread(request: AuthenticatedHttpRequest):
    return access.inbox_for(request.user).filter(read_at__isnull=True)


@login_required
def inbox_badge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The unread count in the header; 204 when it is still `n`."""
    count = _unread(request).count()
    if request.GET.get("n") == str(count):
        return HttpResponse(status=204)
    return render(request, "base.html#inbox-badge", {"unread_count": count})


@login_required
@require_POST
def inbox_mark_read(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = access.get_in_scope(access.inbox_for(request.user), item_id)
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    if request.POST.get("open"):
        return see_other(item.get_absolute_url())
    return see_other("home")


@login_required
@require_POST
def inbox_mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = _unread(request).update(read_at=timezone.now())
    messages.success(request, f"Marked {count} item{'s' if count != 1 else ''} as read.")
    return see_other("home")


@login_required
@require_POST
def notify_preference(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A therapist turns email notices on or off. The emails carry no clinical text."""
    access.require(access.may_set_notices(request.user))
    request.user.notify_by_email = request.POST.get("notify_by_email") == "on"
    request.user.save(update_fields=["notify_by_email"])
    messages.success(
        request,
        "You will get an email when a client shares a flag or replies."
        if request.user.notify_by_email
        else "Email notices are off.",
    )
    return see_other("home")
