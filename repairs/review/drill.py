"""The ruptures behind one figure of the review, for its drill-down list and export."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from repairs.codes import CodeKind, Family, Marker, Status, Strategy
from repairs.models import RepairStep, Rupture
from repairs.review.scope import ReviewScope, has_step, ruptures_in_scope
from rupturelog.accounts.models import User
from sessions.models import RespondentRole


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
        ruptures = ruptures.filter(has_step())
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
