"""No page works for a logged-in person until their second step is done.

After the password, someone who has an authenticator app set up is sent to the code page;
a clinician or administrator without one is sent to set it up. Only logging out, the health
checks and the pages of that step itself stay open. Static files never reach this (whitenoise
answers them first).

Runs in __call__, before the access log: a refused request never reaches a view, so it is
never logged as a view of clinical data. The URL is resolved here for its name; an unknown
URL is refused the same way, so nothing about the app's URLs is learnt before the code.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, get_resolver, reverse
from django_htmx.middleware import HtmxDetails

from rupturelog.mfa import services

OPEN_TO_ALL = frozenset({"logout", "healthz", "readyz"})
# Someone with an app who has not typed a code yet.
OPEN_WHILE_PENDING = frozenset({"mfa_verify"})
# A clinician or administrator who has not set an app up yet.
OPEN_WHILE_SETTING_UP = frozenset({"mfa_enrol", "mfa_backup_codes"})


def _url_name(request: HttpRequest) -> str | None:
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


def _send_to(request: HttpRequest, url_name: str) -> HttpResponse:
    # Read here: django-htmx's middleware comes later in the chain than this one.
    htmx = HtmxDetails(request)
    if htmx:
        # An htmx request cannot follow a redirect to a whole page: the browser goes there.
        back = htmx.current_url_abs_path or "/"
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{reverse(url_name)}?{urlencode({'next': back})}"
        return response
    # After the code, back to the page asked for; a form sent meanwhile is not resent.
    back = request.get_full_path() if request.method in ("GET", "HEAD") else "/"
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': back})}")


class TwoStepRequest(HttpRequest):
    """A request as this middleware sees it: it may flag the second step as not done, for
    base.html, which then leaves out what would lead elsewhere (unset reads as false)."""

    two_step_incomplete: bool


class TwoStepMiddleware:
    """Must come after django_otp's OTPMiddleware (request.user.is_verified)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TwoStepRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _refusal(self, request: TwoStepRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if services.has_two_step(user):
            step, open_pages = "mfa_verify", OPEN_WHILE_PENDING
        elif services.is_required(user):
            step, open_pages = "mfa_enrol", OPEN_WHILE_SETTING_UP
        else:
            return None  # a client who has not turned it on
        # The page template leaves out what would lead elsewhere (inbox badge, admin link).
        request.two_step_incomplete = True
        name = _url_name(request)
        if name in OPEN_TO_ALL or name in open_pages:
            return None
        return _send_to(request, step)
