"""The figures of the supervisor review and the therapist's own patterns page.

Every figure is an SQL aggregate (GROUP BY, conditional counts) over the ruptures in a
`ReviewScope` (scope.py); Python only arranges the few aggregated rows that come back. The
number of queries is fixed, whatever the amount of data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from repairs.codes import (
    AuthorRole,
    CodeKind,
    Marker,
    Status,
    Strategy,
    Visibility,
)
from repairs.models import RepairStep
from repairs.review.scope import (
    FAMILIES,
    ReviewScope,
    has_step,
    ruptures_in_scope,
    sessions_in_scope,
)
from rupturelog.accounts.models import User
from sessions.models import CheckIn, RespondentRole


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


def _median(distribution: list[tuple[int, int]]) -> float | None:
    """The median of a distribution given as sorted (value, count) pairs."""
    total = sum(count for _, count in distribution)
    if not total:
        return None
    values: list[int] = []
    for middle in sorted({(total - 1) // 2, total // 2}):
        seen = 0
        for value, count in distribution:
            seen += count
            if seen > middle:
                values.append(value)
                break
    return sum(values) / len(values)


@dataclass
class TherapistRow:
    therapist: User
    sessions: int = 0
    ruptures: int = 0
    by_family: dict[str, int] = field(default_factory=dict)
    with_step: int = 0
    resolved: int = 0

    @property
    def per_10_sessions(self) -> float | None:
        return None if not self.sessions else 10 * self.ruptures / self.sessions

    @property
    def share_with_step(self) -> float | None:
        return _rate(self.with_step, self.ruptures)

    @property
    def share_resolved(self) -> float | None:
        return _rate(self.resolved, self.ruptures)


def rates_by_therapist(viewer: User, scope: ReviewScope) -> tuple[list[TherapistRow], TherapistRow]:
    """Ruptures per 10 sessions, by family, with a repair attempt and resolved: per
    therapist and overall. Two grouped queries."""
    rows = {t.pk: TherapistRow(therapist=t) for t in scope.therapists}
    sessions = (
        sessions_in_scope(viewer, scope)
        .values("case__therapist_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in sessions:
        rows[row["case__therapist_id"]].sessions = row["n"]
    grouped = (
        ruptures_in_scope(viewer, scope)
        .values("case__therapist_id", "family")
        .annotate(
            n=Count("id"),
            with_step=Count("id", filter=has_step()),
            resolved=Count("id", filter=Q(status=Status.RESOLVED)),
        )
        .order_by()
    )
    for row in grouped:
        target = rows[row["case__therapist_id"]]
        target.ruptures += row["n"]
        target.by_family[row["family"]] = target.by_family.get(row["family"], 0) + row["n"]
        target.with_step += row["with_step"]
        target.resolved += row["resolved"]
    total = TherapistRow(therapist=viewer)
    for therapist_row in rows.values():
        total.sessions += therapist_row.sessions
        total.ruptures += therapist_row.ruptures
        total.with_step += therapist_row.with_step
        total.resolved += therapist_row.resolved
        for family, n in therapist_row.by_family.items():
            total.by_family[family] = total.by_family.get(family, 0) + n
    return list(rows.values()), total


def sessions_to_resolution(viewer: User, scope: ReviewScope) -> dict[str, Any]:
    """For resolved ruptures: how many sessions after the rupture the last repair step came
    (0 = resolved in the same session). One grouped query."""
    last_step_session = Subquery(
        RepairStep.objects.filter(rupture=OuterRef("pk"), withdrawn_at__isnull=True)
        .values("rupture")
        .annotate(last=Max("therapy_session__number"))
        .values("last")[:1],
        output_field=IntegerField(),
    )
    rows = (
        ruptures_in_scope(viewer, scope)
        .filter(status=Status.RESOLVED)
        .annotate(
            span=ExpressionWrapper(
                Coalesce(last_step_session, F("therapy_session__number"))
                - F("therapy_session__number"),
                output_field=IntegerField(),
            )
        )
        .values("span")
        .annotate(n=Count("id"))
        .order_by("span")
    )
    distribution = [(row["span"], row["n"]) for row in rows]
    return {
        "distribution": distribution,
        "median": _median(distribution),
        "count": sum(n for _, n in distribution),
        "max": max((n for _, n in distribution), default=0),
    }


@dataclass
class MatrixCell:
    ruptures: int
    resolved: int

    @property
    def rate(self) -> float | None:
        return _rate(self.resolved, self.ruptures)


def strategy_matrix(viewer: User, scope: ReviewScope, by: str = "family") -> dict[str, Any]:
    """Which strategies resolve which ruptures: for each strategy by family (or by marker),
    the ruptures where it was tried and how many of those are resolved. One query."""
    steps = RepairStep.objects.filter(
        withdrawn_at__isnull=True,
        rupture__in=ruptures_in_scope(viewer, scope).values("pk"),
    )
    if by == "marker":
        column = "rupture__codes__code"
        steps = steps.filter(rupture__codes__kind=CodeKind.MARKER)
        columns = [(m.value, m.label) for m in Marker]
    else:
        column = "rupture__family"
        columns = [(f.value, f.label) for f in FAMILIES]
    rows = (
        steps.values("strategy", column)
        .annotate(
            ruptures=Count("rupture", distinct=True),
            resolved=Count("rupture", distinct=True, filter=Q(rupture__status=Status.RESOLVED)),
        )
        .order_by()
    )
    cells: dict[tuple[str, str], MatrixCell] = {
        (row["strategy"], row[column]): MatrixCell(row["ruptures"], row["resolved"]) for row in rows
    }
    used_columns = [c for c in columns if any(key[1] == c[0] for key in cells)]
    table = [
        (
            value,
            label,
            [cells.get((value, column_value)) for column_value, _ in used_columns],
        )
        for value, label in Strategy.choices
        if any(key[0] == value for key in cells)
    ]
    return {"by": by, "columns": used_columns, "rows": table}


def who_saw_it(viewer: User, scope: ReviewScope) -> dict[str, Any]:
    """Of all moments, how many the client reported alone, the therapist alone, or both
    (linked reports count once); and for client-only flags, how long until the therapist
    responded (a reply, a repair step or a status change). Two queries."""
    by_role = {
        row["author_role"]: row
        for row in ruptures_in_scope(viewer, scope)
        .values("author_role")
        .annotate(n=Count("id"), linked=Count("id", filter=Q(counterpart__isnull=False)))
        .order_by()
    }
    client = by_role.get(RespondentRole.CLIENT, {"n": 0, "linked": 0})
    therapist = by_role.get(RespondentRole.THERAPIST, {"n": 0, "linked": 0})
    # A linked pair is one moment: count it once, by the therapist's side of it.
    both = therapist["linked"]
    moments = {
        "client_only": client["n"] - client["linked"],
        "therapist_only": therapist["n"] - therapist["linked"],
        "both": both,
    }
    moments["total"] = sum(moments.values())

    # A reply is a note the client can read: a therapist's private note is no response.
    reply = Q(
        notes__author_role=AuthorRole.THERAPIST,
        notes__visibility=Visibility.SHARED,
        notes__withdrawn_at__isnull=True,
    )
    # The first reply and first step are grouped MINs over joins, not correlated
    # subqueries: every count below refers to `responded_at`, and each reference would
    # repeat both subqueries (40 subplans, and seconds of JIT compiling on PostgreSQL, for
    # a caseload of 100,000 ruptures). Counting over the grouped rows, Django wraps them
    # in a subquery, so each rupture's first response is computed once.
    flags = (
        ruptures_in_scope(viewer, scope)
        .filter(
            author_role=RespondentRole.CLIENT,
            counterpart__isnull=True,
            visibility=Visibility.SHARED,
            shared_at__isnull=False,
        )
        .annotate(
            first_note=Min("notes__created_at", filter=reply),
            first_step=Min(
                "repair_steps__created_at", filter=Q(repair_steps__withdrawn_at__isnull=True)
            ),
        )
        .annotate(
            responded_at=Case(
                When(first_note__isnull=True, then=F("first_step")),
                When(first_step__isnull=True, then=F("first_note")),
                When(first_note__lt=F("first_step"), then=F("first_note")),
                default=F("first_step"),
            )
        )
    )
    day = timedelta(days=1)
    response = flags.aggregate(
        flags=Count("id"),
        within_a_day=Count("id", filter=Q(responded_at__lte=F("shared_at") + day)),
        within_a_week=Count(
            "id",
            filter=Q(responded_at__gt=F("shared_at") + day)
            & Q(responded_at__lte=F("shared_at") + 7 * day),
        ),
        later=Count("id", filter=Q(responded_at__gt=F("shared_at") + 7 * day)),
        not_yet=Count("id", filter=Q(responded_at__isnull=True)),
    )
    return {"moments": moments, "response": response}


def check_in_disagreement(viewer: User, scope: ReviewScope) -> dict[str, Any]:
    """Of sessions where both answered the check-in, how many disagree: one saw tension and
    the other did not, or their resolution ratings differ by 2 or more. One query."""
    role = "respondent_role"
    pairs = (
        CheckIn.objects.filter(therapy_session__in=sessions_in_scope(viewer, scope).values("pk"))
        .values("therapy_session")
        .annotate(
            answers=Count("id"),
            client_tension=Max(
                Case(
                    When(**{role: RespondentRole.CLIENT, "tension": True}, then=Value(1)),
                    default=Value(0),
                )
            ),
            therapist_tension=Max(
                Case(
                    When(**{role: RespondentRole.THERAPIST, "tension": True}, then=Value(1)),
                    default=Value(0),
                )
            ),
            client_resolution=Max(
                Case(When(**{role: RespondentRole.CLIENT}, then=F("resolution")))
            ),
            therapist_resolution=Max(
                Case(When(**{role: RespondentRole.THERAPIST}, then=F("resolution")))
            ),
        )
        .filter(answers=2)
        .annotate(
            disagrees=Case(
                When(~Q(client_tension=F("therapist_tension")), then=Value(1)),
                When(
                    Q(client_resolution__isnull=False, therapist_resolution__isnull=False)
                    & (
                        Q(client_resolution__gte=F("therapist_resolution") + 2)
                        | Q(therapist_resolution__gte=F("client_resolution") + 2)
                    ),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )
    totals = pairs.aggregate(pairs=Count("therapy_session"), disagree=Sum("disagrees"))
    totals["disagree"] = totals["disagree"] or 0
    totals["rate"] = _rate(totals["disagree"], totals["pairs"])
    return totals


def monthly_trend(viewer: User, scope: ReviewScope) -> list[dict[str, Any]]:
    """Per month: sessions, ruptures per 10 sessions, and the share resolved. Two queries."""
    tz = timezone.get_current_timezone()
    sessions = {
        row["month"]: row["n"]
        for row in sessions_in_scope(viewer, scope)
        .annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    ruptures = {
        row["month"]: row
        for row in ruptures_in_scope(viewer, scope)
        .annotate(month=TruncMonth("therapy_session__starts_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id"), resolved=Count("id", filter=Q(status=Status.RESOLVED)))
        .order_by()
    }
    months = []
    for month in sorted(set(sessions) | set(ruptures)):
        n_sessions = sessions.get(month, 0)
        row = ruptures.get(month, {"n": 0, "resolved": 0})
        months.append(
            {
                "month": month.date() if isinstance(month, datetime) else month,
                "sessions": n_sessions,
                "ruptures": row["n"],
                "per_10_sessions": None if not n_sessions else 10 * row["n"] / n_sessions,
                "resolved_rate": _rate(row["resolved"], row["n"]),
            }
        )
    return months


def figures(viewer: User, scope: ReviewScope, matrix_by: str = "family") -> dict[str, Any]:
    """Everything the review and patterns pages show, in a fixed number of queries."""
    therapists, total = rates_by_therapist(viewer, scope)
    return {
        "therapists": therapists,
        "total": total,
        "resolution": sessions_to_resolution(viewer, scope),
        "matrix": strategy_matrix(viewer, scope, by=matrix_by),
        "seen": who_saw_it(viewer, scope),
        "check_ins": check_in_disagreement(viewer, scope),
        "trend": monthly_trend(viewer, scope),
    }
