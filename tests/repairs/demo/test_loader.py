"""Rows written with ids chosen up front leave the app able to insert (repairs/demo/loader.py)."""

from __future__ import annotations

import pytest
from django.db import models

from repairs.codes import CodeKind
from repairs.models import Rupture, RuptureCode
from rupturelog.accounts.models import User
from sessions.models import RespondentRole, TherapySession
from tests.repairs.demo.conftest import seed


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
