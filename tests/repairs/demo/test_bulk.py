"""`seed_demo --ruptures N`: the bulk practice (repairs/demo/bulk.py, bulk_cases.py)."""

from __future__ import annotations

import pytest
from django.db import models

from repairs.models import RepairStep, Rupture
from rupturelog.accounts.models import Role, Supervision, User
from sessions.models import Case
from tests.repairs.demo.conftest import (
    BULK,
    DEMO,
    bulk_rupture_count,
    demo_counts,
    row_counts,
    rupture_checksum,
    seed,
)


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
