"""Repair: the therapist's steps in mending a moment (which may happen in a later session
of the case), and where things stand (status and what was agreed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpResponse,
)
from django.views.decorators.http import require_http_methods, require_POST

from repairs import access, services
from repairs.forms import (
    RepairStepForm,
    StatusForm,
)
from repairs.models import RepairStep, Rupture
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
from rupturelog.http import AuthenticatedHttpRequest, posted


def _step_sessions(request: AuthenticatedHttpRequest, rupture: Rupture):
    """This session or a later one in the same case."""
    return (
        access.sessions_for(request.user)
        .filter(case_id=rupture.case_id, number__gte=rupture.therapy_session.number)
        .order_by("number")
    )


def _step(request: AuthenticatedHttpRequest, step_id: int) -> RepairStep:
    """A repair step the viewer may change: any step of a moment they may repair."""
    steps = access.repair_steps_for(request.user).select_related(
        "rupture__case", "rupture__therapy_session"
    )
    step = access.get_in_scope(steps, step_id)
    access.require(access.may_repair(request.user, step.rupture))
    return step


@login_required
@require_http_methods(["GET", "POST"])
def repair_step_new(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_repair(request.user, rupture))
    form_kwargs = {"sessions": _step_sessions(request, rupture)}
    form = RepairStepForm(
        posted(request), initial={"therapy_session": rupture.therapy_session_id}, **form_kwargs
    )
    if request.method == "POST" and form.is_valid():
        services.repair_step_add(rupture, author=request.user, data=form.to_data())
        return done(request, rupture, "Repair step added.")
    return form_page(
        request, form=form, title="Add a repair step", action=request.path, rupture=rupture
    )


@login_required
@require_http_methods(["GET", "POST"])
def repair_step_edit(request: AuthenticatedHttpRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id)
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
    page: FormPageArgs = {
        "title": f"Edit repair step {step.position}",
        "action": request.path,
        "rupture": rupture,
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.repair_step_update(
                step, expected_version=form_version(form), data=form.to_data()
            )
        except EditConflict as error:
            return conflict(request, form=form, error=error, form_kwargs=form_kwargs, **page)
        return done(request, rupture, "Repair step saved.")
    return form_page(request, form=form, **page)


@login_required
@require_POST
def repair_step_withdraw(request: AuthenticatedHttpRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id)
    try:
        services.repair_step_withdraw(step, expected_version=posted_version(request))
    except EditConflict:
        return stale(request, step.rupture)
    return done(request, step.rupture, "Repair step withdrawn.")


@login_required
@require_http_methods(["GET", "POST"])
def rupture_status(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    """The therapist sets where things stand and what was agreed."""
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_repair(request.user, rupture))
    initial = {"status": rupture.status, "agreement": rupture.agreement, "version": rupture.version}
    form = StatusForm(posted(request), initial=initial)
    page: FormPageArgs = {"title": "Where things stand", "action": request.path, "rupture": rupture}
    if request.method == "POST" and form.is_valid():
        try:
            services.rupture_set_status(
                rupture,
                expected_version=form_version(form),
                status=form.cleaned_data["status"],
                agreement=form.cleaned_data["agreement"],
            )
        except EditConflict as error:
            return conflict(request, form=form, error=error, **page)
        return done(request, rupture, "Status saved.")
    return form_page(request, form=form, **page)
