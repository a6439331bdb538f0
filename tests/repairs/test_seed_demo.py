"""`manage.py seed_demo`: the demo practice, its idempotence, `--if-empty` and `--ruptures`."""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import models
from django.test import RequestFactory
from django.utils import timezone

from repairs.codes import (
    CONFRONTATION_MARKERS,
    WITHDRAWAL_MARKERS,
    AuthorRole,
    CodeKind,
    Family,
    Outcome,
    Status,
    Strategy,
    Visibility,
)
from repairs.demo import (
    BULK_DOMAIN,
    DEMO_DOMAIN,
    DEMO_LOGINS,
    DEMO_PASSWORD,
)
from repairs.models import InboxItem, Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import PSEUDONYM_ALPHABET, Role, Supervision, User
from sessions.models import Case, CheckIn, RespondentRole, TherapySession

ALL_MODELS: list[type[models.Model]] = [
    User,
    Supervision,
    Case,
    TherapySession,
    CheckIn,
    Rupture,
    RuptureCode,
    RepairStep,
    Note,
    InboxItem,
]
DEMO = f"@{DEMO_DOMAIN}"
BULK = f"@{BULK_DOMAIN}"


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def demo_counts() -> dict[str, int]:
    """What the demo practice holds, counted through its therapists' cases."""
    in_demo = {"therapist__email__endswith": DEMO}
    return {
        "users": User.objects.filter(email__endswith=DEMO).count(),
        "supervisions": Supervision.objects.filter(therapist__email__endswith=DEMO).count(),
        "cases": Case.objects.filter(**in_demo).count(),
        "sessions": TherapySession.objects.filter(case__therapist__email__endswith=DEMO).count(),
        "ruptures": Rupture.objects.filter(case__therapist__email__endswith=DEMO).count(),
        "steps": RepairStep.objects.filter(rupture__case__therapist__email__endswith=DEMO).count(),
        "notes": Note.objects.filter(rupture__case__therapist__email__endswith=DEMO).count(),
        "check_ins": CheckIn.objects.filter(
            therapy_session__case__therapist__email__endswith=DEMO
        ).count(),
    }


def rupture_checksum(**filters: str) -> str:
    rows = (
        Rupture.objects.filter(**filters)
        .order_by("pk")
        .values_list("pk", "author_id", "therapy_session_id", "status", "account", "counterpart_id")
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def bulk_rupture_count() -> int:
    return Rupture.objects.filter(case__therapist__email__endswith=BULK).count()


@pytest.fixture
def demo_output() -> str:
    return seed()


@pytest.mark.django_db
def test_the_demo_practice_has_the_documented_people(demo_output: str) -> None:
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles == {Role.ADMIN: 1, Role.SUPERVISOR: 2, Role.THERAPIST: 6, Role.CLIENT: 36}
    admin = User.objects.get(role=Role.ADMIN)
    assert admin.email == DEMO_LOGINS["admin"]
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.exclude(role=Role.ADMIN).filter(is_staff=True).exists()
    assert not User.objects.exclude(email__endswith=DEMO).exists()

    per_supervisor = Counter(Supervision.objects.values_list("supervisor__email", flat=True))
    assert sorted(per_supervisor.values()) == [3, 3]
    assert Supervision.objects.values("therapist").distinct().count() == 6
    per_therapist = Counter(Case.objects.values_list("therapist__role", "therapist_id"))
    assert sorted(per_therapist.values()) == [6] * 6
    assert all(role == Role.THERAPIST for role, _ in per_therapist)
    assert Case.objects.values("client").distinct().count() == 36
    assert Case.objects.filter(client__role=Role.CLIENT).count() == 36
    assert 1 <= Case.objects.filter(closed_on__isnull=False).count() < 36


@pytest.mark.django_db
def test_every_client_has_a_unique_well_formed_pseudonym(demo_output: str) -> None:
    pseudonyms = list(User.objects.filter(role=Role.CLIENT).values_list("pseudonym", flat=True))
    pattern = re.compile(f"^C-[{PSEUDONYM_ALPHABET}]{{4}}$")
    assert all(p and pattern.match(p) for p in pseudonyms)
    assert len(set(pseudonyms)) == 36
    assert not User.objects.exclude(role=Role.CLIENT).filter(pseudonym__isnull=False).exists()


@pytest.mark.django_db
def test_the_printed_logins_sign_in_with_the_demo_password(demo_output: str) -> None:
    for role, email in DEMO_LOGINS.items():
        # With a request, as the login form does: django-axes refuses to judge without one.
        request = RequestFactory().post("/login/")
        user = authenticate(request, username=email, password=DEMO_PASSWORD)
        assert user is not None, email
        assert user.role == role
    # One hash for everyone: it was made once, not per account.
    assert User.objects.values("password").distinct().count() == 1


@pytest.mark.django_db
def test_the_demo_logins_are_one_chain_of_care(demo_output: str) -> None:
    supervisor = User.objects.get(email=DEMO_LOGINS["supervisor"])
    therapist = User.objects.get(email=DEMO_LOGINS["therapist"])
    client = User.objects.get(email=DEMO_LOGINS["client"])
    assert Supervision.objects.filter(supervisor=supervisor, therapist=therapist).exists()
    case = Case.objects.get(client=client)
    assert case.therapist == therapist and case.closed_on is None
    ruptures = Rupture.objects.filter(case=case)
    # The demo client sees every client-side state in their own case.
    assert ruptures.filter(author=client, visibility=Visibility.PRIVATE).exists()
    assert ruptures.filter(author=client, counterpart__isnull=False).exists()
    assert ruptures.filter(author=client, status=Status.RESOLVED).exclude(agreement="").exists()
    latest = case.therapy_sessions.order_by("-number").first()
    assert latest is not None
    assert ruptures.filter(
        therapy_session=latest, author=client, visibility=Visibility.SHARED
    ).exists()


@pytest.mark.django_db
def test_linked_reports_point_at_each_other_in_the_same_session(demo_output: str) -> None:
    linked = list(Rupture.objects.filter(counterpart__isnull=False).select_related("counterpart"))
    assert len(linked) >= 20
    for rupture in linked:
        other = rupture.counterpart
        assert other.counterpart_id == rupture.pk
        assert other.therapy_session_id == rupture.therapy_session_id
        assert {rupture.author_role, other.author_role} == {"client", "therapist"}
        assert other.status == rupture.status
    # Moments seen by one side only exist too, from both sides.
    alone = Rupture.objects.filter(counterpart__isnull=True)
    assert alone.filter(author_role=RespondentRole.CLIENT).exists()
    assert alone.filter(author_role=RespondentRole.THERAPIST).exists()


@pytest.mark.django_db
def test_the_demo_has_client_drafts_and_private_therapist_entries(demo_output: str) -> None:
    drafts = Rupture.objects.filter(author_role=RespondentRole.CLIENT, visibility="private")
    assert drafts.exists()
    # A draft is the client's alone: never linked, never answered, nothing started on it.
    assert not drafts.filter(counterpart__isnull=False).exists()
    assert not drafts.filter(shared_at__isnull=False).exists()
    assert not Note.objects.filter(rupture__in=drafts).exists()
    assert not RepairStep.objects.filter(rupture__in=drafts).exists()
    private = Rupture.objects.filter(
        author_role=RespondentRole.THERAPIST, visibility=Visibility.PRIVATE
    )
    assert private.exists()
    assert not Rupture.objects.filter(visibility=Visibility.SHARED, shared_at__isnull=True).exists()


@pytest.mark.django_db
def test_every_repair_step_happens_in_its_ruptures_case_in_order(demo_output: str) -> None:
    steps = list(
        RepairStep.objects.select_related("therapy_session", "rupture__therapy_session").order_by(
            "rupture_id", "position"
        )
    )
    assert steps
    positions: dict[int, list[int]] = defaultdict(list)
    for step in steps:
        assert step.therapy_session.case_id == step.rupture.case_id
        assert step.therapy_session.number >= step.rupture.therapy_session.number
        positions[step.rupture_id].append(step.position)
    assert all(p == list(range(1, len(p) + 1)) for p in positions.values())
    assert any(s.therapy_session_id != s.rupture.therapy_session_id for s in steps)
    # A rupture with a repair step is no longer just "open".
    assert not Rupture.objects.filter(status=Status.OPEN, repair_steps__isnull=False).exists()
    assert not Rupture.objects.exclude(case=models.F("therapy_session__case")).exists()


@pytest.mark.django_db
def test_codes_fit_the_family_and_the_author(demo_output: str) -> None:
    codes: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rupture_id, kind, code in RuptureCode.objects.values_list("rupture_id", "kind", "code"):
        codes[rupture_id][kind].add(code)
    withdrawal, confrontation = set(WITHDRAWAL_MARKERS), set(CONFRONTATION_MARKERS)
    for rupture in Rupture.objects.all():
        markers = codes[rupture.pk][CodeKind.MARKER]
        if rupture.author_role == RespondentRole.CLIENT:
            # Clients describe in their own words; the therapist classifies.
            assert rupture.family == Family.UNCLASSIFIED
            assert not markers and codes[rupture.pk][CodeKind.FEELING]
        elif rupture.family == Family.WITHDRAWAL:
            assert markers and markers <= withdrawal
        elif rupture.family == Family.CONFRONTATION:
            assert markers and markers <= confrontation
        else:
            assert rupture.family == Family.MIXED
            assert markers & withdrawal and markers & confrontation
        if rupture.author_role == RespondentRole.THERAPIST:
            assert codes[rupture.pk][CodeKind.CAUSE]


@pytest.mark.django_db
def test_statuses_strategies_and_outcomes_are_all_used(demo_output: str) -> None:
    assert set(Rupture.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(RepairStep.objects.values_list("strategy", flat=True)) == set(Strategy.values)
    assert set(RepairStep.objects.values_list("outcome", flat=True)) == set(Outcome.values)
    assert set(RepairStep.objects.values_list("initiated_by", flat=True)) == {"client", "therapist"}
    assert not Rupture.objects.filter(status=Status.RESOLVED, agreement="").exists()
    assert Rupture.objects.filter(minute__isnull=True).exists()
    assert set(Rupture.objects.values_list("recognised", flat=True)) == {"during", "after"}
    assert set(TherapySession.objects.values_list("minutes", flat=True)) == {50, 60}
    # Accounts are combined from pools, so they rarely repeat.
    accounts = list(Rupture.objects.values_list("account", flat=True))
    assert len(set(accounts)) > 0.9 * len(accounts)


@pytest.mark.django_db
def test_notes_and_check_ins_come_from_every_side(demo_output: str) -> None:
    assert set(Note.objects.values_list("author_role", flat=True)) == set(AuthorRole.values)
    assert Note.objects.filter(
        author_role=AuthorRole.THERAPIST, visibility=Visibility.PRIVATE
    ).exists()
    for note in Note.objects.filter(author_role=AuthorRole.SUPERVISOR).select_related(
        "rupture__case"
    ):
        assert Supervision.objects.filter(
            supervisor_id=note.author_id, therapist_id=note.rupture.case.therapist_id
        ).exists()
    check_ins = CheckIn.objects.all()
    assert set(check_ins.values_list("respondent_role", flat=True)) == {"client", "therapist"}
    assert check_ins.count() > TherapySession.objects.count()  # both sides, most sessions
    assert not check_ins.filter(tension=False).exclude(intensity=None, resolution=None).exists()
    assert not check_ins.filter(tension=True, intensity=None).exists()


@pytest.mark.django_db
def test_the_demo_is_dated_around_today_and_never_in_the_future(demo_output: str) -> None:
    now = timezone.now()
    for model in (Rupture, RepairStep, Note, CheckIn, InboxItem):
        assert not model.objects.filter(created_at__gt=now).exists(), model.__name__
    assert not TherapySession.objects.filter(starts_at__gt=now).exists()
    latest = TherapySession.objects.aggregate(latest=models.Max("starts_at"))["latest"]
    assert now - latest < timedelta(days=8)
    earliest = TherapySession.objects.aggregate(first=models.Min("starts_at"))["first"]
    assert timedelta(weeks=24) < now - earliest < timedelta(weeks=30)


@pytest.mark.django_db
def test_the_output_lists_one_login_per_role(demo_output: str) -> None:
    assert f"Demo logins (password: {DEMO_PASSWORD})" in demo_output
    for role, email in DEMO_LOGINS.items():
        assert re.search(rf"^\s+{role}\s+{re.escape(email)}$", demo_output, re.MULTILINE)


@pytest.mark.django_db
def test_running_it_twice_changes_nothing(demo_output: str) -> None:
    before, checksum = row_counts(), rupture_checksum()
    output = seed()
    assert row_counts() == before
    assert rupture_checksum() == checksum
    assert "Seeded" not in output
    assert DEMO_LOGINS["client"] in output


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database() -> None:
    output = seed("--if-empty")
    assert User.objects.count() == 45
    assert DEMO_LOGINS["therapist"] in output


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_other_data_alone() -> None:
    User.objects.create_user("someone@example.org", "x" * 12, display_name="Someone")
    before = row_counts()
    output = seed("--if-empty")
    assert row_counts() == before
    assert "already has data" in output
    assert DEMO_LOGINS["admin"] not in output


@pytest.mark.django_db
def test_if_empty_with_the_demo_loaded_only_prints_the_logins(demo_output: str) -> None:
    before = row_counts()
    output = seed("--if-empty", "--ruptures", "50")
    assert row_counts() == before
    assert DEMO_LOGINS["supervisor"] in output


@pytest.mark.django_db
def test_bulk_ruptures_grow_to_the_target_and_leave_the_demo_alone(demo_output: str) -> None:
    demo_before = demo_counts()
    demo_checksum = rupture_checksum(case__therapist__email__endswith=DEMO)

    seed("--ruptures", "300")
    assert bulk_rupture_count() == 300
    output = seed("--ruptures", "500")
    assert bulk_rupture_count() == 500
    assert "500 / 500" in output
    before = row_counts()
    assert "nothing to add" in seed("--ruptures", "400")
    assert row_counts() == before

    assert demo_counts() == demo_before
    assert rupture_checksum(case__therapist__email__endswith=DEMO) == demo_checksum
    # The bulk practice is a separate world: its own people, supervising only each other.
    assert not Supervision.objects.filter(
        supervisor__email__endswith=BULK, therapist__email__endswith=DEMO
    ).exists()
    assert not Case.objects.filter(
        therapist__email__endswith=BULK, client__email__endswith=DEMO
    ).exists()
    bulk = Rupture.objects.filter(case__therapist__email__endswith=BULK)
    assert bulk.filter(counterpart__isnull=False).exists()
    for rupture in bulk.filter(counterpart__isnull=False).select_related("counterpart"):
        assert rupture.counterpart.counterpart_id == rupture.pk
        assert rupture.counterpart.therapy_session_id == rupture.therapy_session_id
    steps = RepairStep.objects.filter(rupture__in=bulk)
    assert 0.6 * 500 < steps.count() < 1.6 * 500
    assert bulk.filter(repair_steps__isnull=True).exists()
    assert not steps.exclude(therapy_session__case=models.F("rupture__case")).exists()
    pseudonyms = list(User.objects.filter(role=Role.CLIENT).values_list("pseudonym", flat=True))
    assert len(pseudonyms) == len(set(pseudonyms))


@pytest.mark.django_db
def test_the_app_can_insert_normally_after_a_bulk_load(demo_output: str) -> None:
    # Ids were chosen by the command; the id sequences must have moved past them.
    seed("--ruptures", "60")
    therapy_session = TherapySession.objects.order_by("-pk").first()
    assert therapy_session is not None
    client = therapy_session.case.client
    rupture = Rupture.objects.create(
        therapy_session=therapy_session,
        author=client,
        author_role=RespondentRole.CLIENT,
        account="Added by hand after the bulk load.",
    )
    RuptureCode.objects.create(rupture=rupture, kind=CodeKind.FEELING, code="rushed")
    user = User.objects.create_user("later@example.org", "x" * 12, display_name="Later")
    assert rupture.pk > Rupture.objects.exclude(pk=rupture.pk).aggregate(m=models.Max("pk"))["m"]
    assert user.pk > User.objects.exclude(pk=user.pk).aggregate(m=models.Max("pk"))["m"]
