"""Every figure of repairs/review/ against the hand-computed practice in conftest.py.

The arithmetic is written out beside each expected number; the rupture names (R1..R14, X1,
X2, ...) are the ones in the conftest docstring.
"""

from __future__ import annotations

from datetime import date

import pytest

from repairs import review
from repairs.codes import Family, Marker, Status, Strategy, Visibility
from repairs.models import Rupture
from repairs.review import MatrixCell, ReviewScope
from repairs.review.figures import _median
from tests import factories
from tests.repairs.review.practice import LONDON, Practice, london

pytestmark = pytest.mark.django_db

W, C, M, U = Family.WITHDRAWAL, Family.CONFRONTATION, Family.MIXED, Family.UNCLASSIFIED


def in_scope(practice: Practice, **scope: object) -> set[int]:
    return set(
        review.ruptures_in_scope(practice.supervisor, practice.scope(**scope)).values_list(
            "pk", flat=True
        )
    )


# --- What is counted at all -------------------------------------------------------------


def test_the_scope_holds_exactly_the_fourteen_visible_ruptures_in_range(
    practice: Practice,
) -> None:
    # R1..R14: not the draft, not the withdrawn entry, not X1 (Feb) or X2 (May), nothing of
    # T3's (case D), and R8 although it is the therapist's private entry.
    assert in_scope(practice) == practice.ids(*[f"R{n}" for n in range(1, 15)])


def test_a_clients_private_draft_and_a_withdrawn_rupture_never_count(practice: Practice) -> None:
    before = review.rates_by_therapist(practice.supervisor, practice.scope())[1].ruptures
    draft, withdrawn = practice.r["draft"], practice.r["withdrawn"]
    assert not in_scope(practice) & {draft.pk, withdrawn.pk}
    # Another draft and another withdrawn entry change nothing...
    session = practice.load.sessions["A2"]
    factories.make_rupture(session, practice.load.clients["A"], visibility=Visibility.PRIVATE)
    factories.withdraw(factories.make_rupture(session, practice.people.t1, family=W))
    assert review.rates_by_therapist(practice.supervisor, practice.scope())[1].ruptures == before
    # ...for the therapist's own patterns either.
    t1 = practice.people.t1
    assert draft.pk not in set(
        review.ruptures_in_scope(t1, practice.scope(t1)).values_list("pk", flat=True)
    )
    # Once shared, the draft counts: 14 + 1.
    Rupture.objects.filter(pk=draft.pk).update(visibility=Visibility.SHARED)
    assert review.rates_by_therapist(practice.supervisor, practice.scope())[1].ruptures == 15


def test_the_unreviewed_filter_leaves_out_only_what_this_supervisor_reviewed(
    practice: Practice,
) -> None:
    # Sabine reviewed R1 and R9: 14 - 2 = 12. Rhea's mark on R2 does not count for Sabine.
    assert in_scope(practice, unreviewed_only=True) == practice.ids(
        "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R10", "R11", "R12", "R13", "R14"
    )
    rows, total = review.rates_by_therapist(
        practice.supervisor, practice.scope(unreviewed_only=True)
    )
    assert [row.ruptures for row in rows] == [7, 5]  # T1 8 - R1, T2 6 - R9
    assert total.resolved == 3  # resolved R1, R2, R6, R9, R13 minus reviewed R1, R9


def test_the_family_filter_narrows_every_figure(practice: Practice) -> None:
    scope = practice.scope(family=W)
    # Withdrawal: R1, R4 (T1) and R9, R13 (T2).
    assert in_scope(practice, family=W) == practice.ids("R1", "R4", "R9", "R13")
    rows, total = review.rates_by_therapist(practice.supervisor, scope)
    assert [(row.ruptures, row.sessions) for row in rows] == [(2, 5), (2, 3)]
    assert rows[0].per_10_sessions == 4.0  # 10 * 2 / 5
    assert total.per_10_sessions == 5.0  # 10 * 4 / 8
    assert total.resolved == 3  # R1, R9, R13
    # Resolved withdrawal ruptures: R1 (0), R9 (2), R13 (0): median 0.
    resolution = review.sessions_to_resolution(practice.supervisor, scope)
    assert resolution["distribution"] == [(0, 2), (2, 1)]
    assert resolution["median"] == 0
    # Linked moments are counted from the side in the family: R4 and R13 -> 2 "both".
    seen = review.who_saw_it(practice.supervisor, scope)
    assert seen["moments"] == {"client_only": 0, "therapist_only": 2, "both": 2, "total": 4}


# --- Rates ------------------------------------------------------------------------------


def test_ruptures_per_10_sessions_by_therapist_and_overall(practice: Practice) -> None:
    rows, total = review.rates_by_therapist(practice.supervisor, practice.scope())
    t1, t2 = rows
    assert (t1.therapist, t2.therapist) == (practice.people.t1, practice.people.t2)
    # T1: sessions A2, A3, A4, B1, B2 = 5; ruptures R1-R8 = 8; 10 * 8 / 5 = 16.0
    assert (t1.sessions, t1.ruptures, t1.per_10_sessions) == (5, 8, 16.0)
    # T2: sessions C1, C2, C3 = 3; ruptures R9-R14 = 6; 10 * 6 / 3 = 20.0
    assert (t2.sessions, t2.ruptures, t2.per_10_sessions) == (3, 6, 20.0)
    # Overall: 14 ruptures in 8 sessions: 10 * 14 / 8 = 17.5
    assert (total.sessions, total.ruptures, total.per_10_sessions) == (8, 14, 17.5)


def test_withdrawal_confrontation_mixed_and_unclassified(practice: Practice) -> None:
    rows, total = review.rates_by_therapist(practice.supervisor, practice.scope())
    # T1: W R1 R4, C R2 R6, M R8, U R3 R5 R7. T2: W R9 R13, C R12, U R10 R11 R14.
    assert rows[0].by_family == {W: 2, C: 2, M: 1, U: 3}
    assert rows[1].by_family == {W: 2, C: 1, U: 3}
    assert total.by_family == {W: 4, C: 3, M: 1, U: 6}


def test_share_with_a_repair_step_and_share_resolved(practice: Practice) -> None:
    rows, total = review.rates_by_therapist(practice.supervisor, practice.scope())
    t1, t2 = rows
    # With a (not withdrawn) step: T1 R1 R2 R4 R6 R7 = 5 of 8; T2 R9 R13 = 2 of 6 (R12's
    # only step is withdrawn). Overall 7 of 14 = 0.5.
    assert (t1.with_step, t1.share_with_step) == (5, 0.625)
    assert (t2.with_step, t2.share_with_step) == (2, pytest.approx(1 / 3))
    assert (total.with_step, total.share_with_step) == (7, 0.5)
    # Resolved: T1 R1 R2 R6 = 3 of 8 = 0.375; T2 R9 R13 = 2 of 6; overall 5 of 14.
    assert (t1.resolved, t1.share_resolved) == (3, 0.375)
    assert (t2.resolved, t2.share_resolved) == (2, pytest.approx(1 / 3))
    assert (total.resolved, total.share_resolved) == (5, pytest.approx(5 / 14))


def test_a_therapist_with_no_sessions_in_range_has_no_rate(practice: Practice) -> None:
    scope = practice.scope(start=date(2024, 1, 1), end=date(2024, 1, 31))
    rows, total = review.rates_by_therapist(practice.supervisor, scope)
    assert [(row.sessions, row.ruptures, row.per_10_sessions) for row in rows] == [
        (0, 0, None),
        (0, 0, None),
    ]
    assert (total.per_10_sessions, total.share_resolved, total.share_with_step) == (None,) * 3


# --- Sessions to resolution -------------------------------------------------------------


def test_sessions_from_rupture_to_resolution(practice: Practice) -> None:
    resolution = review.sessions_to_resolution(practice.supervisor, practice.scope())
    # Resolved ruptures and (session of the last repair step - session of the rupture):
    #   R1 A2-A2 = 0, R2 A3-A2 = 1, R6 A5-A4 = 1 (the step's session is after the range),
    #   R9 C3-C1 = 2, R13 C3-C3 = 0.
    # Sorted 0, 0, 1, 1, 2: median 1; the tallest bar holds 2.
    assert resolution == {
        "distribution": [(0, 2), (1, 2), (2, 1)],
        "median": 1.0,
        "count": 5,
        "max": 2,
    }


def test_a_resolved_rupture_without_steps_counts_as_resolved_in_its_own_session(
    practice: Practice,
) -> None:
    Rupture.objects.filter(pk=practice.r["R8"].pk).update(status=Status.RESOLVED)
    # 0, 0, 0, 1, 1, 2: the median is the mean of the 3rd and 4th values, (0 + 1) / 2.
    resolution = review.sessions_to_resolution(practice.supervisor, practice.scope())
    assert resolution["distribution"] == [(0, 3), (1, 2), (2, 1)]
    assert resolution["median"] == 0.5


def test_the_median_of_a_distribution() -> None:
    assert _median([]) is None
    assert _median([(4, 1)]) == 4
    assert _median([(0, 1), (3, 1)]) == 1.5  # (0 + 3) / 2
    assert _median([(0, 2), (1, 2), (2, 1)]) == 1  # 0 0 [1] 1 2


# --- Strategy matrix --------------------------------------------------------------------


def cells(matrix: dict) -> dict[tuple[str, str], tuple[int, int]]:
    """The matrix as {(strategy, column): (resolved, tried)} for the cells that exist."""
    columns = [value for value, _ in matrix["columns"]]
    return {
        (strategy, column): (cell.resolved, cell.ruptures)
        for strategy, _label, row in matrix["rows"]
        for column, cell in zip(columns, row, strict=True)
        if cell is not None
    }


def test_the_strategy_by_family_matrix(practice: Practice) -> None:
    matrix = review.strategy_matrix(practice.supervisor, practice.scope())
    # Steps (withdrawn ones left out) by the family and status of their rupture:
    #   clarify: R1 W resolved, R4 W repairing, R9 W resolved, R7 U open
    #   give_rationale: R13 W resolved     invite_feelings: R2 C resolved, R6 C resolved
    #   acknowledge_part: R2 C resolved    agree_prevention: R9 W resolved
    #   (redirect on R12 is withdrawn: no row)
    assert cells(matrix) == {
        (Strategy.CLARIFY, W): (2, 3),
        (Strategy.CLARIFY, U): (0, 1),
        (Strategy.GIVE_RATIONALE, W): (1, 1),
        (Strategy.INVITE_FEELINGS, C): (2, 2),
        (Strategy.ACKNOWLEDGE_PART, C): (1, 1),
        (Strategy.AGREE_PREVENTION, W): (1, 1),
    }
    # Columns in the families' order, only those used (no mixed); rows in strategy order.
    assert [value for value, _ in matrix["columns"]] == [W, C, U]
    assert [row[0] for row in matrix["rows"]] == [
        Strategy.CLARIFY,
        Strategy.GIVE_RATIONALE,
        Strategy.INVITE_FEELINGS,
        Strategy.ACKNOWLEDGE_PART,
        Strategy.AGREE_PREVENTION,
    ]
    clarify = matrix["rows"][0][2]
    assert clarify == [MatrixCell(3, 2), None, MatrixCell(1, 0)]
    assert clarify[0].rate == pytest.approx(2 / 3)
    assert clarify[2].rate == 0


def test_the_strategy_by_marker_matrix(practice: Practice) -> None:
    matrix = review.strategy_matrix(practice.supervisor, practice.scope(), by="marker")
    # Markers: R1 minimal_response + topic_shift, R2 complains_therapist, R4 minimal_response,
    # R6 rejects_intervention, R9 minimal_response. R13 has none (so give_rationale drops
    # out); R1's cause and the flags' feeling words are not markers.
    #   clarify x minimal_response: R1 res, R4 repairing, R9 res -> 2/3
    #   clarify x topic_shift: R1 -> 1/1
    #   invite_feelings x complains_therapist: R2 -> 1/1; x rejects_intervention: R6 -> 1/1
    #   acknowledge_part x complains_therapist: R2 -> 1/1
    #   agree_prevention x minimal_response: R9 -> 1/1
    assert cells(matrix) == {
        (Strategy.CLARIFY, Marker.MINIMAL_RESPONSE): (2, 3),
        (Strategy.CLARIFY, Marker.TOPIC_SHIFT): (1, 1),
        (Strategy.INVITE_FEELINGS, Marker.COMPLAINS_THERAPIST): (1, 1),
        (Strategy.INVITE_FEELINGS, Marker.REJECTS_INTERVENTION): (1, 1),
        (Strategy.ACKNOWLEDGE_PART, Marker.COMPLAINS_THERAPIST): (1, 1),
        (Strategy.AGREE_PREVENTION, Marker.MINIMAL_RESPONSE): (1, 1),
    }
    assert [value for value, _ in matrix["columns"]] == [
        Marker.MINIMAL_RESPONSE,
        Marker.TOPIC_SHIFT,
        Marker.COMPLAINS_THERAPIST,
        Marker.REJECTS_INTERVENTION,
    ]
    assert matrix["by"] == "marker"


# --- Who saw it -------------------------------------------------------------------------


def test_who_saw_it_counts_a_linked_pair_once(practice: Practice) -> None:
    seen = review.who_saw_it(practice.supervisor, practice.scope())
    # Client reports R3 R5 R7 R10 R11 R14 = 6, of which linked R5 R14 = 2 -> client only 4.
    # Therapist reports R1 R2 R4 R6 R8 R9 R12 R13 = 8, linked R4 R13 = 2 -> therapist only 6.
    # Both: 2 pairs (R4+R5, R13+R14). Moments: 4 + 6 + 2 = 12.
    assert seen["moments"] == {"client_only": 4, "therapist_only": 6, "both": 2, "total": 12}


def test_how_long_until_the_therapist_responded_to_a_client_only_flag(
    practice: Practice,
) -> None:
    response = review.who_saw_it(practice.supervisor, practice.scope())["response"]
    # R3: a shared therapist note 5 hours after sharing             -> within a day
    # R7: a repair step after 3 days (its note after 4 comes later) -> within a week
    # R10: a shared note after 10 days (the 1-hour note is withdrawn) -> later
    # R11: only a private therapist note and the client's own note  -> not yet
    assert response == {
        "flags": 4,
        "within_a_day": 1,
        "within_a_week": 1,
        "later": 1,
        "not_yet": 1,
    }


# --- Check-ins --------------------------------------------------------------------------


def test_check_in_disagreement_rate(practice: Practice) -> None:
    # Sessions in range where both answered: A2 A3 A4 B1 C1 = 5 (B2: client only, C2:
    # therapist only). Disagree: A3 (tension yes/no), A4 (resolution 1 vs 3: 2 apart) = 2.
    # B1 (2 vs 3) is 1 apart: agree. A5 (May) and case D are outside. 2 / 5 = 0.4
    assert review.check_in_disagreement(practice.supervisor, practice.scope()) == {
        "pairs": 5,
        "disagree": 2,
        "rate": 0.4,
    }


# --- Monthly trend ----------------------------------------------------------------------


def test_the_monthly_trend(practice: Practice) -> None:
    trend = review.monthly_trend(practice.supervisor, practice.scope())
    # March: sessions A2 A3 B1 C1 C2 = 5; ruptures R1-R5, R7, R9-R11 = 9 -> 10 * 9 / 5 = 18.0;
    #        resolved R1 R2 R9 = 3 of 9.
    # April: sessions A4 B2 C3 = 3; ruptures R6 R8 R12 R13 R14 = 5 -> 10 * 5 / 3 = 16.67;
    #        resolved R6 R13 = 2 of 5 = 0.4.
    assert trend == [
        {
            "month": date(2025, 3, 1),
            "sessions": 5,
            "ruptures": 9,
            "per_10_sessions": 18.0,
            "resolved_rate": pytest.approx(1 / 3),
        },
        {
            "month": date(2025, 4, 1),
            "sessions": 3,
            "ruptures": 5,
            "per_10_sessions": pytest.approx(50 / 3),
            "resolved_rate": 0.4,
        },
    ]


def test_months_and_the_range_follow_london_time_not_utc(db) -> None:
    therapist = factories.make_therapist()
    supervisor = factories.make_supervisor(therapist)
    case = factories.make_case(factories.make_client(), therapist)
    # 00:30 on 1 April BST is 23:30 on 31 March UTC: it belongs to April.
    # 23:30 on 30 April BST is 22:30 UTC: still inside a range ending 30 April.
    # 00:30 on 1 March GMT is inside a range starting 1 March; 23:30 on 28 Feb is not.
    times = [
        london(2025, 2, 28, 23).replace(minute=30),
        london(2025, 3, 1, 0).replace(minute=30),
        london(2025, 4, 1, 0).replace(minute=30),
        london(2025, 4, 30, 23).replace(minute=30),
        london(2025, 5, 1, 0).replace(minute=30),
    ]
    for n, when in enumerate(times, start=1):
        factories.make_rupture(factories.make_session(case, n, starts_at=when), therapist)
    scope = ReviewScope(therapists=[therapist], start=date(2025, 3, 1), end=date(2025, 4, 30))
    trend = review.monthly_trend(supervisor, scope)
    assert [(row["month"], row["sessions"], row["ruptures"]) for row in trend] == [
        (date(2025, 3, 1), 1, 1),
        (date(2025, 4, 1), 2, 2),
    ]
    april = review.drill(supervisor, scope, {"month": "2025-04"})
    assert [r.therapy_session.starts_at.astimezone(LONDON).day for r in april] == [30, 1]


# --- Coding agreement -------------------------------------------------------------------


def test_cohen_kappa_on_a_textbook_table() -> None:
    # 50 items: A yes/B yes 20, yes/no 5, no/yes 10, no/no 15.
    # po = (20 + 15) / 50 = 0.7; A says yes 25/50, B says yes 30/50;
    # pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    result = review.cohen_kappa(
        {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    )
    assert result == {"count": 50, "agreement": 0.7, "kappa": pytest.approx(0.4)}


def test_cohen_kappa_with_nothing_to_compare_or_no_chance_of_disagreement() -> None:
    assert review.cohen_kappa({}) == {"count": 0, "agreement": None, "kappa": None}
    # Both raters always say "withdrawal": pe = 1, kappa undefined.
    assert review.cohen_kappa({(W, W): 4}) == {"count": 4, "agreement": 1.0, "kappa": None}
    # Systematic disagreement: A W -> B C twice, A C -> B W twice. po = 0; A and B each say
    # W half the time: pe = 0.5 * 0.5 + 0.5 * 0.5 = 0.5; kappa = (0 - 0.5) / (1 - 0.5) = -1.
    assert review.cohen_kappa({(W, C): 2, (C, W): 2})["kappa"] == pytest.approx(-1)


def test_coding_agreement_per_therapist(practice: Practice) -> None:
    t1, t2 = review.coding_agreement(practice.supervisor, practice.scope())
    # T1 (therapist's family, Sabine's): R1 W/W, R2 C/C, R4 W/C, R6 C/C, R8 M/W. n = 5.
    #   po = 3 / 5 = 0.6
    #   therapist: W 2, C 2, M 1; Sabine: W 2, C 3, M 0
    #   pe = (2/5)(2/5) + (2/5)(3/5) + (1/5)(0/5) = 4/25 + 6/25 = 0.4
    #   kappa = (0.6 - 0.4) / (1 - 0.4) = 0.2 / 0.6 = 1/3
    assert t1["therapist"] == practice.people.t1
    assert (t1["count"], t1["agreement"]) == (5, 0.6)
    assert t1["kappa"] == pytest.approx(1 / 3)
    # T2: R9 W/W, R12 C/C, R13 W/W. po = 1; pe = (2/3)^2 + (1/3)^2 = 5/9; kappa = 1.
    # (Sabine's codings of the client flag R3 and of X1, outside the dates, and Rhea's
    # codings are not counted.)
    assert (t2["count"], t2["agreement"], t2["kappa"]) == (3, 1.0, pytest.approx(1.0))


def test_coding_agreement_follows_the_filters(practice: Practice) -> None:
    # Confrontation only: T1 R2 C/C, R6 C/C -> 2 of 2; pe = 1 -> no kappa. T2: R12 C/C.
    t1, t2 = review.coding_agreement(practice.supervisor, practice.scope(family=C))
    assert (t1["count"], t1["agreement"], t1["kappa"]) == (2, 1.0, None)
    assert (t2["count"], t2["agreement"], t2["kappa"]) == (1, 1.0, None)
    # Rhea (T1 and T3) coded R1, R2, R4 as mixed: none agrees; her table is all "M" on her
    # side, so pe = 0 and kappa = (0 - 0) / 1 = 0.
    rhea = practice.people.other_supervisor
    rows = review.coding_agreement(rhea, practice.scope(rhea))
    assert [(row["count"], row["agreement"], row["kappa"]) for row in rows] == [
        (3, 0.0, 0.0),
        (0, None, None),
    ]


# --- The therapist's own view -----------------------------------------------------------


def test_the_therapists_own_figures_are_only_their_caseload(practice: Practice) -> None:
    t1 = practice.people.t1
    rows, total = review.rates_by_therapist(t1, practice.scope(t1))
    # T1 sees their own private entry R8 and the shared flags of their clients; not the draft.
    assert [row.therapist for row in rows] == [t1]
    assert (total.sessions, total.ruptures, total.resolved, total.with_step) == (5, 8, 3, 5)
    assert set(
        review.ruptures_in_scope(t1, practice.scope(t1)).values_list("pk", flat=True)
    ) == practice.ids("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8")
    # Asking for T2 through a forged scope shows nothing of T2's: access decides first.
    forged = practice.scope(t1, therapists=[practice.people.t2])
    assert review.rates_by_therapist(t1, forged)[1].ruptures == 0
    assert review.rates_by_therapist(t1, forged)[1].sessions == 0


def test_a_supervisor_with_a_forged_scope_sees_nothing_of_an_unsupervised_therapist(
    practice: Practice,
) -> None:
    scope = practice.scope(therapists=[practice.people.t3])
    figures = review.figures(practice.supervisor, scope)
    assert (figures["total"].sessions, figures["total"].ruptures) == (0, 0)
    assert figures["seen"]["moments"]["total"] == 0
    assert figures["check_ins"]["pairs"] == 0
    assert figures["trend"] == []
    assert review.alerts(practice.supervisor, [practice.people.t3.pk])["still_open"] == []


# --- Drill-down -------------------------------------------------------------------------

DRILLS = [
    # (parameters, the ruptures behind the figure)
    ({}, [f"R{n}" for n in range(1, 15)]),
    ({"therapist": "T1"}, ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"]),
    ({"therapist": "T2"}, ["R9", "R10", "R11", "R12", "R13", "R14"]),
    ({"therapist": "T3"}, []),  # not in the scope: nothing, not everything
    ({"therapist": "99999999999999999999999"}, []),
    ({"therapist": "²"}, [f"R{n}" for n in range(1, 15)]),  # malformed: ignored
    ({"status": "resolved"}, ["R1", "R2", "R6", "R9", "R13"]),
    ({"status": "nonsense"}, [f"R{n}" for n in range(1, 15)]),
    ({"has_step": "1"}, ["R1", "R2", "R4", "R6", "R7", "R9", "R13"]),
    ({"therapist": "T1", "has_step": "1"}, ["R1", "R2", "R4", "R6", "R7"]),
    ({"strategy": "clarify"}, ["R1", "R4", "R7", "R9"]),
    ({"strategy": "redirect"}, []),  # only a withdrawn step
    ({"strategy": "clarify", "cell_family": "withdrawal"}, ["R1", "R4", "R9"]),
    ({"cell_family": "confrontation"}, ["R2", "R6", "R12"]),
    ({"cell_family": "mixed"}, ["R8"]),
    ({"strategy": "invite_feelings", "marker": "complains_therapist"}, ["R2"]),
    ({"marker": "minimal_response"}, ["R1", "R4", "R9"]),
    ({"seen": "client_only"}, ["R3", "R7", "R10", "R11"]),
    ({"seen": "therapist_only"}, ["R1", "R2", "R6", "R8", "R9", "R12"]),
    ({"seen": "both"}, ["R4", "R13"]),  # 2 moments, each listed once by the therapist's report
    ({"month": "2025-03"}, ["R1", "R2", "R3", "R4", "R5", "R7", "R9", "R10", "R11"]),
    ({"month": "2025-04"}, ["R6", "R8", "R12", "R13", "R14"]),
    ({"month": "2025-05"}, []),  # X2 is in May, but outside the range
    ({"month": "2025-13"}, [f"R{n}" for n in range(1, 15)]),
    ({"month": "9999-12"}, [f"R{n}" for n in range(1, 15)]),
]


@pytest.mark.parametrize(
    ("params", "expected"),
    DRILLS,
    ids=["&".join(f"{k}={v}" for k, v in p.items()) or "all" for p, _ in DRILLS],
)
def test_drill_lists_the_ruptures_behind_each_figure(
    practice: Practice, params: dict[str, str], expected: list[str]
) -> None:
    people = practice.people
    ids = {"T1": people.t1.pk, "T2": people.t2.pk, "T3": people.t3.pk}
    params = {k: str(ids.get(v, v)) for k, v in params.items()}
    ruptures = review.drill(practice.supervisor, practice.scope(), params)
    found = [r.pk for r in ruptures]
    assert len(found) == len(set(found))
    assert set(found) == practice.ids(*expected)


def test_drill_lists_newest_session_first(practice: Practice) -> None:
    ruptures = list(review.drill(practice.supervisor, practice.scope(), {"status": "resolved"}))
    # R6 (9 Apr), R13 (11 Apr), R9 (14 Mar), R1/R2 (12 Mar): newest session first.
    starts = [r.therapy_session.starts_at for r in ruptures]
    assert starts == sorted(starts, reverse=True)
    assert ruptures[0] == practice.r["R13"]


def test_drill_follows_the_scope_filters(practice: Practice) -> None:
    unreviewed = review.drill(
        practice.supervisor, practice.scope(unreviewed_only=True), {"status": "resolved"}
    )
    assert {r.pk for r in unreviewed} == practice.ids("R2", "R6", "R13")  # not R1, R9
    withdrawal = review.drill(practice.supervisor, practice.scope(family=W), {"seen": "both"})
    assert {r.pk for r in withdrawal} == practice.ids("R4", "R13")
