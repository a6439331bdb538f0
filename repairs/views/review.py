"""The supervisor's review, the therapist's own patterns, the moments behind each figure,
and the supervisor's marks on a moment (reviewed, independent coding)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from repairs import access, review
from repairs.forms import CodingForm, ReviewFilterForm
from repairs.models import RuptureReview, SupervisorCoding
from repairs.review import ReviewScope
from repairs.views.inline import render_card
from rupturelog.audit.middleware import note_change
from rupturelog.http import AuthenticatedHttpRequest, posted, see_other
from rupturelog.replica import reading_from_replica


def _base_query(form: ReviewFilterForm, scope: ReviewScope) -> str:
    """The scope as a query string, for the links from each figure to its ruptures. The
    therapists chosen go along only when the filters were accepted: a rejected choice (the
    page fell back to the defaults) must not narrow the ruptures behind the figures."""
    query = QueryDict(mutable=True)
    query.update(scope.query())
    chosen = form.cleaned_data.get("therapists") if form.is_bound and form.is_valid() else None
    query.setlist("therapists", [str(t.pk) for t in chosen or []])
    return query.urlencode()


def review_scope(request: AuthenticatedHttpRequest) -> tuple[ReviewFilterForm, ReviewScope]:
    therapists = access.figure_therapists_for(request.user)
    data = request.GET.copy()
    # The drill-down and export links carry only the scope's own parameters.
    form = ReviewFilterForm(
        data if "start" in data else None,
        therapists=therapists,
        supervisor=access.may_review(request.user),
    )
    return form, form.scope(list(therapists))


@login_required
def review_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's review of repair patterns across the therapists they supervise."""
    access.require(access.may_review(request.user))
    return _figures_page(request, "repairs/review.html")


@login_required
def patterns_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A therapist's own patterns, for self-reflection."""
    access.require(access.may_see_patterns(request.user))
    return _figures_page(request, "repairs/review.html")


def _figures_page(request: AuthenticatedHttpRequest, template: str) -> HttpResponse:
    form, scope = review_scope(request)
    matrix_by = form.cleaned_data.get("matrix") if form.is_bound and form.is_valid() else ""
    with reading_from_replica():
        context = {
            "form": form,
            "scope": scope,
            "base_query": _base_query(form, scope),
            "figures": review.figures(request.user, scope, matrix_by=matrix_by or "family"),
            "alerts": review.alerts(request.user, scope.therapist_ids),
            "agreement": review.coding_agreement(request.user, scope)
            if access.may_review(request.user)
            else None,
            "supervisor": access.may_review(request.user),
        }
    return render(request, template, context)


@login_required
def review_ruptures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The ruptures behind one figure, each linking to its timeline."""
    access.require(access.may_see_figures(request.user))
    form, scope = review_scope(request)
    with reading_from_replica():
        ruptures = review.drill(request.user, scope, request.GET)
        page = Paginator(ruptures, 50).get_page(request.GET.get("page"))
        # Evaluate inside the replica block.
        page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "repairs/review_ruptures.html",
        {
            "page": page,
            "scope": scope,
            "query": query.urlencode(),
            "base_query": _base_query(form, scope),
            "form": form,
        },
    )


def _supervised_rupture(request: AuthenticatedHttpRequest, rupture_id: int):
    rupture = access.get_in_scope(access.ruptures_for(request.user), rupture_id)
    access.require(access.may_mark(request.user, rupture))
    return rupture


@login_required
@require_POST
def rupture_reviewed(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    rupture = _supervised_rupture(request, rupture_id)
    if request.POST.get("undo"):
        RuptureReview.objects.filter(rupture=rupture, supervisor=request.user).delete()
    else:
        RuptureReview.objects.get_or_create(rupture=rupture, supervisor=request.user)
    note_change()
    if request.htmx:
        return render_card(request, rupture.pk, event=False)
    return see_other(rupture.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def rupture_coding(request: AuthenticatedHttpRequest, rupture_id: int) -> HttpResponse:
    """The supervisor codes the rupture independently; the therapist's codes are not shown
    on this form, so the comparison stays blind."""
    rupture = _supervised_rupture(request, rupture_id)
    coding = SupervisorCoding.objects.filter(rupture=rupture, supervisor=request.user).first()
    initial = {"family": coding.family, "markers": coding.markers} if coding else {}
    form = CodingForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        note_change()
        SupervisorCoding.objects.update_or_create(
            rupture=rupture,
            supervisor=request.user,
            defaults={
                "family": form.cleaned_data["family"],
                "markers": sorted(form.cleaned_data["markers"]),
            },
        )
        return see_other(rupture.get_absolute_url())
    return render(request, "repairs/coding.html", {"form": form, "rupture": rupture})
