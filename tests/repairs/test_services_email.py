"""Email notices: a therapist who asks for them gets one short email, with no clinical text
and no client name, when a client shares a flag or replies. Sent once the write commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from repairs.models import Rupture
from rupturelog.accounts.models import User
from tests.repairs.conftest import World, flag_data, text

pytestmark = pytest.mark.django_db

FLAG_TEXT = "He looked at the clock while I talked about my sister."
REPLY_TEXT = "It still stings when I think about my sister."


def share_a_flag(world: World) -> Any:
    return world.login("client_a").post(
        reverse("flag_new"), flag_data(world.cast.session_a, account=FLAG_TEXT)
    )


def share_a_draft(world: World) -> Any:
    Rupture.objects.filter(pk=world.draft.pk).update(account=FLAG_TEXT)
    return world.login("client_a").post(
        reverse("rupture_share", args=[world.draft.pk]), {"version": world.draft.version}
    )


def reply(world: World) -> Any:
    return world.login("client_a").post(
        reverse("note_new", args=[world.entry.pk]), {"body": REPLY_TEXT}
    )


CLIENT_ACTIONS = [
    pytest.param(share_a_flag, id="client-shares-a-flag"),
    pytest.param(share_a_draft, id="client-shares-a-draft"),
    pytest.param(reply, id="client-replies"),
]


def notices(therapist: User, on: bool) -> None:
    User.objects.filter(pk=therapist.pk).update(notify_by_email=on)


@pytest.mark.parametrize("action", CLIENT_ACTIONS)
def test_the_therapist_gets_one_email_without_clinical_text(
    world: World,
    action: Callable[[World], Any],
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    notices(world.cast.therapist_a, on=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = action(world)
    assert response.status_code == 303

    assert len(mailoutbox) == 1
    notice = mailoutbox[0]
    assert notice.to == [world.cast.therapist_a.email]
    whole = f"{notice.subject}\n{notice.body}"
    client = world.cast.client_a
    for clinical in (
        FLAG_TEXT,
        REPLY_TEXT,
        "sister",
        client.display_name,
        "Ada",
        "Quillfeather",
        client.email,
        client.pseudonym,
        "Unheard",
        "Session 1",
    ):
        assert clinical.lower() not in whole.lower()
    assert f"{settings.SITE_URL}{reverse('home')}" in notice.body


@pytest.mark.parametrize("action", CLIENT_ACTIONS)
def test_no_email_when_notices_are_off(
    world: World,
    action: Callable[[World], Any],
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        action(world)
    assert mailoutbox == []


def test_a_private_draft_sends_no_email(
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    notices(world.cast.therapist_a, on=True)
    with django_capture_on_commit_callbacks(execute=True):
        world.login("client_a").post(
            reverse("flag_new"), flag_data(world.cast.session_a, visibility="private")
        )
    assert mailoutbox == []


def test_clients_get_no_email_when_the_therapist_replies(
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    notices(world.cast.therapist_a, on=True)
    with django_capture_on_commit_callbacks(execute=True):
        world.login("therapist_a").post(
            reverse("note_new", args=[world.flag.pk]), {"body": "Thanks.", "visibility": "shared"}
        )
    assert mailoutbox == []


def test_a_mail_outage_does_not_lose_the_flag(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    def outage(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr("rupturelog.mailing.send_mail", outage)
    notices(world.cast.therapist_a, on=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = share_a_flag(world)
    assert response.status_code == 303
    assert Rupture.objects.filter(account=FLAG_TEXT).exists()


# --- The preference --------------------------------------------------------------------


def _set(client: Client, on: bool) -> Any:
    return client.post(reverse("notify_preference"), {"notify_by_email": "on"} if on else {})


def test_a_therapist_turns_email_notices_on_and_off(world: World) -> None:
    therapist = world.cast.therapist_a
    client = world.login("therapist_a")

    response = _set(client, on=True)
    assert response.status_code == 303
    assert response["Location"] == reverse("home")
    therapist.refresh_from_db()
    assert therapist.notify_by_email is True
    home = text(client.get(reverse("home")))
    assert "You will get an email when a client shares a flag or replies." in home
    assert 'name="notify_by_email" checked' in home

    _set(client, on=False)
    therapist.refresh_from_db()
    assert therapist.notify_by_email is False
    assert "Email notices are off." in text(client.get(reverse("home")))


@pytest.mark.parametrize("persona", ["client_a", "supervisor_a", "admin"])
def test_only_therapists_have_an_email_preference(world: World, persona: str) -> None:
    user = world.cast.persona(persona)
    assert _set(world.login(persona), on=True).status_code == 404
    user.refresh_from_db()
    assert user.notify_by_email is False


def test_the_email_preference_sends_logged_out_people_to_log_in(world: World) -> None:
    response = _set(world.login("anonymous"), on=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
