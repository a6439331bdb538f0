"""Supervisor review, the therapist's own patterns, the ruptures behind each figure, CSV
export, and the supervisor's marks on a rupture (reviewed, independent coding)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from repairs import review
from repairs.actions import render_card
from repairs.codes import CodeKind, Family, Marker
from repairs.models import RuptureCode, RuptureReview, SupervisorCoding
from repairs.record import record_for
from repairs.review import ReviewScope
from rupturelog import access
from rupturelog.accounts.models import Role, User
from rupturelog.audit.middleware import note_change, note_export
from rupturelog.http import posted, see_other
from rupturelog.replica import reading_from_replica

MAX_RANGE = timedelta(days=366 * 5)
# Dates outside these years are typing slips; 31 December 9999 would overflow the range end.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class TherapistsField(forms.ModelMultipleChoiceField):
    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except OverflowError:  # an id too long for SQLite's integers is no valid choice
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": ", ".join(str(v) for v in value)},
            ) from None


class ReviewFilterForm(forms.Form):
    therapists = TherapistsField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Therapists",
        help_text="None ticked means all.",
    )
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    family = forms.ChoiceField(
        choices=[("", "All kinds"), *Family.choices], required=False, label="Kind of rupture"
    )
    unreviewed = forms.BooleanField(required=False, label="Only ruptures I have not reviewed")
    matrix = forms.ChoiceField(
        choices=[("family", "by kind"), ("marker", "by marker")],
        required=False,
        label="Strategy matrix",
    )

    def __init__(self, data: Any, *, therapists: QuerySet[User], supervisor: bool) -> None:
        today = timezone.localdate()
        defaults = {"start": today - timedelta(days=review.DEFAULT_DAYS), "end": today}
        super().__init__(data if data else None, initial=defaults)
        self.fields["therapists"].queryset = therapists
        if not supervisor:
            del self.fields["therapists"]
            del self.fields["unreviewed"]
        self._defaults = defaults

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("start", "end"):
            value = data.get(name)
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(name, f"Choose a date between {EARLIEST.year} and {LATEST.year}.")
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must be on or after the start date.")
            elif end - start > MAX_RANGE:
                self.add_error("start", "Choose a range of five years or less.")
        return data

    def scope(self, all_therapists: list[User]) -> ReviewScope:
        """The scope to show: the valid filters, or the defaults while the form has errors."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        chosen = list(data.get("therapists") or []) or all_therapists
        return ReviewScope(
            therapists=chosen,
            start=data.get("start") or self._defaults["start"],
            end=data.get("end") or self._defaults["end"],
            family=data.get("family") or "",
            unreviewed_only=bool(data.get("unreviewed")),
        )


def _therapists_for(user: User) -> QuerySet[User]:
    """Whose figures the user may see: a supervisor's supervisees, a therapist themself."""
    if user.role == Role.SUPERVISOR:
        return access.supervised_therapists(user).order_by("display_name")
    if user.role == Role.THERAPIST:
        return User.objects.filter(pk=user.pk)
    raise Http404


def _base_query(form: ReviewFilterForm, scope: ReviewScope) -> str:
    """The scope as a query string, for the links from each figure to its ruptures. The
    therapists chosen go along only when the filters were accepted: a rejected choice (the
    page fell back to the defaults) must not narrow the ruptures behind the figures."""
    query = QueryDict(mutable=True)
    query.update(scope.query())
    chosen = form.cleaned_data.get("therapists") if form.is_bound and form.is_valid() else None
    query.setlist("therapists", [str(t.pk) for t in chosen or []])
    return query.urlencode()


def _scope(request: HttpRequest) -> tuple[ReviewFilterForm, ReviewScope]:
    therapists = _therapists_for(request.user)
    data = request.GET.copy()
    # The drill-down and export links carry only the scope's own parameters.
    form = ReviewFilterForm(
        data if "start" in data else None,
        therapists=therapists,
        supervisor=request.user.role == Role.SUPERVISOR,
    )
    return form, form.scope(list(therapists))


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    """The supervisor's review of repair patterns across the therapists they supervise."""
    if request.user.role != Role.SUPERVISOR:
        raise Http404
    return _figures_page(request, "repairs/review.html")


@login_required
def patterns_page(request: HttpRequest) -> HttpResponse:
    """A therapist's own patterns, for self-reflection."""
    if request.user.role != Role.THERAPIST:
        raise Http404
    return _figures_page(request, "repairs/review.html")


def _figures_page(request: HttpRequest, template: str) -> HttpResponse:
    form, scope = _scope(request)
    matrix_by = form.cleaned_data.get("matrix") if form.is_bound and form.is_valid() else ""
    with reading_from_replica():
        context = {
            "form": form,
            "scope": scope,
            "base_query": _base_query(form, scope),
            "figures": review.figures(request.user, scope, matrix_by=matrix_by or "family"),
            "alerts": review.alerts(request.user, scope.therapist_ids),
            "agreement": review.coding_agreement(request.user, scope)
            if request.user.role == Role.SUPERVISOR
            else None,
            "supervisor": request.user.role == Role.SUPERVISOR,
        }
    return render(request, template, context)


@login_required
def review_ruptures(request: HttpRequest) -> HttpResponse:
    """The ruptures behind one figure, each linking to its timeline."""
    _therapists_for(request.user)
    form, scope = _scope(request)
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


# --- CSV export -------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Free text as a CSV cell that a spreadsheet shows as text: a leading =, +, - or @
    would otherwise be run as a formula (CSV injection), so it gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


CHUNK = 2000


def _chunks(ruptures: QuerySet, columns: list[str]) -> Iterator[list[dict]]:
    """Rows in id order, a chunk at a time (keyset pagination), so memory stays flat
    however many rows there are."""
    last = 0
    while True:
        chunk = list(ruptures.filter(pk__gt=last).order_by("pk").values(*columns)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]["pk"]


RUPTURE_COLUMNS = [
    "pk",
    "case__client__pseudonym",
    "case__therapist__display_name",
    "therapy_session__number",
    "therapy_session__starts_at",
    "author_role",
    "minute",
    "recognised",
    "family",
    "intensity",
    "status",
    "visibility",
    "counterpart_id",
]


def _rupture_rows(ruptures: QuerySet, with_text: bool, viewer: User) -> Iterator[list[Any]]:
    yield [
        "rupture_id",
        "client_pseudonym",
        "therapist",
        "session_number",
        "session_date",
        "reported_by",
        "minute",
        "recognised",
        "family",
        "intensity",
        "status",
        "visibility",
        "linked_rupture_id",
        "markers",
        "causes",
        "feelings",
        "repair_steps",
        *(["account", "agreement"] if with_text else []),
    ]
    columns = RUPTURE_COLUMNS + (["account", "agreement"] if with_text else [])
    for chunk in _chunks(ruptures, columns):
        ids = [row["pk"] for row in chunk]
        codes: dict[int, dict[str, list[str]]] = {}
        for rupture_id, kind, code in RuptureCode.objects.filter(rupture_id__in=ids).values_list(
            "rupture_id", "kind", "code"
        ):
            codes.setdefault(rupture_id, {}).setdefault(kind, []).append(code)
        steps = dict(
            access.repair_steps_for(viewer)
            .filter(rupture_id__in=ids)
            .values("rupture_id")
            .annotate(n=Count("id"))
            .values_list("rupture_id", "n")
            .order_by()
        )
        for row in chunk:
            own = codes.get(row["pk"], {})
            yield [
                row["pk"],
                row["case__client__pseudonym"],
                row["case__therapist__display_name"],
                row["therapy_session__number"],
                timezone.localtime(row["therapy_session__starts_at"]).date().isoformat(),
                row["author_role"],
                row["minute"] if row["minute"] is not None else "",
                row["recognised"],
                row["family"],
                row["intensity"] or "",
                row["status"],
                row["visibility"],
                row["counterpart_id"] or "",
                ";".join(sorted(own.get(CodeKind.MARKER, []))),
                ";".join(sorted(own.get(CodeKind.CAUSE, []))),
                ";".join(sorted(own.get(CodeKind.FEELING, []))),
                steps.get(row["pk"], 0),
                *([_cell(row["account"]), _cell(row["agreement"])] if with_text else []),
            ]


def _step_rows(steps: QuerySet, with_text: bool) -> Iterator[list[Any]]:
    yield [
        "repair_step_id",
        "rupture_id",
        "client_pseudonym",
        "rupture_family",
        "rupture_status",
        "position",
        "session_number",
        "initiated_by",
        "strategy",
        "outcome",
        *(["what_was_done"] if with_text else []),
    ]
    columns = [
        "pk",
        "rupture_id",
        "rupture__case__client__pseudonym",
        "rupture__family",
        "rupture__status",
        "position",
        "therapy_session__number",
        "initiated_by",
        "strategy",
        "outcome",
        *(["description"] if with_text else []),
    ]
    for chunk in _chunks(steps, columns):
        for row in chunk:
            yield [_cell(row[c]) if c == "description" else row[c] for c in columns]


@login_required
def review_export(request: HttpRequest, what: str) -> StreamingHttpResponse:
    """The filtered ruptures (or their repair steps) as CSV, de-identified: clients by
    pseudonym, and no free text unless asked for with `text=1`."""
    _therapists_for(request.user)
    _form, scope = _scope(request)
    with_text = request.GET.get("text") == "1"
    ruptures = review.drill(request.user, scope, request.GET).order_by()
    if what == "ruptures":
        rows = _rupture_rows(ruptures, with_text, request.user)
    elif what == "steps":
        steps = access.repair_steps_for(request.user).filter(rupture__in=ruptures.values("pk"))
        rows = _step_rows(steps, with_text)
    else:
        raise Http404
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _replica_rows(rows)), content_type="text/csv"
    )
    filename = f"rupturelog-{what}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _replica_rows(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    # Streaming runs after the view returns, so the replica block wraps the generator.
    with reading_from_replica():
        yield from rows


# --- The supervisor's marks on one rupture ----------------------------------------------


def _supervised_rupture(request: HttpRequest, rupture_id: int):
    if request.user.role != Role.SUPERVISOR:
        raise Http404
    return get_object_or_404(access.ruptures_for(request.user), pk=rupture_id)


@login_required
@require_POST
def rupture_reviewed(request: HttpRequest, rupture_id: int) -> HttpResponse:
    rupture = _supervised_rupture(request, rupture_id)
    if request.POST.get("undo"):
        RuptureReview.objects.filter(rupture=rupture, supervisor=request.user).delete()
    else:
        RuptureReview.objects.get_or_create(rupture=rupture, supervisor=request.user)
    note_change()
    if request.htmx:
        return render_card(request, rupture.pk, event=False)
    return see_other(rupture.get_absolute_url())


class CodingForm(forms.Form):
    family = forms.ChoiceField(
        choices=Family.choices, widget=forms.RadioSelect, label="Kind of rupture"
    )
    markers = forms.MultipleChoiceField(
        choices=Marker.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Markers you see",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rupture_coding(request: HttpRequest, rupture_id: int) -> HttpResponse:
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


# --- The right of access ----------------------------------------------------------------


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    """A client's whole record as a readable page (print it, or save it as PDF)."""
    if request.user.role != Role.CLIENT:
        raise Http404
    return render(request, "repairs/my_record.html", {"record": record_for(request.user)})


@login_required
def my_record_json(request: HttpRequest) -> JsonResponse:
    """The same record as JSON, to keep or to take elsewhere."""
    if request.user.role != Role.CLIENT:
        raise Http404
    note_export()
    response = JsonResponse(record_for(request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-rupturelog-record.json"'
    return response
