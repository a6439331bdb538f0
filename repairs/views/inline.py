"""How a timeline action answers, with and without JavaScript.

With htmx an action's form opens inside the moment's card and saving swaps the card (and
sends a `ruptureChanged` event so the rest of the page can refresh); without JavaScript the
same URLs are plain pages that redirect back to the timeline. Every action module (entries,
repair, thread, review marks) answers through these functions.
"""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from django.contrib import messages
from django.http import (
    HttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django_htmx.http import reswap, retarget, trigger_client_event

from repairs import access
from repairs.models import Rupture
from repairs.services import EditConflict
from rupturelog.http import AuthenticatedHttpRequest, see_other, whole_number
from sessions.models import Case

FORM_TEMPLATE = "repairs/action_form.html"

PAGE = "repairs/session_detail.html"

# Forms that add something: on success their slot shows a notice and the timeline reloads;
# every other form replaces the card it sits in.
CREATING = {"rupture_new", "flag_new"}


class FormPageArgs(TypedDict):
    """What an edit's form page says and where it posts, built once by the view for both
    `form_page` and `conflict`."""

    title: str
    action: str
    rupture: Rupture


def _card(request: AuthenticatedHttpRequest, rupture_id: int) -> Rupture:
    """The rupture as the viewer sees it, with its thread loaded, for the swapped card."""
    return access.get_in_scope(access.ruptures_with_threads(request.user), rupture_id)


def _poller(request: AuthenticatedHttpRequest, rupture: Rupture) -> str:
    """The page's "anything new?" poller at the case's new revision, swapped out of band,
    so the page does not reload what its own user just saved."""
    revision = Case.objects.filter(pk=rupture.case_id).values_list("revision", flat=True).get()
    context = {
        # The poller needs only the session's id (given as _page_session() gives it).
        "therapy_session": {"pk": rupture.therapy_session_id},
        "case_revision": revision,
        "oob": True,
    }
    return render_to_string(f"{PAGE}#poller", context, request=request)


def render_card(
    request: AuthenticatedHttpRequest, rupture_id: int, *, event: bool = True
) -> HttpResponse:
    """The fresh card (focus on its heading), plus the poller when something changed."""
    rupture = _card(request, rupture_id)
    context = {"rupture": rupture, "focus": True, "therapy_session": _page_session(request)}
    html = render_to_string(f"{PAGE}#rupture-card", context, request)
    if not event:
        return HttpResponse(html)
    response = HttpResponse(html + _poller(request, rupture))
    trigger_client_event(response, "ruptureChanged", {"id": rupture_id})
    return response


def _page_session(request: AuthenticatedHttpRequest) -> dict[str, int] | None:
    """The session whose timeline the card sits on, so a card carried over from an earlier
    session still says which session it belongs to."""
    if not request.htmx:
        return None
    try:
        # The HX-Current-URL header is whatever the browser (or anyone) sent; urlsplit()
        # raises ValueError for some, such as "http://[".
        current = request.htmx.current_url_abs_path
        if not current:
            return None
        match = resolve(current.split("?")[0])
    except (ValueError, Resolver404):
        return None
    if match.url_name != "session_detail":
        return None
    return {"pk": match.kwargs["session_id"]}


def _notice(message: str, link: str = "") -> str:
    return render_to_string("repairs/notice.html", {"message": message, "link": link})


def done(
    request: AuthenticatedHttpRequest, rupture: Rupture, message: str, *, created: bool = False
) -> HttpResponse:
    """After a successful write: the fresh card for htmx, a redirect (303) otherwise."""
    if request.htmx:
        if created:
            # The form sat above the timeline; the timeline reloads with the new card in it.
            response = HttpResponse(_notice(message, f"#rupture-{rupture.pk}"))
            trigger_client_event(response, "timelineChanged")
            return response
        if not access.ruptures_for(request.user).filter(pk=rupture.pk).exists():
            # Withdrawn: the card goes; the page hears about it and tidies the bar.
            response = HttpResponse(_notice(message) + _poller(request, rupture))
            trigger_client_event(response, "ruptureChanged", {"id": rupture.pk})
            return response
        return render_card(request, rupture.pk)
    messages.success(request, message)
    return see_other(rupture.therapy_session.get_absolute_url() + f"#rupture-{rupture.pk}")


def form_page(
    request: AuthenticatedHttpRequest,
    *,
    form: Any,
    title: str,
    action: str,
    rupture: Rupture | None = None,
    therapy_session: Any = None,
    submit: str = "Save",
    status: int = 200,
    conflict: Any = None,
) -> HttpResponse:
    """The form alone for htmx (opened inside the card), or a full page without JS."""
    therapy_session = therapy_session or (rupture.therapy_session if rupture else None)
    match = request.resolver_match  # always set while a view runs
    context = {
        "form": form,
        "creating": rupture is None or (match is not None and match.url_name in CREATING),
        "title": title,
        "action": action,
        "rupture": rupture,
        "therapy_session": therapy_session,
        "submit": submit,
        "conflict": conflict,
    }
    template = f"{FORM_TEMPLATE}#action-form" if request.htmx else FORM_TEMPLATE
    response = render(request, template, context, status=status)
    if request.htmx and rupture is not None and request.method == "POST":
        # A failed save re-renders the form where it was, not in place of the card.
        retarget(response, f"#slot-{rupture.pk}")
        reswap(response, "innerHTML")
    return response


def conflict(
    request: AuthenticatedHttpRequest,
    *,
    form: Any,
    error: EditConflict,
    form_kwargs: dict[str, Any] | None = None,
    **page: Unpack[FormPageArgs],
) -> HttpResponse:
    """Someone else saved first: show both versions; keep the editor's text in the form."""
    data = form.data.copy()
    data["version"] = str(error.current.version)
    form = type(form)(data, **(form_kwargs or {}))
    form.is_valid()
    return form_page(request, form=form, status=409, conflict=error.current, **page)


def form_version(form: Any) -> int:
    """The version the editor loaded; a form without one is treated as stale."""
    version = form.cleaned_data.get("version")
    return version if version is not None else -1


def posted_version(request: AuthenticatedHttpRequest) -> int:
    version = whole_number(request.POST.get("version", ""))
    return version if version is not None else -1


def stale(request: AuthenticatedHttpRequest, rupture: Rupture) -> HttpResponse:
    """A one-click action on a card that changed since the page loaded: show the fresh card."""
    message = "This entry changed since you opened the page. Here is the current version."
    if request.htmx:
        response = render_card(request, rupture.pk)
        response.status_code = 409
        return response
    messages.error(request, message)
    response = see_other(rupture.get_absolute_url())
    return response
