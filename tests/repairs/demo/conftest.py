"""Shared helpers for the seed_demo tests: running the command, counting and checksumming rows."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import models

from repairs.demo import BULK_DOMAIN, DEMO_DOMAIN
from repairs.models import InboxItem, Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import Supervision, User
from sessions.models import Case, CheckIn, TherapySession

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
