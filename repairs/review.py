"""The figures of the supervisor review and the therapist's own patterns page.

Every figure is an SQL aggregate (GROUP BY, conditional counts, window functions) over the
ruptures the viewer may see, narrowed by a `ReviewScope`; Python only arranges the few
aggregated rows that come back. The number of queries is fixed, whatever the amount of data,
and each query filters by the case's therapist first, so its cost follows the viewer's own
caseload, not the size of the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Abs, Coalesce, TruncMonth
from django.utils import timezone

from repairs import access
from repairs.codes import (
    AuthorRole,
    CodeKind,
    Family,
    Marker,
    Status,
    Strategy,
    Visibility,
)
from repairs.models import AlertSettings, Note, RepairStep, Rupture, SupervisorCoding
from rupturelog.accounts.models import User
from sessions.models import CheckIn, RespondentRole, TherapySession

DEFAULT_DAYS = 90
FAMILIES = [Family.WITHDRAWAL, Family.CONFRONTATION, Family.MIXED, Family.UNCLASSIFIED]


@dataclass
class ReviewScope:
    """What the figures are about: which therapists, which dates, which family."""

    therapists: list[User]
    start: date
    end: date  # inclusive
    family: str = ""
    unreviewed_only: bool = False

    @property
    def therapist_ids(self) -> list[int]:
        return [t.pk for t in self.therapists]

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.start, time.min, tzinfo=tz)
        end = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return start, end

    def query(self) -> dict[str, str]:
        """The scope as GET parameters, so every figure can link to its ruptures."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.family:
            params["family"] = self.family
        if self.unreviewed_only:
            params["unreviewed"] = "1"
        return params


def ruptures_in_scope(viewer: User, scope: ReviewScope) -> QuerySet[Rupture]:
    """The ruptures behind every figure: visible to the viewer, in the therapists' cases,
    in sessions within the dates."""
    start, end = scope.bounds()
    ruptures = access.ruptures_for(viewer).filter(
        case__therapist_id__in=scope.therapist_ids,
        therapy_session__starts_at__gte=start,
        therapy_session__starts_at__lt=end,
    )
    if scope.family:
        ruptures = ruptures.filter(family=scope.family)
    if scope.unreviewed_only:
        ruptures = ruptures.exclude(reviews__supervisor=viewer)
    return ruptures


def sessions_in_scope(viewer: User, scope: ReviewScope) -> QuerySet[TherapySession]:
    start, end = scope.bounds()
    return access.sessions_for(viewer).filter(
        case__therapist_id__in=scope.therapist_ids,
        starts_at__gte=start,
        starts_at__lt=min(end, timezone.now()),
    )


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


def _has_step() -> Exists:
    return Exists(RepairStep.objects.filter(rupture=OuterRef("pk"), withdrawn_at__isnull=True))


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


# --- The figures ------------------------------------------------------------------------


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
            with_step=Count("id", filter=_has_step()),
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
    for row in rows.values():
        total.sessions += row.sessions
        total.ruptures += row.ruptures
        total.with_step += row.with_step
        total.resolved += row.resolved
        for family, n in row.by_family.items():
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
                Case(When(**{role: "client", "tension": True}, then=Value(1)), default=Value(0))
            ),
            therapist_tension=Max(
                Case(When(**{role: "therapist", "tension": True}, then=Value(1)), default=Value(0))
            ),
            client_resolution=Max(Case(When(**{role: "client"}, then=F("resolution")))),
            therapist_resolution=Max(Case(When(**{role: "therapist"}, then=F("resolution")))),
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


def cohen_kappa(table: dict[tuple[str, str], int]) -> dict[str, Any]:
    """Percent agreement and Cohen's kappa from counts of (rater A's code, rater B's code)."""
    n = sum(table.values())
    if not n:
        return {"count": 0, "agreement": None, "kappa": None}
    observed = sum(count for (a, b), count in table.items() if a == b) / n
    codes = {a for a, _ in table} | {b for _, b in table}
    expected = sum(
        (sum(c for (a, _), c in table.items() if a == code) / n)
        * (sum(c for (_, b), c in table.items() if b == code) / n)
        for code in codes
    )
    kappa = None if math.isclose(expected, 1.0) else (observed - expected) / (1 - expected)
    return {"count": n, "agreement": observed, "kappa": kappa}


def coding_agreement(viewer: User, scope: ReviewScope) -> list[dict[str, Any]]:
    """Per therapist: how often the supervisor's independent family code matches the
    therapist's, as percent agreement and Cohen's kappa, with the count. One query."""
    rows = (
        SupervisorCoding.objects.filter(
            supervisor=viewer,
            rupture__in=ruptures_in_scope(viewer, scope)
            .filter(author_role=RespondentRole.THERAPIST)
            .values("pk"),
        )
        .values("rupture__case__therapist_id", "family", "rupture__family")
        .annotate(n=Count("id"))
        .order_by()
    )
    tables: dict[int, dict[tuple[str, str], int]] = {}
    for row in rows:
        table = tables.setdefault(row["rupture__case__therapist_id"], {})
        table[(row["rupture__family"], row["family"])] = row["n"]
    return [{"therapist": t, **cohen_kappa(tables.get(t.pk, {}))} for t in scope.therapists]


# --- Alerts -----------------------------------------------------------------------------


def alerts(viewer: User, therapist_ids: list[int], limit: int = 50) -> dict[str, list]:
    """Cases and moments that need attention now, by the administrator's thresholds. Not
    limited to a date range: an old rupture still open is exactly what an alert is for.
    Four queries plus the thresholds."""
    thresholds = AlertSettings.current()
    now = timezone.now()
    ruptures = access.ruptures_for(viewer).filter(case__therapist_id__in=therapist_ids)
    started = TherapySession.objects.filter(case=OuterRef("case"), starts_at__lte=now)

    later_sessions = Subquery(
        started.filter(number__gt=OuterRef("therapy_session__number"))
        .order_by()
        .values("case")
        .annotate(n=Count("id"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    still_open = list(
        ruptures.filter(status__in=access.UNRESOLVED)
        .annotate(later=Coalesce(later_sessions, 0))
        .filter(later__gte=thresholds.open_after_sessions)
        .select_related("case__client", "case__therapist")
        .order_by("therapy_session__starts_at")[:limit]
    )

    responded = (
        Q(
            Exists(
                Note.objects.filter(
                    rupture=OuterRef("pk"),
                    author_role=AuthorRole.THERAPIST,
                    visibility=Visibility.SHARED,
                    withdrawn_at__isnull=True,
                )
            )
        )
        | Q(_has_step())
        | Q(counterpart__isnull=False)
    )
    unanswered = list(
        ruptures.filter(
            author_role=RespondentRole.CLIENT,
            visibility=Visibility.SHARED,
            shared_at__lte=now - timedelta(days=thresholds.unanswered_flag_days),
            status=Status.OPEN,
        )
        .exclude(responded)
        .select_related("case__client", "case__therapist")
        .order_by("shared_at")[:limit]
    )

    last_number = Subquery(
        started.order_by().values("case").annotate(m=Max("number")).values("m")[:1],
        output_field=IntegerField(),
    )
    confrontation = list(
        ruptures.filter(family=Family.CONFRONTATION)
        .annotate(last=last_number)
        .filter(therapy_session__number__gt=F("last") - thresholds.confrontation_window)
        .values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gte=thresholds.confrontation_count)
        .order_by("-n")[:limit]
    )

    disagreeing = _disagreeing_runs(viewer, therapist_ids, thresholds, limit)
    return {
        "thresholds": thresholds,
        "still_open": still_open,
        "unanswered": unanswered,
        "confrontation": _with_cases(viewer, confrontation),
        "disagreeing": disagreeing,
    }


def _with_cases(viewer: User, rows: list[dict]) -> list[dict]:
    cases = access.cases_for(viewer).in_bulk([row["case_id"] for row in rows])
    return [{**row, "case": cases[row["case_id"]]} for row in rows if row["case_id"] in cases]


def _disagreeing_runs(
    viewer: User, therapist_ids: list[int], thresholds: AlertSettings, limit: int
) -> list[dict]:
    """Cases whose latest N sessions all had check-ins that disagree: a running sum over a
    window of the last N sessions of each case, read at the case's latest session."""
    run = thresholds.disagreeing_check_ins_in_a_row
    client = CheckIn.objects.filter(therapy_session=OuterRef("pk"), respondent_role="client")
    therapist = CheckIn.objects.filter(therapy_session=OuterRef("pk"), respondent_role="therapist")
    sessions = (
        access.sessions_for(viewer)
        .filter(case__therapist_id__in=therapist_ids, starts_at__lte=timezone.now())
        .annotate(
            c_tension=Subquery(client.values("tension")[:1]),
            t_tension=Subquery(therapist.values("tension")[:1]),
            c_resolution=Subquery(client.values("resolution")[:1]),
            t_resolution=Subquery(therapist.values("resolution")[:1]),
        )
        .alias(diff=Abs(F("c_resolution") - F("t_resolution")))
        .annotate(
            disagrees=Case(
                When(Q(c_tension__isnull=True) | Q(t_tension__isnull=True), then=Value(0)),
                When(~Q(c_tension=F("t_tension")), then=Value(1)),
                When(diff__gte=2, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .annotate(
            streak=Window(
                Sum("disagrees"),
                partition_by=[F("case_id")],
                order_by=F("number").asc(),
                frame=RowRange(start=-(run - 1), end=0),
            ),
            latest=Window(Max("number"), partition_by=[F("case_id")]),
        )
    )
    found = list(
        sessions.filter(number=F("latest"), streak__gte=run).values("case_id", "number")[:limit]
    )
    return _with_cases(viewer, found)


# --- Drill-down -------------------------------------------------------------------------


def drill(viewer: User, scope: ReviewScope, params: dict[str, str]) -> QuerySet[Rupture]:
    """The ruptures behind one figure: the scope's ruptures narrowed by the figure's own
    parameters (a therapist, a family, a matrix cell, a month...). Unknown or malformed
    parameters are ignored rather than guessed at."""
    ruptures = ruptures_in_scope(viewer, scope)
    therapist = params.get("therapist", "")
    if therapist.isascii() and therapist.isdigit():
        # Only a therapist in the scope narrows it; any other id (however long) matches none.
        # (int() refuses more than 4300 digits; no id has more than 20.)
        wanted = int(therapist) if len(therapist) <= 20 else None
        ruptures = (
            ruptures.filter(case__therapist_id=wanted)
            if wanted in scope.therapist_ids
            else ruptures.none()
        )
    if params.get("status") in Status.values:
        ruptures = ruptures.filter(status=params["status"])
    if params.get("has_step") == "1":
        ruptures = ruptures.filter(_has_step())
    if params.get("strategy") in Strategy.values:
        ruptures = ruptures.filter(
            Exists(
                RepairStep.objects.filter(
                    rupture=OuterRef("pk"), strategy=params["strategy"], withdrawn_at__isnull=True
                )
            )
        )
    if params.get("cell_family") in Family.values:
        ruptures = ruptures.filter(family=params["cell_family"])
    if params.get("marker") in Marker.values:
        ruptures = ruptures.filter(codes__kind=CodeKind.MARKER, codes__code=params["marker"])
    seen = params.get("seen")
    if seen == "client_only":
        ruptures = ruptures.filter(author_role=RespondentRole.CLIENT, counterpart__isnull=True)
    elif seen == "therapist_only":
        ruptures = ruptures.filter(author_role=RespondentRole.THERAPIST, counterpart__isnull=True)
    elif seen == "both":
        # One row per moment seen from both sides: the therapist's report of it.
        ruptures = ruptures.filter(author_role=RespondentRole.THERAPIST, counterpart__isnull=False)
    month = params.get("month", "")
    try:
        first = datetime.strptime(month, "%Y-%m").date() if month else None
        after = (first.replace(day=28) + timedelta(days=4)).replace(day=1) if first else None
    except (ValueError, OverflowError):  # not a month, or December 9999
        first = after = None
    if first is not None and after is not None:
        tz = timezone.get_current_timezone()
        ruptures = ruptures.filter(
            therapy_session__starts_at__gte=datetime.combine(first, time.min, tzinfo=tz),
            therapy_session__starts_at__lt=datetime.combine(after, time.min, tzinfo=tz),
        )
    return ruptures.select_related("case__client", "case__therapist").order_by(
        "-therapy_session__starts_at", "pk"
    )


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
