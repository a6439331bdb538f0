"""The database refuses data that breaks the model's rules, whoever writes it.

Every CheckConstraint and UniqueConstraint, and the two cross-table triggers, are exercised
directly against the database (SQLite and PostgreSQL run this same file). Each failure is
matched to the rule that raised it, so a test cannot pass because some other rule fired.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from repairs.codes import CodeKind, Family, Visibility
from repairs.models import Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import Role, Supervision, User
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@contextmanager
def violates(rule: str) -> Iterator[None]:
    """The block raises IntegrityError naming `rule` (a regex), rolled back on its own."""
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        yield


def unique_rule(name: str, table: str, *columns: str) -> str:
    """How each database names a unique violation: PostgreSQL by the constraint's name,
    SQLite by the table's columns.
    """
    sqlite_columns = ", ".join(f"{table}.{column}" for column in columns)
    return f"{re.escape(name)}|{re.escape(sqlite_columns)}"


RUPTURE_CASE_RULE = "rupture's case must be the case of its session"
STEP_CASE_RULE = "repair step must happen in a session of the rupture's case"


def test_the_suite_runs_on_a_supported_database() -> None:
    assert connection.vendor in {"sqlite", "postgresql"}


# --- Accounts ---------------------------------------------------------------------------


def test_a_new_client_always_gets_a_pseudonym() -> None:
    created = factories.make_client()
    saved = User(email="plain@example.org", display_name="Plain", role=Role.CLIENT)
    saved.save()
    for client in (created, saved):
        assert re.fullmatch(r"C-[2-9A-HJKMNP-Z]{4}", client.pseudonym)


def test_a_user_who_becomes_a_client_gets_a_pseudonym() -> None:
    user = factories.make_therapist()
    user.role = Role.CLIENT
    user.save()
    user.refresh_from_db()
    assert user.pseudonym


def test_pseudonyms_are_unique() -> None:
    first, second = factories.make_client(), factories.make_client()
    assert first.pseudonym != second.pseudonym
    with violates(unique_rule("pseudonym", "accounts_user", "pseudonym")):
        User.objects.filter(pk=second.pk).update(pseudonym=first.pseudonym)


def test_a_client_cannot_lose_their_pseudonym() -> None:
    client = factories.make_client()
    with violates("client_has_pseudonym"):
        User.objects.filter(pk=client.pk).update(pseudonym=None)


def test_email_is_stored_lowercased() -> None:
    user = factories.make_client(email="Ann.Other@Example.ORG")
    assert user.email == "ann.other@example.org"
    user.email = "MIXED@Example.org"
    user.save()
    user.refresh_from_db()
    assert user.email == "mixed@example.org"


def test_an_unknown_role_is_refused() -> None:
    user = factories.make_therapist()
    with violates("user_role_is_known"):
        User.objects.filter(pk=user.pk).update(role="superhero")


def test_nobody_supervises_themself(cast: Cast) -> None:
    with violates("supervision_not_self"):
        Supervision.objects.create(supervisor=cast.therapist_a, therapist=cast.therapist_a)


def test_a_supervision_pair_is_recorded_once(cast: Cast) -> None:
    with violates(
        unique_rule(
            "supervision_unique_pair", "accounts_supervision", "supervisor_id", "therapist_id"
        )
    ):
        Supervision.objects.create(supervisor=cast.supervisor_a, therapist=cast.therapist_a)


# --- Cases and sessions -----------------------------------------------------------------


def test_a_case_cannot_close_before_it_opens(cast: Cast) -> None:
    with violates("case_closes_after_it_opens"):
        factories.make_case(
            cast.client_a,
            cast.therapist_a,
            opened_on=date(2025, 3, 1),
            closed_on=date(2025, 2, 28),
        )


def test_a_case_may_close_on_the_day_it_opens(cast: Cast) -> None:
    day = date(2025, 3, 1)
    case = factories.make_case(cast.client_a, cast.therapist_a, opened_on=day, closed_on=day)
    assert not case.is_open


def test_a_therapist_cannot_be_their_own_client(cast: Cast) -> None:
    with violates("case_client_is_not_therapist"):
        factories.make_case(cast.therapist_a, cast.therapist_a)


def test_session_numbers_are_unique_within_a_case(cast: Cast) -> None:
    with violates(
        unique_rule("session_number_unique", "therapy_sessions_therapysession", "case_id", "number")
    ):
        factories.make_session(cast.case_a, number=cast.session_a.number)


def test_the_same_session_number_may_be_used_in_another_case(cast: Cast) -> None:
    assert cast.session_a.number == cast.session_b.number


def test_session_numbers_start_at_one(cast: Cast) -> None:
    with violates("session_number_positive"):
        factories.make_session(cast.case_a, number=0)


@pytest.mark.parametrize("minutes", [0, 481], ids=["zero_minutes", "481_minutes"])
def test_session_length_must_be_between_1_and_480_minutes(cast: Cast, minutes: int) -> None:
    with violates("session_minutes_1_480"):
        factories.make_session(cast.case_a, minutes=minutes)


@pytest.mark.parametrize("minutes", [1, 480])
def test_session_length_limits_are_inclusive(cast: Cast, minutes: int) -> None:
    assert factories.make_session(cast.case_a, minutes=minutes).minutes == minutes


def test_an_unknown_session_format_is_refused(cast: Cast) -> None:
    with violates("session_format_is_known"):
        factories.make_session(cast.case_a, format="carrier_pigeon")


# --- Check-ins --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["intensity", "resolution"])
@pytest.mark.parametrize("value", [0, 6], ids=["below_1", "above_5"])
def test_check_in_ratings_must_be_1_to_5(cast: Cast, field: str, value: int) -> None:
    with violates(f"checkin_{field}_1_5"):
        factories.make_check_in(cast.session_a, cast.client_a, **{field: value})


def test_check_in_ratings_may_be_left_empty(cast: Cast) -> None:
    check_in = factories.make_check_in(
        cast.session_a, cast.client_a, tension=False, intensity=None, resolution=None
    )
    assert check_in.intensity is None and check_in.resolution is None


def test_one_respondent_checks_in_once_per_session(cast: Cast) -> None:
    factories.make_check_in(cast.session_a, cast.client_a)
    # Filed under the other role, so only the one-per-respondent rule can refuse it.
    with violates(
        unique_rule(
            "checkin_one_per_respondent",
            "therapy_sessions_checkin",
            "therapy_session_id",
            "respondent_id",
        )
    ):
        factories.make_check_in(cast.session_a, cast.client_a, respondent_role=Role.THERAPIST)


def test_each_side_checks_in_once_per_session(cast: Cast) -> None:
    factories.make_check_in(cast.session_a, cast.therapist_a)
    with violates(
        unique_rule(
            "checkin_one_per_side",
            "therapy_sessions_checkin",
            "therapy_session_id",
            "respondent_role",
        )
    ):
        factories.make_check_in(cast.session_a, cast.therapist_b, respondent_role=Role.THERAPIST)


def test_an_unknown_check_in_role_is_refused(cast: Cast) -> None:
    with violates("checkin_role_is_known"):
        factories.make_check_in(cast.session_a, cast.supervisor_a)


# --- Ruptures ---------------------------------------------------------------------------


@pytest.mark.parametrize("intensity", [0, 6], ids=["below_1", "above_5"])
def test_rupture_intensity_must_be_1_to_5(cast: Cast, intensity: int) -> None:
    with violates("rupture_intensity_1_5"):
        factories.make_rupture(cast.session_a, cast.therapist_a, intensity=intensity)


def test_a_rupture_minute_cannot_be_past_480(cast: Cast) -> None:
    with violates("rupture_minute_within_a_session"):
        factories.make_rupture(cast.session_a, cast.therapist_a, minute=481)


@pytest.mark.parametrize("minute", [0, 480, None], ids=["minute_0", "minute_480", "not_sure"])
def test_a_rupture_minute_may_be_0_to_480_or_unknown(cast: Cast, minute: int | None) -> None:
    assert factories.make_rupture(cast.session_a, cast.therapist_a, minute=minute).minute == minute


@pytest.mark.parametrize(
    ("field", "rule"),
    [
        ("family", "rupture_family_is_known"),
        ("status", "rupture_status_is_known"),
        ("recognised", "rupture_recognised_is_known"),
        ("visibility", "rupture_visibility_is_known"),
        ("author_role", "rupture_role_is_known"),
    ],
)
def test_a_rupture_with_an_unknown_code_is_refused(cast: Cast, field: str, rule: str) -> None:
    with violates(rule):
        factories.make_rupture(cast.session_a, cast.therapist_a, **{field: "bogus"})


def test_a_rupture_cannot_be_its_own_counterpart(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    with violates("rupture_not_its_own_counterpart"):
        Rupture.objects.filter(pk=rupture.pk).update(counterpart=F("id"))


def test_two_reports_of_one_moment_can_be_joined(cast: Cast) -> None:
    flag = factories.make_rupture(cast.session_a, cast.client_a)
    entry = factories.make_rupture(cast.session_a, cast.therapist_a, counterpart=flag)
    Rupture.objects.filter(pk=flag.pk).update(counterpart=entry)
    assert Rupture.objects.get(pk=flag.pk).counterpart == entry


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (CodeKind.MARKER, "unheard"),  # a feeling word filed as a marker
        (CodeKind.FEELING, "minimal_response"),  # a marker filed as a feeling
        (CodeKind.CAUSE, "denial"),
        (CodeKind.MARKER, "not_a_code"),
        ("mood", "unheard"),
    ],
    ids=["feeling_as_marker", "marker_as_feeling", "marker_as_cause", "unknown_code", "bad_kind"],
)
def test_a_rupture_code_must_belong_to_its_kind(cast: Cast, kind: str, code: str) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    with violates("rupture_code_known"):
        RuptureCode.objects.create(rupture=rupture, kind=kind, code=code)


def test_a_code_is_recorded_once_per_rupture(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    factories.add_code(rupture, CodeKind.MARKER, "denial")
    with violates(
        unique_rule("rupture_code_once", "repairs_rupturecode", "rupture_id", "kind", "code")
    ):
        factories.add_code(rupture, CodeKind.MARKER, "denial")


# --- Repair steps and notes -------------------------------------------------------------


def test_repair_step_positions_are_unique_per_rupture(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    factories.make_step(rupture, cast.therapist_a, position=1)
    with violates(unique_rule("repair_step_order", "repairs_repairstep", "rupture_id", "position")):
        factories.make_step(rupture, cast.therapist_a, position=1)


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("position", 0, "repair_position_positive"),
        ("strategy", "bogus", "repair_strategy_is_known"),
        ("outcome", "bogus", "repair_outcome_is_known"),
        ("initiated_by", "supervisor", "repair_initiator_is_known"),
    ],
    ids=["position_0", "strategy", "outcome", "initiator"],
)
def test_a_repair_step_with_a_bad_value_is_refused(
    cast: Cast, field: str, value: object, rule: str
) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    with violates(rule):
        factories.make_step(rupture, cast.therapist_a, **{field: value})


@pytest.mark.parametrize(
    ("field", "rule"),
    [("author_role", "note_role_is_known"), ("visibility", "note_visibility_is_known")],
)
def test_a_note_with_an_unknown_code_is_refused(cast: Cast, field: str, rule: str) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    with violates(rule):
        factories.make_note(rupture, cast.therapist_a, **{field: "bogus"})


# --- Cross-table rules (database triggers) ----------------------------------------------


def test_a_rupture_takes_its_case_from_its_session(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    assert rupture.case_id == cast.case_a.pk


def test_a_rupture_cannot_be_created_in_another_case_than_its_session(cast: Cast) -> None:
    with violates(RUPTURE_CASE_RULE):
        factories.make_rupture(cast.session_a, cast.therapist_a, case=cast.case_b)


@pytest.mark.parametrize(
    "change",
    [
        lambda cast: {"case": cast.case_b},
        lambda cast: {"therapy_session": cast.session_b},
    ],
    ids=["moving_the_case", "moving_the_session"],
)
def test_a_bulk_update_cannot_split_a_rupture_from_its_sessions_case(
    cast: Cast, change: Callable[[Cast], dict]
) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    with violates(RUPTURE_CASE_RULE):
        Rupture.objects.filter(pk=rupture.pk).update(**change(cast))


def test_a_bulk_update_may_move_a_rupture_with_its_case(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    Rupture.objects.filter(pk=rupture.pk).update(case=cast.case_b, therapy_session=cast.session_b)
    assert Rupture.objects.get(pk=rupture.pk).case_id == cast.case_b.pk


def test_a_repair_step_may_happen_in_a_later_session_of_the_same_case(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    later = factories.make_session(cast.case_a)
    step = factories.make_step(rupture, cast.therapist_a, therapy_session=later)
    assert step.therapy_session == later


def test_a_repair_step_cannot_be_created_in_another_cases_session(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    with violates(STEP_CASE_RULE):
        factories.make_step(rupture, cast.therapist_a, therapy_session=cast.session_b)


def test_a_bulk_update_cannot_move_a_repair_step_to_another_cases_session(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    step = factories.make_step(rupture, cast.therapist_a)
    with violates(STEP_CASE_RULE):
        RepairStep.objects.filter(pk=step.pk).update(therapy_session=cast.session_b)


def test_a_bulk_update_cannot_move_a_repair_step_to_another_cases_rupture(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    step = factories.make_step(rupture, cast.therapist_a)
    other = factories.make_rupture(cast.session_b, cast.therapist_b)
    with violates(STEP_CASE_RULE):
        RepairStep.objects.filter(pk=step.pk).update(rupture=other)


def test_withdrawing_keeps_the_row(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    note = factories.make_note(rupture, cast.therapist_a, visibility=Visibility.PRIVATE)
    factories.withdraw(note)
    factories.withdraw(rupture)
    assert Rupture.objects.get(pk=rupture.pk).is_withdrawn
    assert Note.objects.get(pk=note.pk).is_withdrawn


def test_a_case_and_session_know_their_urls(cast: Cast) -> None:
    assert cast.case_a.get_absolute_url() == f"/cases/{cast.case_a.pk}/"
    assert cast.session_a.get_absolute_url() == f"/sessions/{cast.session_a.pk}/"


def test_a_new_rupture_is_unclassified_and_shared_by_default() -> None:
    rupture = Rupture()
    assert rupture.family == Family.UNCLASSIFIED
    assert rupture.visibility == Visibility.SHARED
