"""What every review figure is about: the `ReviewScope` (therapists, dates, family) and the
ruptures and sessions inside it, as the viewer may see them.

Each queryset filters by the case's therapist first, so a figure's cost follows the viewer's
own caseload, not the size of the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from repairs import access
from repairs.codes import Family
from repairs.models import RepairStep, Rupture
from rupturelog.accounts.models import User
from sessions.models import TherapySession

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


def has_step() -> Exists:
    """The rupture has a repair step that was not withdrawn (a figure, an alert and the
    drill-down all mean this by "a repair attempt")."""
    return Exists(RepairStep.objects.filter(rupture=OuterRef("pk"), withdrawn_at__isnull=True))
