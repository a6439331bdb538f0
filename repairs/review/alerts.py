"""The review's alerts, shown on the review page and the therapist's home page: one query
for each kind (still open, unanswered flag, confrontation run, disagreeing check-ins), by the
administrator's thresholds (AlertSettings)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
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
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone

from repairs import access
from repairs.codes import AuthorRole, Family, Status, Visibility
from repairs.models import AlertSettings, Note, Rupture
from repairs.review.scope import has_step
from rupturelog.accounts.models import User
from sessions.models import CheckIn, RespondentRole, TherapySession


class Alerts(TypedDict):
    """The alerts, each kind a list (the case rows are {"case_id", "case", ...})."""

    thresholds: AlertSettings
    still_open: list[Rupture]
    unanswered: list[Rupture]
    confrontation: list[dict[str, Any]]
    disagreeing: list[dict[str, Any]]


def alerts(viewer: User, therapist_ids: list[int], limit: int = 50) -> Alerts:
    """Cases and moments that need attention now, by the administrator's thresholds. Not
    limited to a date range: an old rupture still open is exactly what an alert is for.
    Four queries plus the thresholds."""
    thresholds = AlertSettings.current()
    now = timezone.now()
    ruptures = access.ruptures_for(viewer).filter(case__therapist_id__in=therapist_ids)
    still_open = _still_open(ruptures, thresholds, now, limit)
    unanswered = _unanswered(ruptures, thresholds, now, limit)
    confrontation = _confrontation_runs(ruptures, thresholds, now, limit)
    disagreeing = _disagreeing_runs(viewer, therapist_ids, thresholds, limit)
    return {
        "thresholds": thresholds,
        "still_open": still_open,
        "unanswered": unanswered,
        "confrontation": _with_cases(viewer, confrontation),
        "disagreeing": disagreeing,
    }


def _started_sessions(now: datetime) -> QuerySet[TherapySession]:
    """The sessions of the outer rupture's case that had begun by `now`."""
    return TherapySession.objects.filter(case=OuterRef("case"), starts_at__lte=now)


def _still_open(
    ruptures: QuerySet[Rupture], thresholds: AlertSettings, now: datetime, limit: int
) -> list[Rupture]:
    """Unresolved ruptures with at least the threshold's number of sessions since."""
    later_sessions = Subquery(
        _started_sessions(now)
        .filter(number__gt=OuterRef("therapy_session__number"))
        .order_by()
        .values("case")
        .annotate(n=Count("id"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    return list(
        ruptures.filter(status__in=access.UNRESOLVED)
        .annotate(later=Coalesce(later_sessions, 0))
        .filter(later__gte=thresholds.open_after_sessions)
        .select_related("case__client", "case__therapist")
        .order_by("therapy_session__starts_at")[:limit]
    )


def _unanswered(
    ruptures: QuerySet[Rupture], thresholds: AlertSettings, now: datetime, limit: int
) -> list[Rupture]:
    """Moments a client flagged, still open after the threshold's days with no response: no
    shared reply from the therapist, no repair step, no report of their own linked to it."""
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
        | Q(has_step())
        | Q(counterpart__isnull=False)
    )
    return list(
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


def _confrontation_runs(
    ruptures: QuerySet[Rupture], thresholds: AlertSettings, now: datetime, limit: int
) -> list[dict]:
    """Cases with at least the threshold's count of confrontation ruptures within their
    latest sessions (the threshold's window), as {"case_id", "n"} rows."""
    last_number = Subquery(
        _started_sessions(now).order_by().values("case").annotate(m=Max("number")).values("m")[:1],
        output_field=IntegerField(),
    )
    return list(
        ruptures.filter(family=Family.CONFRONTATION)
        .annotate(last=last_number)
        .filter(therapy_session__number__gt=F("last") - thresholds.confrontation_window)
        .values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gte=thresholds.confrontation_count)
        .order_by("-n")[:limit]
    )


def _with_cases(viewer: User, rows: list[dict]) -> list[dict]:
    cases = access.cases_for(viewer).in_bulk([row["case_id"] for row in rows])
    return [{**row, "case": cases[row["case_id"]]} for row in rows if row["case_id"] in cases]


def _disagreeing_runs(
    viewer: User, therapist_ids: list[int], thresholds: AlertSettings, limit: int
) -> list[dict]:
    """Cases whose latest N sessions all had check-ins that disagree: a running sum over a
    window of the last N sessions of each case, read at the case's latest session."""
    run = thresholds.disagreeing_check_ins_in_a_row
    client = CheckIn.objects.filter(
        therapy_session=OuterRef("pk"), respondent_role=RespondentRole.CLIENT
    )
    therapist = CheckIn.objects.filter(
        therapy_session=OuterRef("pk"), respondent_role=RespondentRole.THERAPIST
    )
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
