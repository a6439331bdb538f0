"""The demo's moments: linked reports, drafts, codes, statuses, repair (repairs/demo/moments.py)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import models

from repairs.codes import (
    CONFRONTATION_MARKERS,
    WITHDRAWAL_MARKERS,
    CodeKind,
    Family,
    Outcome,
    Status,
    Strategy,
    Visibility,
)
from repairs.models import Note, RepairStep, Rupture, RuptureCode
from sessions.models import RespondentRole, TherapySession


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
