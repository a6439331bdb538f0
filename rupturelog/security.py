"""Request and response rules that hold on every page: nothing clinical in any cache,
sessions that end when idle or old, and a logout that clears what the browser kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from rupturelog.http import HtmxHttpRequest

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 60 * 60
# Writing the session on every request would cost a query each; a minute's precision is
# plenty for a 30-minute idle limit.
TOUCH_EVERY_SECONDS = 60
# The background "anything new?" requests of open pages are not activity: a tab left open
# must still time out.
BACKGROUND_URL_NAMES = {"session_changes", "inbox_badge"}


class SessionLimitsMiddleware:
    """Log out after 30 minutes without activity, and 12 hours after logging in.

    In process_view, once the URL is resolved, so background polls can be told apart."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HtmxHttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now = int(time.time())
        started = request.session.setdefault("started_at", now)
        last_seen = request.session.setdefault("last_seen", now)
        if now - last_seen > IDLE_SECONDS or now - started > ABSOLUTE_SECONDS:
            logout(request)
            login = reverse("login")
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = login
                return response
            return redirect(f"{login}?next={request.path}")
        # process_view runs once the URL is resolved: resolver_match is always set here.
        match = request.resolver_match
        background = match is not None and match.url_name in BACKGROUND_URL_NAMES
        if not background and now - last_seen >= TOUCH_EVERY_SECONDS:
            request.session["last_seen"] = now
        return None


class NoStoreMiddleware:
    """Pages for a logged-in person are never stored by the browser or any proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


class ClearingLogoutView(LogoutView):
    """Log out, and ask the browser to drop its cache, cookies and storage for this site."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response
