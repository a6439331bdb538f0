"""A person's own entry on the timeline: a therapist logs a moment, a client flags one;
editing, sharing a draft, withdrawing; the therapist links a client's flag to their own
entry; the client says how they saw a therapist's shared entry."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from repairs import access, services
from repairs.codes import ClientView, Visibility
from repairs.forms import (
    ClientFlagForm,
    ClientViewForm,
    LinkForm,
    TherapistRuptureForm,
    when_initial,
)
from repairs.models import Rupture
from repairs.services import EditConflict, RuptureData
from repairs.views.inline import (
    FormPageArgs,
    conflict,
    done,
    form_page,
    form_version,
    posted_version,
    stale,
)
from rupturelog.http import AuthenticatedHttpRequest, posted, see_other, whole_number
from sessions.models import RespondentRole


@login_required
@require_http_methods(["GET", "POST"])
def rupture_new(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """A therapist logs a rupture in one of their sessions (after the session, usually)."""
    therapy_session = access.get_in_scope(access.sessions_for(request.user), session_id)
    access.require(access.may_log_in(request.user, therapy_session))
    counterpart = None
    if flag_id := request.GET.get("view_of") or request.POST.get("view_of"):
        counterpart = _linkable_flag(request, flag_id)
        if counterpart.therapy_session_id != therapy_session.pk:
            # "My view of" a moment belongs in the moment's own session; anything else would
            # pair reports across sessions (or across two clients' cases).
            raise Http404
    form = TherapistRuptureForm(posted(request), therapy_session=therapy_session)
    if counterpart is not None and request.method == "GET":
        form.initial.update(minute=counterpart.minute, recognised=counterpart.recognised)
    if request.method == "POST" and form.is_valid():
        rupture = services.rupture_create(
            author=request.user,
            therapy_session=therapy_session,
            data=form.to_data(),
            counterpart=counterpart,
        )
        return done(request, rupture, "Your entry is saved.", created=True)
    return form_page(
        request,
        form=form,
        title="Your view of this moment" if counterpart else "Log a rupture",
        action=request.get_full_path(),
        therapy_session=therapy_session,
        rupture=counterpart,
        submit="Save entry",
    )


def _linkable_flag(request: AuthenticatedHttpRequest, flag_id: str) -> Rupture:
    """A shared client flag in the therapist's own case that is not linked yet."""
    pk = whole_number(flag_id)
    if pk is None:
        raise Http404
    flag = access.get_in_scope(access.ruptures_for(request.user), pk)
    access.require(access.may_link(request.user, flag))
    return flag


@login_required
@require_http_methods(["GET", "POST"])
def flag_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Flag a moment": a client tells their therapist (or keeps a draft) in their own words."""
    access.require(access.may_flag(request.user))
    sessions = access.flaggable_sessions_for(request.user).order_by("-starts_at")
    form = ClientFlagForm(posted(request), sessions=sessions)
    if request.method == "GET":
        chosen = whole_number(request.GET.get("session", ""))
        latest = sessions.first()
        if chosen is not None and sessions.filter(pk=chosen).exists():
            form.initial["therapy_session"] = chosen
        elif latest is not None:
            form.initial["therapy_session"] = latest.pk
    if request.method == "POST" and form.is_valid():
        rupture = services.rupture_create(
            author=request.user,
            therapy_session=form.cleaned_data["therapy_session"],
            data=form.to_data(),
        )
        shared = rupture.visibility == Visibility.SHARED
        message = (
            "Thank you. Your therapist can now see this moment."
            if shared
            else "Saved as a private draft. Only you can see it until you share it."
        )
        if request.htmx:
            return done(request, rupture, message, created=True)
        messages.success(request, message)
        return see_other(rupture.get_absolute_url())
    # No session to flag a moment in: the page says so instead of showing the form.
    return render(request, "repairs/flag_form.html", {"form": form if sessions.exists() else None})


@login_required
@require_http_methods(["GET", "POST"])
def rupture_edit(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_edit(request.user, rupture))
    if rupture.author_role == RespondentRole.CLIENT:
        form_class: Any = ClientFlagForm
        form_kwargs: dict[str, Any] = {
            "sessions": access.flaggable_sessions_for(request.user).filter(
                pk=rupture.therapy_session_id
            )
        }
        initial = {
            "therapy_session": rupture.therapy_session_id,
            "account": rupture.account,
            "feelings": rupture.feelings,
            "intensity": rupture.intensity,
            "visibility": rupture.visibility,
            **when_initial(rupture.minute, rupture.therapy_session.minutes),
        }
    else:
        form_class = TherapistRuptureForm
        form_kwargs = {"therapy_session": rupture.therapy_session}
        initial = {
            "minute": rupture.minute,
            "recognised": rupture.recognised,
            "family": rupture.family,
            "markers": rupture.markers,
            "causes": rupture.causes,
            "intensity": rupture.intensity,
            "account": rupture.account,
            "visibility": rupture.visibility,
        }
    initial["version"] = rupture.version
    form = form_class(posted(request), initial=initial, **form_kwargs)
    if rupture.visibility == Visibility.SHARED:
        # The other side may already have read and answered it; taking it back would hide
        # their replies and repair from them. A shared entry can be withdrawn instead.
        form.fields["visibility"].choices = [
            (Visibility.SHARED, "Shared (to take it back, withdraw it instead)")
        ]
    page: FormPageArgs = {"title": "Edit your entry", "action": request.path, "rupture": rupture}
    if request.method == "POST" and form.is_valid():
        data: RuptureData = form.to_data()
        try:
            services.rupture_update(rupture, expected_version=form_version(form), data=data)
        except EditConflict as error:
            # `rupture` now holds the refused edit; the page shows the moment as saved (a
            # conflict in rupture_update carries the stored rupture).
            page["rupture"] = cast(Rupture, error.current)
            return conflict(request, form=form, error=error, form_kwargs=form_kwargs, **page)
        return done(request, rupture, "Your changes are saved.")
    return form_page(request, form=form, **page)


@login_required
@require_POST
def rupture_share(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_share(request.user, rupture))
    try:
        services.rupture_share(rupture, expected_version=posted_version(request))
    except EditConflict:
        return stale(request, rupture)
    return done(request, rupture, "Shared. Your therapist can now see this moment.")


@login_required
@require_POST
def rupture_withdraw(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_edit(request.user, rupture))
    try:
        services.rupture_withdraw(rupture, expected_version=posted_version(request))
    except EditConflict:
        return stale(request, rupture)
    return done(request, rupture, "Withdrawn. It no longer shows on the timeline.")


@login_required
@require_http_methods(["GET", "POST"])
def rupture_link(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    """The therapist joins a client's flag to their own entry for the same moment."""
    flag = _linkable_flag(request, str(rupture_id))
    entries = access.ruptures_for(request.user).filter(
        author_id=request.user.pk, case_id=flag.case_id, counterpart__isnull=True
    )
    form = LinkForm(posted(request), entries=entries)
    if request.method == "POST" and form.is_valid():
        services.rupture_link(flag, form.cleaned_data["own_entry"])
        return done(request, flag, "Linked: both reports now show as one moment.")
    return form_page(
        request,
        form=form,
        title="Link to your entry for the same moment",
        action=request.path,
        rupture=flag,
        submit="Link",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rupture_client_view(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    """On a therapist's shared entry, the client says whether they saw it the same way."""
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_give_client_view(request.user, rupture))
    form = ClientViewForm(posted(request), initial={"client_view": rupture.client_view})
    if request.method == "POST" and form.is_valid():
        services.rupture_set_client_view(rupture, client_view=form.cleaned_data["client_view"])
        label = ClientView(form.cleaned_data["client_view"]).label
        return done(request, rupture, f"Thank you. Your therapist will see: “{label}”.")
    return form_page(
        request, form=form, title="How did you see it?", action=request.path, rupture=rupture
    )
