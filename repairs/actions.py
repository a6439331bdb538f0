"""Writing to the timeline: log, flag, edit, share, withdraw, link, repair, reply.

Every action works two ways. With htmx the form opens inside the rupture's card and saving
swaps the card (and sends a `ruptureChanged` event so the rest of the page can refresh);
without JavaScript the same URLs are plain pages that redirect back to the timeline.
Objects come from rupturelog/access.py only, so someone else's id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from repairs import services
from repairs.codes import ClientView, Visibility
from repairs.forms import (
    ClientFlagForm,
    ClientViewForm,
    LinkForm,
    NoteEditForm,
    NoteForm,
    RepairStepForm,
    StatusForm,
    TherapistRuptureForm,
    when_initial,
)
from repairs.models import Rupture
from repairs.services import EditConflict, RuptureData
from rupturelog import access
from rupturelog.accounts.models import Role
from rupturelog.http import posted, see_other, whole_number
from sessions.models import Case, RespondentRole

FORM_TEMPLATE = "repairs/action_form.html"


# --- Responses shared by every action ---------------------------------------------------


def _card(request: HttpRequest, rupture_id: int) -> Rupture:
    """The rupture as the viewer sees it, with its thread loaded, for the swapped card."""
    return get_object_or_404(access.ruptures_with_threads(request.user), pk=rupture_id)


PAGE = "repairs/session_detail.html"
# Forms that add something: on success their slot shows a notice and the timeline reloads;
# every other form replaces the card it sits in.
CREATING = {"rupture_new", "flag_new"}


def _poller(request: HttpRequest, rupture: Rupture) -> str:
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


def render_card(request: HttpRequest, rupture_id: int, *, event: bool = True) -> HttpResponse:
    """The fresh card (focus on its heading), plus the poller when something changed."""
    rupture = _card(request, rupture_id)
    context = {"rupture": rupture, "focus": True, "therapy_session": _page_session(request)}
    html = render_to_string(f"{PAGE}#rupture-card", context, request)
    if not event:
        return HttpResponse(html)
    response = HttpResponse(html + _poller(request, rupture))
    trigger_client_event(response, "ruptureChanged", {"id": rupture_id})
    return response


def _page_session(request: HttpRequest) -> dict[str, int] | None:
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


def _done(
    request: HttpRequest, rupture: Rupture, message: str, *, created: bool = False
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


def _form_page(
    request: HttpRequest,
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
    context = {
        "form": form,
        "creating": rupture is None or request.resolver_match.url_name in CREATING,
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


def _conflict(request: HttpRequest, *, form: Any, error: EditConflict, **kwargs: Any):
    """Someone else saved first: show both versions; keep the editor's text in the form."""
    data = form.data.copy()
    data["version"] = str(error.current.version)
    form = type(form)(data, **kwargs.pop("form_kwargs", {}))
    form.is_valid()
    return _form_page(request, form=form, status=409, conflict=error.current, **kwargs)


# --- Creating entries -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rupture_new(request: HttpRequest, session_id: int) -> HttpResponse:
    """A therapist logs a rupture in one of their sessions (after the session, usually)."""
    if request.user.role != Role.THERAPIST:
        raise Http404
    therapy_session = get_object_or_404(access.flaggable_sessions_for(request.user), pk=session_id)
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
        return _done(request, rupture, "Your entry is saved.", created=True)
    return _form_page(
        request,
        form=form,
        title="Your view of this moment" if counterpart else "Log a rupture",
        action=request.get_full_path(),
        therapy_session=therapy_session,
        rupture=counterpart,
        submit="Save entry",
    )


def _linkable_flag(request: HttpRequest, flag_id: str) -> Rupture:
    """A shared client flag in the therapist's own case that is not linked yet."""
    pk = whole_number(flag_id)
    if pk is None:
        raise Http404
    return get_object_or_404(
        access.caseload_ruptures_for(request.user).filter(
            author_role=RespondentRole.CLIENT, counterpart__isnull=True
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_new(request: HttpRequest) -> HttpResponse:
    """ "Flag a moment": a client tells their therapist (or keeps a draft) in their own words."""
    if request.user.role != Role.CLIENT:
        raise Http404
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
            return _done(request, rupture, message, created=True)
        messages.success(request, message)
        return see_other(rupture.get_absolute_url())
    if not sessions.exists():
        form = None
    return render(request, "repairs/flag_form.html", {"form": form})


# --- Changing an entry ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rupture_edit(request: HttpRequest, rupture_id: int) -> HttpResponse:
    rupture = get_object_or_404(access.own_ruptures_for(request.user), pk=rupture_id)
    if rupture.author_role == RespondentRole.CLIENT:
        form_class: Any = ClientFlagForm
        form_kwargs = {
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
    page = {"title": "Edit your entry", "action": request.path, "rupture": rupture}
    if request.method == "POST" and form.is_valid():
        data: RuptureData = form.to_data()
        try:
            services.rupture_update(rupture, expected_version=_version(form), data=data)
        except EditConflict as error:
            # `rupture` now holds the refused edit; the page shows the moment as saved.
            page["rupture"] = error.current
            return _conflict(request, form=form, error=error, form_kwargs=form_kwargs, **page)
        return _done(request, rupture, "Your changes are saved.")
    return _form_page(request, form=form, **page)


def _version(form: Any) -> int:
    """The version the editor loaded; a form without one is treated as stale."""
    version = form.cleaned_data.get("version")
    return version if version is not None else -1


@login_required
@require_POST
def rupture_share(request: HttpRequest, rupture_id: int) -> HttpResponse:
    rupture = get_object_or_404(
        access.own_ruptures_for(request.user).filter(visibility=Visibility.PRIVATE),
        pk=rupture_id,
    )
    try:
        services.rupture_share(rupture, expected_version=_posted_version(request))
    except EditConflict:
        return _stale(request, rupture)
    return _done(request, rupture, "Shared. Your therapist can now see this moment.")


@login_required
@require_POST
def rupture_withdraw(request: HttpRequest, rupture_id: int) -> HttpResponse:
    rupture = get_object_or_404(access.own_ruptures_for(request.user), pk=rupture_id)
    try:
        services.rupture_withdraw(rupture, expected_version=_posted_version(request))
    except EditConflict:
        return _stale(request, rupture)
    return _done(request, rupture, "Withdrawn. It no longer shows on the timeline.")


def _posted_version(request: HttpRequest) -> int:
    version = whole_number(request.POST.get("version", ""))
    return version if version is not None else -1


def _stale(request: HttpRequest, rupture: Rupture) -> HttpResponse:
    """A one-click action on a card that changed since the page loaded: show the fresh card."""
    message = "This entry changed since you opened the page. Here is the current version."
    if request.htmx:
        response = render_card(request, rupture.pk)
        response.status_code = 409
        return response
    messages.error(request, message)
    response = see_other(rupture.get_absolute_url())
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rupture_status(request: HttpRequest, rupture_id: int) -> HttpResponse:
    """The therapist sets where things stand and what was agreed."""
    rupture = get_object_or_404(access.caseload_ruptures_for(request.user), pk=rupture_id)
    initial = {"status": rupture.status, "agreement": rupture.agreement, "version": rupture.version}
    form = StatusForm(posted(request), initial=initial)
    page = {"title": "Where things stand", "action": request.path, "rupture": rupture}
    if request.method == "POST" and form.is_valid():
        try:
            services.rupture_set_status(
                rupture,
                expected_version=_version(form),
                status=form.cleaned_data["status"],
                agreement=form.cleaned_data["agreement"],
            )
        except EditConflict as error:
            return _conflict(request, form=form, error=error, **page)
        return _done(request, rupture, "Status saved.")
    return _form_page(request, form=form, **page)


@login_required
@require_http_methods(["GET", "POST"])
def rupture_link(request: HttpRequest, rupture_id: int) -> HttpResponse:
    """The therapist joins a client's flag to their own entry for the same moment."""
    flag = _linkable_flag(request, str(rupture_id))
    entries = access.own_ruptures_for(request.user).filter(
        case_id=flag.case_id, counterpart__isnull=True
    )
    form = LinkForm(posted(request), entries=entries)
    if request.method == "POST" and form.is_valid():
        services.rupture_link(flag, form.cleaned_data["own_entry"])
        return _done(request, flag, "Linked: both reports now show as one moment.")
    return _form_page(
        request,
        form=form,
        title="Link to your entry for the same moment",
        action=request.path,
        rupture=flag,
        submit="Link",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rupture_client_view(request: HttpRequest, rupture_id: int) -> HttpResponse:
    """On a therapist's shared entry, the client says whether they saw it the same way."""
    if request.user.role != Role.CLIENT:
        raise Http404
    rupture = get_object_or_404(
        access.ruptures_for(request.user).filter(
            author_role=RespondentRole.THERAPIST, visibility=Visibility.SHARED
        ),
        pk=rupture_id,
    )
    form = ClientViewForm(posted(request), initial={"client_view": rupture.client_view})
    if request.method == "POST" and form.is_valid():
        services.rupture_set_client_view(rupture, client_view=form.cleaned_data["client_view"])
        label = ClientView(form.cleaned_data["client_view"]).label
        return _done(request, rupture, f"Thank you. Your therapist will see: “{label}”.")
    return _form_page(
        request, form=form, title="How did you see it?", action=request.path, rupture=rupture
    )


# --- Repair steps and the thread --------------------------------------------------------


def _step_sessions(request: HttpRequest, rupture: Rupture):
    """This session or a later one in the same case."""
    return (
        access.sessions_for(request.user)
        .filter(case_id=rupture.case_id, number__gte=rupture.therapy_session.number)
        .order_by("number")
    )


@login_required
@require_http_methods(["GET", "POST"])
def repair_step_new(request: HttpRequest, rupture_id: int) -> HttpResponse:
    rupture = get_object_or_404(access.caseload_ruptures_for(request.user), pk=rupture_id)
    form_kwargs = {"sessions": _step_sessions(request, rupture)}
    form = RepairStepForm(
        posted(request), initial={"therapy_session": rupture.therapy_session_id}, **form_kwargs
    )
    if request.method == "POST" and form.is_valid():
        services.repair_step_add(rupture, author=request.user, data=form.to_data())
        return _done(request, rupture, "Repair step added.")
    return _form_page(
        request, form=form, title="Add a repair step", action=request.path, rupture=rupture
    )


@login_required
@require_http_methods(["GET", "POST"])
def repair_step_edit(request: HttpRequest, step_id: int) -> HttpResponse:
    step = get_object_or_404(
        access.own_repair_steps_for(request.user).select_related("rupture__therapy_session"),
        pk=step_id,
    )
    rupture = step.rupture
    form_kwargs = {"sessions": _step_sessions(request, rupture)}
    initial = {
        "therapy_session": step.therapy_session_id,
        "initiated_by": step.initiated_by,
        "strategy": step.strategy,
        "description": step.description,
        "outcome": step.outcome,
        "version": step.version,
    }
    form = RepairStepForm(posted(request), initial=initial, **form_kwargs)
    page = {
        "title": f"Edit repair step {step.position}",
        "action": request.path,
        "rupture": rupture,
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.repair_step_update(step, expected_version=_version(form), data=form.to_data())
        except EditConflict as error:
            return _conflict(request, form=form, error=error, form_kwargs=form_kwargs, **page)
        return _done(request, rupture, "Repair step saved.")
    return _form_page(request, form=form, **page)


@login_required
@require_POST
def repair_step_withdraw(request: HttpRequest, step_id: int) -> HttpResponse:
    step = get_object_or_404(access.own_repair_steps_for(request.user), pk=step_id)
    try:
        services.repair_step_withdraw(step, expected_version=_posted_version(request))
    except EditConflict:
        return _stale(request, step.rupture)
    return _done(request, step.rupture, "Repair step withdrawn.")


@login_required
@require_http_methods(["GET", "POST"])
def note_new(request: HttpRequest, rupture_id: int) -> HttpResponse:
    if request.user.role not in (Role.CLIENT, Role.THERAPIST, Role.SUPERVISOR):
        raise Http404
    rupture = get_object_or_404(access.ruptures_for(request.user), pk=rupture_id)
    form = NoteForm(posted(request))
    if request.user.role != Role.THERAPIST:
        # A client's reply always goes to the thread (their drafts live in flags instead);
        # a supervisor's note is for the therapist and supervisors, whatever it says.
        form.fields.pop("visibility")
        if request.user.role == Role.SUPERVISOR:
            form.fields["body"].label = "Supervision note (the therapist and supervisors see it)"
    if request.method == "POST" and form.is_valid():
        visibility = form.cleaned_data.get("visibility") or Visibility.SHARED
        if rupture.is_draft:
            visibility = Visibility.PRIVATE  # a note on a draft stays with the draft
        services.note_add(
            rupture, author=request.user, body=form.cleaned_data["body"], visibility=visibility
        )
        sent = visibility == Visibility.SHARED and request.user.role != Role.SUPERVISOR
        return _done(request, rupture, "Reply sent." if sent else "Note saved.")
    title = "Supervision note" if request.user.role == Role.SUPERVISOR else "Reply"
    return _form_page(
        request, form=form, title=title, action=request.path, rupture=rupture, submit="Send"
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_object_or_404(
        access.own_notes_for(request.user).select_related("rupture__therapy_session"), pk=note_id
    )
    form = NoteEditForm(posted(request), initial={"body": note.body, "version": note.version})
    page = {"title": "Edit your note", "action": request.path, "rupture": note.rupture}
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                note, expected_version=_version(form), body=form.cleaned_data["body"]
            )
        except EditConflict as error:
            return _conflict(request, form=form, error=error, **page)
        return _done(request, note.rupture, "Note saved.")
    return _form_page(request, form=form, **page)


@login_required
@require_POST
def note_withdraw(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_object_or_404(
        access.own_notes_for(request.user).select_related("rupture__therapy_session"), pk=note_id
    )
    try:
        services.note_withdraw(note, expected_version=_posted_version(request))
    except EditConflict:
        return _stale(request, note.rupture)
    return _done(request, note.rupture, "Note withdrawn.")


@login_required
def rupture_card(request: HttpRequest, rupture_id: int) -> HttpResponse:
    """One card, as the viewer sees it (htmx "cancel" and refreshes)."""
    if not request.htmx:
        rupture = get_object_or_404(access.ruptures_for(request.user), pk=rupture_id)
        return redirect(rupture.get_absolute_url())
    return render_card(request, rupture_id, event=False)
