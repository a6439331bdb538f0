"""Request helpers every app's views share: the 303 after a POST, the form data to bind,
ids typed as digits, and the request types the views and middlewares are annotated with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from rupturelog.accounts.models import User


class TracedHttpRequest(HttpRequest):
    """A request the access log's middleware has given its id (every request here has one):
    the X-Request-ID it sent, if well formed, or a fresh one; echoed in the response, and
    written in the log lines and the access events of the request."""

    request_id: str


class HtmxHttpRequest(TracedHttpRequest):
    """A request that went through django-htmx's middleware (every request here does)."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request behind `login_required`: `user` is a signed-in `User`, never anonymous."""

    user: User


def see_other(to: str) -> HttpResponseRedirect:
    """A 303 "see other" after a POST, to a URL or a URL name. Not `redirect(to,
    status=303)`: `redirect()` has no `status` argument and passes it on to `reverse()`,
    giving a 302 for a URL and a 500 (NoReverseMatch) for a URL name."""
    return HttpResponseRedirect(resolve_url(to), status=303)


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET. Not `request.POST or None`: an
    empty POST is falsy, and the form would come back unbound, with no error to say why."""
    return request.POST if request.method == "POST" else None


def whole_number(raw: str) -> int | None:
    """An id or version typed as plain digits, or None. Not `raw.isdigit()` then `int(raw)`:
    isdigit() also accepts "²" and other digits int() refuses, and int() refuses more than
    4300 digits; no id or version here has more than 20."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 20:
        return int(raw)
    return None
