"""The supervisor review and the therapist's own patterns page: figures, alerts, coding
agreement and the drill-down behind every figure.

Every figure is an SQL aggregate (GROUP BY, conditional counts, window functions) over the
ruptures the viewer may see, narrowed by a `ReviewScope`; Python only arranges the few
aggregated rows that come back. The number of queries is fixed, whatever the amount of data,
and each query filters by the case's therapist first, so its cost follows the viewer's own
caseload, not the size of the database.

scope.py     what the figures are about: the scope, its ruptures and sessions
figures.py   rates, sessions to resolution, strategy matrix, who saw it, check-ins, trend
agreement.py the supervisor's coding against the therapist's (Cohen's kappa)
alerts.py    cases and moments that need attention now
drill.py     the ruptures behind one figure

Callers use the package as one module (`from repairs import review; review.figures(...)`),
so these names are its interface.
"""

from __future__ import annotations

from repairs.review.agreement import coding_agreement, cohen_kappa
from repairs.review.alerts import alerts
from repairs.review.drill import drill
from repairs.review.figures import (
    MatrixCell,
    TherapistRow,
    check_in_disagreement,
    figures,
    monthly_trend,
    rates_by_therapist,
    sessions_to_resolution,
    strategy_matrix,
    who_saw_it,
)
from repairs.review.scope import (
    DEFAULT_DAYS,
    FAMILIES,
    ReviewScope,
    ruptures_in_scope,
    sessions_in_scope,
)

__all__ = [
    "DEFAULT_DAYS",
    "FAMILIES",
    "MatrixCell",
    "ReviewScope",
    "TherapistRow",
    "alerts",
    "check_in_disagreement",
    "coding_agreement",
    "cohen_kappa",
    "drill",
    "figures",
    "monthly_trend",
    "rates_by_therapist",
    "ruptures_in_scope",
    "sessions_in_scope",
    "sessions_to_resolution",
    "strategy_matrix",
    "who_saw_it",
]
