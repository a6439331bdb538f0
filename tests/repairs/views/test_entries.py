"""Follow-ups from review: a shared entry stays shared, an empty POST says what is missing,
and email notices cover only what the opt-in promises."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from repairs import services
from repairs.codes import Visibility
from tests.repairs.conftest import World


def test_a_shared_flag_cannot_be_turned_back_into_a_private_draft(world: World) -> None:
    client = world.login("client_a")
    url = reverse("rupture_edit", args=[world.flag.pk])
    response = client.post(
        url,
        {
            "version": world.flag.version,
            "therapy_session": world.flag.therapy_session_id,
            "when": "not_sure",
            "account": "I felt rushed.",
            "visibility": Visibility.PRIVATE,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    world.flag.refresh_from_db()
    assert world.flag.visibility == Visibility.SHARED


def test_an_empty_post_shows_what_is_missing_instead_of_a_blank_form(world: World) -> None:
    client = world.login("therapist_a")
    response = client.post(reverse("note_new", args=[world.flag.pk]), {})
    assert response.status_code == 200
    assert "Write your reply first." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_check_in_disagreements_do_not_send_email_even_with_notices_on(world: World) -> None:
    therapist = world.cast.therapist_a
    therapist.notify_by_email = True
    therapist.save()
    session = world.later_session
    services.check_in_save(
        session, respondent=therapist, tension=True, intensity=3, resolution=4, comment=""
    )
    services.check_in_save(
        session,
        respondent=world.cast.client_a,
        tension=False,
        intensity=None,
        resolution=None,
        comment="",
    )
    assert mail.outbox == []


def test_a_supervision_note_reaches_the_therapist_but_never_the_client(world: World) -> None:
    supervisor = world.login("supervisor_a")
    response = supervisor.post(
        reverse("note_new", args=[world.entry.pk]), {"body": "ZZ-SUPERVISION-4411"}
    )
    assert response.status_code == 303
    note = world.entry.notes.get(body="ZZ-SUPERVISION-4411")
    assert note.author_role == "supervisor"
    session_url = reverse("session_detail", args=[world.entry.therapy_session_id])
    assert "ZZ-SUPERVISION-4411" in world.login("therapist_a").get(session_url).content.decode()
    assert "ZZ-SUPERVISION-4411" not in world.login("client_a").get(session_url).content.decode()
    assert (
        not world.cast.client_a.inbox_items.filter(kind="reply")
        .exclude(pk__in=[world.item.pk])
        .exists()
    )
