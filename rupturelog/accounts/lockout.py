"""How django-axes tells people apart, and what a locked-out sign-in sees.

Axes counts failed sign-ins per (email, IP address) pair in the database (its
AccessAttempt table), so every app server sees the same counts: the app servers stay
stateless. Five failures pause that pair for 15 minutes; see settings.py.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rupturelog.accounts.forms import EmailLoginForm

# The same words whether or not the email belongs to an account: nothing here may tell a
# stranger who has an account at the practice.
LOCKOUT_MESSAGE = (
    "Too many attempts. Sign-in from this device for this email is paused for 15 minutes. "
    "If you have forgotten your password, you can reset it by email."
)


def client_ip(request: HttpRequest) -> str | None:
    """The address a sign-in came from.

    Behind the TLS proxy (BEHIND_TLS_PROXY), REMOTE_ADDR is the proxy's own address, so
    every sign-in would share one count; the proxy appends the address it saw to
    X-Forwarded-For, and that last entry is the one it vouches for. Earlier entries were
    sent by the browser and can say anything, so they are never used. (django-ipware is not
    installed, so axes' AXES_IPWARE_* settings would do nothing: this is the equivalent of
    proxy_count=1 with the right-most entry.)
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return request.META.get("REMOTE_ADDR") or None


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The email a sign-in was for, lower-cased like our login form does, so "Ann@x" and
    "ann@x" share one count (the admin's own login form does not lower-case)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(raw).strip().lower()[:254]


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The login page again, with an empty form and the lockout message, as 429. The email
    is not echoed back, so the page is byte-for-byte the same for any email."""
    return render(
        request,
        "registration/login.html",
        {"form": EmailLoginForm(request), "lockout_message": LOCKOUT_MESSAGE, "next": ""},
        status=429,
    )
