"""repairs/access.py: the one place that decides what clinical data a user may see.

Each scoped queryset is checked for every role against a small case with one item of every
kind of visibility, so a change to the rules shows up here as a named, readable failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from repairs import access
from repairs.codes import AuthorRole, InboxKind, Status, Visibility
from repairs.models import InboxItem, Note, RepairStep, Rupture
from rupturelog.accounts.models import User
from sessions.models import CheckIn, TherapySession
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@dataclass
class Record:
    """Case A's items, one of each visibility, plus one shared item in case B."""

    shared: Rupture
    therapist_private: Rupture
    client_draft: Rupture
    withdrawn: Rupture
    in_case_b: Rupture
    shared_step: RepairStep
    withdrawn_step: RepairStep
    step_on_private: RepairStep
    step_in_case_b: RepairStep
    client_note: Note
    therapist_note: Note
    client_private_note: Note
    therapist_private_note: Note
    supervisor_note: Note
    supervisor_private_note: Note
    withdrawn_note: Note
    note_on_draft: Note
    note_on_withdrawn: Note
    note_in_case_b: Note
    client_check_in: CheckIn
    therapist_check_in: CheckIn
    check_in_b: CheckIn


@pytest.fixture
def record(cast: Cast) -> Record:
    s = cast.session_a
    shared = factories.make_rupture(s, cast.therapist_a)
    therapist_private = factories.make_rupture(s, cast.therapist_a, visibility=Visibility.PRIVATE)
    client_draft = factories.make_rupture(s, cast.client_a, visibility=Visibility.PRIVATE)
    withdrawn = factories.make_rupture(s, cast.client_a)
    in_case_b = factories.make_rupture(cast.session_b, cast.client_b)
    withdrawn_step = factories.make_step(shared, cast.therapist_a)
    factories.withdraw(withdrawn_step)
    supervisor_private_note = factories.make_note(
        shared, cast.supervisor_a, visibility=Visibility.PRIVATE
    )
    withdrawn_note = factories.make_note(shared, cast.client_a)
    factories.withdraw(withdrawn_note)
    rec = Record(
        shared=shared,
        therapist_private=therapist_private,
        client_draft=client_draft,
        withdrawn=withdrawn,
        in_case_b=in_case_b,
        shared_step=factories.make_step(shared, cast.therapist_a),
        withdrawn_step=withdrawn_step,
        step_on_private=factories.make_step(therapist_private, cast.therapist_a),
        step_in_case_b=factories.make_step(in_case_b, cast.therapist_b),
        client_note=factories.make_note(shared, cast.client_a),
        therapist_note=factories.make_note(shared, cast.therapist_a),
        client_private_note=factories.make_note(
            shared, cast.client_a, visibility=Visibility.PRIVATE
        ),
        therapist_private_note=factories.make_note(
            shared, cast.therapist_a, visibility=Visibility.PRIVATE
        ),
        # "Shared" on a supervisor note still means therapist and supervisors only.
        supervisor_note=factories.make_note(shared, cast.supervisor_a),
        supervisor_private_note=supervisor_private_note,
        withdrawn_note=withdrawn_note,
        note_on_draft=factories.make_note(client_draft, cast.client_a),
        note_on_withdrawn=factories.make_note(withdrawn, cast.therapist_a),
        note_in_case_b=factories.make_note(in_case_b, cast.therapist_b),
        client_check_in=factories.make_check_in(s, cast.client_a),
        therapist_check_in=factories.make_check_in(s, cast.therapist_a),
        check_in_b=factories.make_check_in(cast.session_b, cast.client_b),
    )
    factories.withdraw(withdrawn)
    return rec


def _user(cast: Cast, persona: str) -> User | AnonymousUser:
    return cast.persona(persona) or AnonymousUser()


NOBODY = ["anonymous", "admin", "inactive"]


# --- Who gets nothing -------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOBODY)
def test_anonymous_inactive_and_admin_users_see_no_clinical_data(
    cast: Cast, record: Record, persona: str
) -> None:
    user = _user(cast, persona)
    for scoped in (
        access.cases_for,
        access.sessions_for,
        access.check_ins_for,
        access.ruptures_for,
        access.repair_steps_for,
        access.notes_for,
        access.ruptures_with_threads,
        access.supervised_therapists,
    ):
        assert not scoped(user).exists(), scoped.__name__


def test_an_inactive_clinician_sees_nothing_of_their_own_cases(cast: Cast, record: Record) -> None:
    User.objects.filter(pk=cast.therapist_a.pk).update(is_active=False)
    therapist = User.objects.get(pk=cast.therapist_a.pk)
    assert not access.cases_for(therapist).exists()
    assert not access.ruptures_for(therapist).exists()
    assert not access.notes_for(therapist).exists()


def test_a_staff_clinician_keeps_their_clinical_scope(cast: Cast) -> None:
    User.objects.filter(pk=cast.therapist_a.pk).update(is_staff=True)
    therapist = User.objects.get(pk=cast.therapist_a.pk)
    assert set(access.cases_for(therapist)) == {cast.case_a, cast.case_inactive}


# --- Cases and sessions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("client_a", {"case_a"}),
        ("client_b", {"case_b"}),
        ("therapist_a", {"case_a", "case_inactive"}),
        ("therapist_b", {"case_b"}),
        ("supervisor_a", {"case_a", "case_inactive"}),
        ("supervisor_b", {"case_b"}),
    ],
)
def test_each_role_sees_only_the_cases_in_their_scope(
    cast: Cast, persona: str, expected: set[str]
) -> None:
    user = _user(cast, persona)
    assert set(access.cases_for(user)) == {getattr(cast, name) for name in expected}
    sessions = {f"session_{name.removeprefix('case_')}" for name in expected}
    assert set(access.sessions_for(user)) == {getattr(cast, name) for name in sessions}


def test_a_supervisor_sees_only_the_therapists_they_supervise(cast: Cast) -> None:
    assert list(access.supervised_therapists(cast.supervisor_a)) == [cast.therapist_a]
    assert list(access.supervised_therapists(cast.supervisor_b)) == [cast.therapist_b]
    assert not access.supervised_therapists(cast.therapist_a).exists()


def test_a_supervisor_of_two_therapists_sees_both_caseloads(cast: Cast) -> None:
    both = factories.make_supervisor(cast.therapist_a, cast.therapist_b)
    assert set(access.cases_for(both)) == {cast.case_a, cast.case_b, cast.case_inactive}


# --- Check-ins --------------------------------------------------------------------------


def test_a_client_sees_only_their_own_check_ins(cast: Cast, record: Record) -> None:
    assert list(access.check_ins_for(cast.client_a)) == [record.client_check_in]
    assert list(access.check_ins_for(cast.client_b)) == [record.check_in_b]


@pytest.mark.parametrize("persona", ["therapist_a", "supervisor_a"])
def test_therapist_and_supervisor_see_both_sides_check_ins(
    cast: Cast, record: Record, persona: str
) -> None:
    assert set(access.check_ins_for(_user(cast, persona))) == {
        record.client_check_in,
        record.therapist_check_in,
    }


@pytest.mark.parametrize("persona", ["therapist_b", "supervisor_b"])
def test_other_clinicians_see_no_check_ins_of_case_a(
    cast: Cast, record: Record, persona: str
) -> None:
    assert set(access.check_ins_for(_user(cast, persona))) == {record.check_in_b}


# --- Ruptures ---------------------------------------------------------------------------


RUPTURES_SEEN = {
    "client_a": {"shared", "client_draft"},
    "client_b": {"in_case_b"},
    "therapist_a": {"shared", "therapist_private"},
    "therapist_b": {"in_case_b"},
    "supervisor_a": {"shared", "therapist_private"},
    "supervisor_b": {"in_case_b"},
}


@pytest.mark.parametrize(("persona", "expected"), RUPTURES_SEEN.items())
def test_each_role_sees_the_ruptures_the_rules_allow(
    cast: Cast, record: Record, persona: str, expected: set[str]
) -> None:
    user = _user(cast, persona)
    assert set(access.ruptures_for(user)) == {getattr(record, name) for name in expected}
    assert set(access.ruptures_with_threads(user)) == set(access.ruptures_for(user))


def test_a_client_draft_is_seen_only_by_that_client(cast: Cast, record: Record) -> None:
    seen_by = [
        persona
        for persona in RUPTURES_SEEN
        if access.ruptures_for(_user(cast, persona)).filter(pk=record.client_draft.pk).exists()
    ]
    assert seen_by == ["client_a"]


def test_a_shared_client_draft_reaches_the_care_team(cast: Cast, record: Record) -> None:
    Rupture.objects.filter(pk=record.client_draft.pk).update(visibility=Visibility.SHARED)
    for persona in ("client_a", "therapist_a", "supervisor_a"):
        assert access.ruptures_for(_user(cast, persona)).filter(pk=record.client_draft.pk)


def test_a_withdrawn_rupture_is_hidden_from_everyone(cast: Cast, record: Record) -> None:
    for persona in RUPTURES_SEEN:
        visible = access.ruptures_for(_user(cast, persona))
        assert not visible.filter(pk=record.withdrawn.pk).exists(), persona


# --- Repair steps -----------------------------------------------------------------------


STEPS_SEEN = {
    "client_a": {"shared_step"},
    "client_b": {"step_in_case_b"},
    "therapist_a": {"shared_step", "step_on_private"},
    "therapist_b": {"step_in_case_b"},
    "supervisor_a": {"shared_step", "step_on_private"},
    "supervisor_b": {"step_in_case_b"},
}


@pytest.mark.parametrize(("persona", "expected"), STEPS_SEEN.items())
def test_each_role_sees_repair_steps_of_the_ruptures_they_see(
    cast: Cast, record: Record, persona: str, expected: set[str]
) -> None:
    user = _user(cast, persona)
    assert set(access.repair_steps_for(user)) == {getattr(record, name) for name in expected}


def test_withdrawn_steps_and_steps_of_withdrawn_ruptures_are_hidden(
    cast: Cast, record: Record
) -> None:
    step_on_withdrawn = factories.make_step(record.withdrawn, cast.therapist_a)
    for persona in STEPS_SEEN:
        visible = access.repair_steps_for(_user(cast, persona))
        assert not visible.filter(pk__in=[record.withdrawn_step.pk, step_on_withdrawn.pk])


# --- Notes ------------------------------------------------------------------------------


NOTES_SEEN = {
    "client_a": {"client_note", "therapist_note", "client_private_note", "note_on_draft"},
    "client_b": {"note_in_case_b"},
    "therapist_a": {
        "client_note",
        "therapist_note",
        "therapist_private_note",
        "supervisor_note",
        "supervisor_private_note",
    },
    "therapist_b": {"note_in_case_b"},
    "supervisor_a": {
        "client_note",
        "therapist_note",
        "therapist_private_note",
        "supervisor_note",
        "supervisor_private_note",
    },
    "supervisor_b": {"note_in_case_b"},
}


@pytest.mark.parametrize(("persona", "expected"), NOTES_SEEN.items())
def test_each_role_sees_the_notes_the_rules_allow(
    cast: Cast, record: Record, persona: str, expected: set[str]
) -> None:
    user = _user(cast, persona)
    assert set(access.notes_for(user)) == {getattr(record, name) for name in expected}


def test_a_client_never_sees_a_supervisor_note(cast: Cast, record: Record) -> None:
    client_notes = access.notes_for(cast.client_a)
    assert not client_notes.filter(author_role=AuthorRole.SUPERVISOR).exists()


def test_a_client_cannot_see_a_therapist_private_note(cast: Cast, record: Record) -> None:
    assert not access.notes_for(cast.client_a).filter(pk=record.therapist_private_note.pk)


def test_a_therapist_cannot_see_a_client_private_note(cast: Cast, record: Record) -> None:
    for persona in ("therapist_a", "supervisor_a"):
        notes = access.notes_for(_user(cast, persona))
        assert not notes.filter(pk=record.client_private_note.pk).exists(), persona


def test_a_supervisor_of_another_therapist_sees_no_notes_of_this_case(
    cast: Cast, record: Record
) -> None:
    assert not access.notes_for(cast.supervisor_b).filter(rupture__case=cast.case_a).exists()


def test_threads_carry_only_the_steps_and_notes_the_viewer_may_see(
    cast: Cast, record: Record
) -> None:
    for persona in ("client_a", "therapist_a", "supervisor_a"):
        user = _user(cast, persona)
        card = access.ruptures_with_threads(user).get(pk=record.shared.pk)
        assert set(card.visible_notes) == set(access.notes_for(user).filter(rupture=card))
        assert set(card.visible_steps) == {record.shared_step}


# --- Counts and names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "ruptures", "still_open"),
    [("client_a", 2, 1), ("therapist_a", 2, 2), ("supervisor_a", 2, 2)],
)
def test_case_counts_only_count_what_the_viewer_may_see(
    cast: Cast, record: Record, persona: str, ruptures: int, still_open: int
) -> None:
    # The draft is the client's own; the therapist-private entry is the care team's.
    Rupture.objects.filter(pk=record.client_draft.pk).update(status=Status.RESOLVED)
    user = _user(cast, persona)
    case = access.with_case_counts(access.cases_for(user), user).get(pk=cast.case_a.pk)
    assert (case.session_count, case.rupture_count, case.open_rupture_count) == (
        1,
        ruptures,
        still_open,
    )
    session = access.with_session_counts(access.sessions_for(user), user).get(pk=cast.session_a.pk)
    assert (session.rupture_count, session.open_rupture_count) == (ruptures, still_open)


def test_a_supervisor_sees_the_client_by_pseudonym(cast: Cast) -> None:
    assert access.client_name(cast.supervisor_a, cast.case_a) == cast.client_a.pseudonym
    assert access.client_name(cast.therapist_a, cast.case_a) == "Ada Quillfeather"
    assert access.client_name(cast.client_a, cast.case_a) == "Ada Quillfeather"


# --- What a user may change (always a narrowing of what they may see) -------------------


def _allowed(predicate, user: User, items) -> set:
    """The visible items the predicate lets `user` act on."""
    return {item for item in items if predicate(user, item)}


def test_only_the_author_may_change_an_entry(cast: Cast, record: Record) -> None:
    def may_edit(persona: str) -> set:
        user = _user(cast, persona)
        return _allowed(access.may_edit, user, access.ruptures_for(user))

    assert may_edit("client_a") == {record.client_draft}
    assert may_edit("therapist_a") == {record.shared, record.therapist_private}
    assert may_edit("supervisor_a") == set()


def test_only_a_client_shares_and_only_their_own_private_draft(cast: Cast, record: Record) -> None:
    for persona in ("client_a", "therapist_a", "supervisor_a"):
        user = _user(cast, persona)
        shareable = _allowed(access.may_share, user, access.ruptures_for(user))
        assert shareable == ({record.client_draft} if persona == "client_a" else set()), persona


def test_a_therapist_works_on_every_visible_rupture_in_their_caseload(
    cast: Cast, record: Record
) -> None:
    assert set(access.caseload_ruptures_for(cast.therapist_a)) == {
        record.shared,
        record.therapist_private,
    }
    for persona in ("client_a", "supervisor_a", "therapist_b", "admin", "anonymous"):
        caseload = access.caseload_ruptures_for(_user(cast, persona))
        assert not caseload.filter(case=cast.case_a).exists(), persona


def test_only_the_cases_therapist_may_change_repair_steps(cast: Cast, record: Record) -> None:
    def repairable(persona: str) -> set:
        user = _user(cast, persona)
        steps = access.repair_steps_for(user).select_related("rupture__case")
        return {step for step in steps if access.may_repair(user, step.rupture)}

    assert repairable("therapist_a") == {record.shared_step, record.step_on_private}
    for persona in ("client_a", "supervisor_a", "therapist_b"):
        assert not {s for s in repairable(persona) if s.rupture.case_id == cast.case_a.pk}


def test_only_the_author_may_change_a_note(cast: Cast, record: Record) -> None:
    def editable(persona: str) -> set:
        user = _user(cast, persona)
        return _allowed(access.may_edit_note, user, access.notes_for(user))

    assert editable("client_a") == {
        record.client_note,
        record.client_private_note,
        record.note_on_draft,
    }
    assert editable("therapist_a") == {record.therapist_note, record.therapist_private_note}


def test_moments_are_reported_only_in_sessions_that_have_begun(cast: Cast) -> None:
    future = factories.make_session(cast.case_a, starts_at=timezone.now() + timedelta(days=7))
    for persona in ("client_a", "therapist_a"):
        flaggable = access.flaggable_sessions_for(_user(cast, persona))
        assert cast.session_a in flaggable and future not in flaggable, persona
    for persona in ("supervisor_a", "client_b", "admin", "inactive"):
        flaggable = access.flaggable_sessions_for(_user(cast, persona))
        assert not flaggable.filter(case=cast.case_a).exists(), persona


def test_an_inbox_holds_only_its_owners_items_in_cases_they_may_open(cast: Cast) -> None:
    def item(recipient: User, therapy_session: TherapySession) -> InboxItem:
        return InboxItem.objects.create(
            recipient=recipient,
            kind=InboxKind.REPLY,
            case=therapy_session.case,
            therapy_session=therapy_session,
        )

    mine = item(cast.client_a, cast.session_a)
    item(cast.therapist_a, cast.session_a)
    stray = item(cast.client_a, cast.session_b)  # addressed to A, about B's case

    assert list(access.inbox_for(cast.client_a)) == [mine]
    assert stray not in access.inbox_for(cast.client_b)
    User.objects.filter(pk=cast.client_a.pk).update(is_active=False)
    assert not access.inbox_for(User.objects.get(pk=cast.client_a.pk)).exists()
