"""The review's CSV exports: the filtered moments, or their repair steps, de-identified
(clients by pseudonym, free text only when asked for), streamed a chunk at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone

from repairs import access, review
from repairs.codes import CodeKind
from repairs.models import RuptureCode
from repairs.views.review import review_scope
from rupturelog.accounts.models import User
from rupturelog.http import AuthenticatedHttpRequest
from rupturelog.replica import reading_from_replica


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
def review_export(request: AuthenticatedHttpRequest, what: str) -> StreamingHttpResponse:
    """The filtered ruptures (or their repair steps) as CSV, de-identified: clients by
    pseudonym, and no free text unless asked for with `text=1`."""
    access.require(access.may_see_figures(request.user))
    _form, scope = review_scope(request)
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
