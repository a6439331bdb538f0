"""The thread of notes on a moment: client and therapist write to each other; a
supervisor's note is for the therapist and supervisors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpResponse,
)
from django.views.decorators.http import require_http_methods, require_POST

from repairs import access, services
from repairs.codes import Visibility
from repairs.forms import (
    NoteEditForm,
    NoteForm,
)
from repairs.models import Note
from repairs.services import EditConflict
from repairs.views.inline import (
    FormPageArgs,
    conflict,
    done,
    form_page,
    form_version,
    posted_version,
    stale,
)
from rupturelog.accounts.models import Role
from rupturelog.http import AuthenticatedHttpRequest, posted


@login_required
@require_http_methods(["GET", "POST"])
def note_new(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_add_note(request.user, rupture))
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
        return done(request, rupture, "Reply sent." if sent else "Note saved.")
    title = "Supervision note" if request.user.role == Role.SUPERVISOR else "Reply"
    return form_page(
        request, form=form, title=title, action=request.path, rupture=rupture, submit="Send"
    )


def _own_note(request: AuthenticatedHttpRequest, note_id: int) -> Note:
    notes = access.notes_for(request.user).select_related("rupture__therapy_session")
    note = access.get_in_scope(notes, note_id)
    access.require(access.may_edit_note(request.user, note))
    return note


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: AuthenticatedHttpRequest, note_id: int) -> HttpResponse:
    note = _own_note(request, note_id)
    form = NoteEditForm(posted(request), initial={"body": note.body, "version": note.version})
    page: FormPageArgs = {
        "title": "Edit your note",
        "action": request.path,
        "rupture": note.rupture,
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                note, expected_version=form_version(form), body=form.cleaned_data["body"]
            )
        except EditConflict as error:
            return conflict(request, form=form, error=error, **page)
        return done(request, note.rupture, "Note saved.")
    return form_page(request, form=form, **page)


@login_required
@require_POST
def note_withdraw(request: AuthenticatedHttpRequest, note_id: int) -> HttpResponse:
    note = _own_note(request, note_id)
    try:
        services.note_withdraw(note, expected_version=posted_version(request))
    except EditConflict:
        return stale(request, note.rupture)
    return done(request, note.rupture, "Note withdrawn.")
