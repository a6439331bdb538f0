"""The demo practice's people, logins, cases and dates (repairs/demo/practice.py)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import models
from django.test import RequestFactory
from django.utils import timezone

from repairs.codes import Status, Visibility
from repairs.demo import DEMO_LOGINS, DEMO_PASSWORD
from repairs.models import InboxItem, Note, RepairStep, Rupture
from rupturelog.accounts.models import PSEUDONYM_ALPHABET, Role, Supervision, User
from sessions.models import Case, CheckIn, TherapySession
from tests.repairs.demo.conftest import DEMO


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
def test_the_demo_is_dated_around_today_and_never_in_the_future(demo_output: str) -> None:
    now = timezone.now()
    for model in (Rupture, RepairStep, Note, CheckIn, InboxItem):
        assert not model.objects.filter(created_at__gt=now).exists(), model.__name__
    assert not TherapySession.objects.filter(starts_at__gt=now).exists()
    latest = TherapySession.objects.aggregate(latest=models.Max("starts_at"))["latest"]
    assert now - latest < timedelta(days=8)
    earliest = TherapySession.objects.aggregate(first=models.Min("starts_at"))["first"]
    assert timedelta(weeks=24) < now - earliest < timedelta(weeks=30)
