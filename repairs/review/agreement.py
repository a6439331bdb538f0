"""How far the supervisor's independent coding of a rupture's family agrees with the
therapist's: percent agreement and Cohen's kappa, per therapist."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Count

from repairs.models import SupervisorCoding
from repairs.review.scope import ReviewScope, ruptures_in_scope
from rupturelog.accounts.models import User
from sessions.models import RespondentRole


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
