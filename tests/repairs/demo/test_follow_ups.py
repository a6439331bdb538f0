"""The demo's notes and check-ins (repairs/demo/follow_ups.py)."""

from __future__ import annotations

import pytest

from repairs.codes import AuthorRole, Visibility
from repairs.models import Note
from rupturelog.accounts.models import Supervision
from sessions.models import CheckIn, TherapySession


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
