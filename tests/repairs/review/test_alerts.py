"""The four alerts, with the administrator's thresholds (AlertSettings) and changes to them.

Alerts are not limited to the review's dates: an old rupture still open is what they are for.
Every session of the practice lies in the past, so all of them have "started". Rupture
names are those of the conftest docstring.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from repairs import review
from repairs.codes import Status
from repairs.models import AlertSettings, Rupture
from rupturelog.accounts.models import User
from tests import factories
from tests.repairs.review.practice import Practice

pytestmark = pytest.mark.django_db


def thresholds(**values: int) -> None:
    AlertSettings.objects.update_or_create(pk=1, defaults=values)


def alerts_for(practice: Practice, viewer: User | None = None) -> dict:
    viewer = viewer or practice.supervisor
    ids = [t.pk for t in practice.scope(viewer).therapists]
    return review.alerts(viewer, ids)


def names(practice: Practice, ruptures: list[Rupture]) -> list[str]:
    by_pk = {r.pk: name for name, r in practice.r.items()}
    return [by_pk[r.pk] for r in ruptures]


def test_default_thresholds_come_from_a_single_settings_row(db) -> None:
    current = AlertSettings.current()
    assert (
        current.open_after_sessions,
        current.unanswered_flag_days,
        current.confrontation_count,
        current.confrontation_window,
        current.disagreeing_check_ins_in_a_row,
    ) == (3, 7, 3, 5, 2)
    assert AlertSettings.current().pk == current.pk == 1


# --- Still open after N sessions --------------------------------------------------------


def test_a_rupture_still_open_after_three_sessions(practice: Practice) -> None:
    still_open = alerts_for(practice)["still_open"]
    # Sessions started after each open/repairing rupture, in its case:
    #   X1 (A1): A2..A5 = 4 >= 3 -> alert (outside the review dates, still an alert)
    #   R3 R4 R5 (A3): 2; R10 R11 (C2): 2; R7 (B1): 1; R12 R14 (C3): 1; X2 (A5): 0
    #   The withdrawn entry (A2, open, 3 later) and the draft (A3) are not Sabine's to see;
    #   R8 is "unresolved" (closed without repair), not open. D1 is T3's.
    assert names(practice, still_open) == ["X1"]
    assert still_open[0].later == 4


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        (2, ["X1", "R3", "R4", "R5", "R10", "R11"]),
        # R14 is the client's side of a pair whose therapist entry (R13) is resolved; the
        # flag's own status is still open, and the alert goes by each report's status.
        (1, ["X1", "R3", "R4", "R5", "R7", "R10", "R11", "R12", "R14"]),
        (4, ["X1"]),
        (5, []),
    ],
)
def test_the_open_after_sessions_threshold(
    practice: Practice, sessions: int, expected: list[str]
) -> None:
    thresholds(open_after_sessions=sessions)
    still_open = alerts_for(practice)["still_open"]
    assert sorted(names(practice, still_open)) == sorted(expected)
    # Oldest session first.
    starts = [r.therapy_session.starts_at for r in still_open]
    assert starts == sorted(starts)


def test_a_rupture_resolved_since_is_no_longer_open(practice: Practice) -> None:
    Rupture.objects.filter(pk=practice.r["X1"].pk).update(status=Status.RESOLVED)
    assert alerts_for(practice)["still_open"] == []


# --- A client flag with no response -----------------------------------------------------


def test_a_client_flag_with_no_therapist_response(practice: Practice) -> None:
    # Shared client flags, open: R3 (a shared note), R7 (a step), R10 (a shared note after
    # 10 days), R5 and R14 (linked to the therapist's entry): answered. R11 has only a
    # private therapist note, which the client never sees: unanswered. D2 is T3's.
    assert names(practice, alerts_for(practice)["unanswered"]) == ["R11"]


def test_the_unanswered_flag_days_threshold(practice: Practice) -> None:
    r11 = practice.r["R11"]
    Rupture.objects.filter(pk=r11.pk).update(shared_at=timezone.now() - timedelta(days=3))
    # Shared 3 days ago: not yet 7 days.
    assert alerts_for(practice)["unanswered"] == []
    thresholds(unanswered_flag_days=3)
    assert names(practice, alerts_for(practice)["unanswered"]) == ["R11"]
    thresholds(unanswered_flag_days=4)
    assert alerts_for(practice)["unanswered"] == []


def test_a_shared_reply_or_a_status_change_answers_a_flag(practice: Practice) -> None:
    r11 = practice.r["R11"]
    Rupture.objects.filter(pk=r11.pk).update(status=Status.REPAIRING)
    assert alerts_for(practice)["unanswered"] == []
    Rupture.objects.filter(pk=r11.pk).update(status=Status.OPEN)
    factories.make_note(r11, practice.people.t2, "I hear you; let's talk on Thursday.")
    assert alerts_for(practice)["unanswered"] == []


# --- Repeated confrontation -------------------------------------------------------------


def test_repeated_confrontation_in_one_case(practice: Practice) -> None:
    confrontation = alerts_for(practice)["confrontation"]
    # Case A: confrontation R2 (A2), R6 (A4), X2 (A5); its last session is A5, so the
    # last 5 sessions are A1..A5: 3 >= 3 -> alert. Case C: R12 only. Case D is T3's.
    assert [(row["case"], row["n"]) for row in confrontation] == [(practice.load.cases["A"], 3)]


@pytest.mark.parametrize(
    ("settings_row", "expected"),
    [
        # Last 3 sessions of A: A3..A5 hold R6, X2 = 2 < 3.
        ({"confrontation_window": 3}, []),
        ({"confrontation_window": 3, "confrontation_count": 2}, [2]),
        # Last 1 session: A5 holds X2.
        ({"confrontation_window": 1, "confrontation_count": 1}, [1]),
        ({"confrontation_count": 4}, []),
    ],
)
def test_the_confrontation_thresholds(
    practice: Practice, settings_row: dict[str, int], expected: list[int]
) -> None:
    thresholds(**settings_row)
    confrontation = alerts_for(practice)["confrontation"]
    assert [row["n"] for row in confrontation] == expected
    assert all(row["case"] == practice.load.cases["A"] for row in confrontation)


def test_repeated_confrontation_of_an_unsupervised_therapist_reaches_their_supervisor(
    practice: Practice,
) -> None:
    # Case D (T3): confrontation D1, D3, D4, D5; last 5 sessions D1..D5: 4. Rhea supervises
    # T1 and T3, so she sees both case A and case D; Sabine (above) only case A.
    rhea = practice.people.other_supervisor
    confrontation = alerts_for(practice, rhea)["confrontation"]
    assert [(row["case"], row["n"]) for row in confrontation] == [
        (practice.load.cases["D"], 4),
        (practice.load.cases["A"], 3),
    ]


# --- Check-ins that disagree ------------------------------------------------------------


def test_check_ins_that_disagree_two_sessions_running(practice: Practice) -> None:
    disagreeing = alerts_for(practice)["disagreeing"]
    # Case A's latest session A5 disagrees (1 vs 4) and so does A4 (1 vs 3): 2 in a row.
    # B's latest (B2) has one answer only; C's latest (C4) none.
    assert [(row["case"], row["number"]) for row in disagreeing] == [(practice.load.cases["A"], 5)]


@pytest.mark.parametrize(("run", "alerted"), [(1, True), (3, True), (4, False)])
def test_the_disagreeing_check_ins_threshold(practice: Practice, run: int, alerted: bool) -> None:
    # A2 agrees, A3 A4 A5 disagree: runs of up to 3 end at A5.
    thresholds(disagreeing_check_ins_in_a_row=run)
    disagreeing = alerts_for(practice)["disagreeing"]
    assert [row["case"] for row in disagreeing] == ([practice.load.cases["A"]] if alerted else [])


def test_a_later_session_that_agrees_ends_the_run(practice: Practice) -> None:
    case = practice.load.cases["A"]
    latest = factories.make_session(case, 6, starts_at=timezone.now() - timedelta(days=1))
    factories.make_check_in(latest, practice.load.clients["A"], tension=False, resolution=None)
    factories.make_check_in(latest, practice.people.t1, tension=False, resolution=None)
    assert alerts_for(practice)["disagreeing"] == []


# --- Who gets which alerts --------------------------------------------------------------


def test_each_therapist_gets_only_their_own_alerts(practice: Practice) -> None:
    t1 = alerts_for(practice, practice.people.t1)
    assert names(practice, t1["still_open"]) == ["X1"]
    assert t1["unanswered"] == []
    assert [row["case"] for row in t1["confrontation"]] == [practice.load.cases["A"]]
    assert [row["case"] for row in t1["disagreeing"]] == [practice.load.cases["A"]]
    t2 = alerts_for(practice, practice.people.t2)
    assert names(practice, t2["unanswered"]) == ["R11"]
    assert (t2["still_open"], t2["confrontation"], t2["disagreeing"]) == ([], [], [])


def test_the_review_page_and_the_therapists_home_show_the_alerts(practice: Practice) -> None:
    load = practice.load
    page = practice.login(practice.supervisor).get(reverse("review")).content.decode()
    assert "Client flags with no response after 7 days" in page
    assert f"{load.clients['C'].pseudonym}, session 2" in page  # R11
    assert "Repeated confrontation (3+ in the last 5 sessions)" in page
    assert "Check-ins disagree 2 sessions running" in page
    assert "Still open 3 or more sessions later (1)" in page
    assert f"{load.clients['A'].pseudonym}, session 1" in page  # X1
    assert "4 sessions since" in page
    assert load.clients["D"].pseudonym not in page
    home = practice.login(practice.people.t1).get(reverse("home")).content.decode()
    # The therapist sees their client by name.
    assert "Amara Lindqvist, session 1" in home
    assert "Celia Moorcroft" not in home
