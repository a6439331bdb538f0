"""Invitations: a therapist invites their own new clients, the administrator anyone; the
emailed link works once, for 72 hours, and makes the account."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rupturelog.accounts.models import Invitation, Role, User
from sessions.models import Case
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

STRONG = "quiet harbour lantern seven"
NEW = {"email": "New.Client@Example.org", "display_name": "Nell Ashdown"}


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/invite/\S+/)", message.body).group(1)


def invite(client: Client, **data: str):
    return client.post(reverse("client_invite"), {**NEW, **data})


def set_password(link: str, password: str = STRONG, client: Client | None = None):
    client = client or Client()
    return client.post(link, {"new_password1": password, "new_password2": password})


# --- A therapist invites a client ------------------------------------------------------


def test_a_therapist_invites_a_client_who_joins_their_caseload(cast: Cast) -> None:
    therapist = cast.client_for("therapist_a")
    response = invite(therapist)
    assert response.status_code == 303 and response["Location"] == reverse("client_invite")

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.therapist) == (
        "new.client@example.org",
        Role.CLIENT,
        cast.therapist_a,
    )
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)
    assert mail.outbox[0].to == ["new.client@example.org"]
    page = therapist.get(reverse("client_invite")).content.decode()
    assert "Nell Ashdown" in page and "Waiting to be accepted" in page

    link = link_in(mail.outbox[0])
    form = Client().get(link)
    assert form.status_code == 200 and "Set your password" in form.content.decode()
    done = set_password(link)
    assert done.status_code == 303 and done["Location"] == reverse("login")

    user = User.objects.get(email="new.client@example.org")
    assert user.is_active and user.role == Role.CLIENT and user.pseudonym
    assert user.check_password(STRONG)
    assert Case.objects.get(client=user).therapist == cast.therapist_a
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.user == user
    # In the caseload, off the pending list, and able to log in.
    home = therapist.get(reverse("home")).content.decode()
    assert "Nell Ashdown" in home
    assert "Nell Ashdown" not in therapist.get(reverse("client_invite")).content.decode()
    login = Client().post(reverse("login"), {"username": user.email, "password": STRONG})
    assert login.status_code == 302 and login["Location"] == reverse("home")


def test_the_email_has_no_name_no_role_and_nothing_clinical(cast: Cast) -> None:
    invite(cast.client_for("therapist_a"))
    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    for word in ("Nell", "Ashdown", cast.therapist_a.display_name, "client", "therap"):
        assert word.lower() not in text.lower()


def test_only_a_hash_of_the_token_is_stored(cast: Cast) -> None:
    invite(cast.client_for("therapist_a"))
    token = link_in(mail.outbox[0]).strip("/").split("/")[-1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Invitation.objects.values().get().values()]
    assert not any(token in value for value in stored)
    assert len(token) >= 40  # 32 random bytes


def test_nothing_logged_carries_the_token_or_the_email(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    invite(cast.client_for("therapist_a"))
    link = link_in(mail.outbox[0])
    set_password(link)
    token = link.strip("/").split("/")[-1]
    assert "Invitation" in caplog.text
    assert token not in caplog.text and "new.client@example.org" not in caplog.text


def test_a_therapist_can_only_invite_clients(cast: Cast) -> None:
    invite(cast.client_for("therapist_a"), role=Role.THERAPIST)
    set_password(link_in(mail.outbox[0]))
    user = User.objects.get(email="new.client@example.org")
    assert user.role == Role.CLIENT and not user.is_staff


@pytest.mark.parametrize("persona", ["client_a", "supervisor_a", "admin"])
def test_nobody_but_a_therapist_reaches_the_invite_page(cast: Cast, persona: str) -> None:
    client = cast.client_for(persona)
    assert client.get(reverse("client_invite")).status_code == 404
    assert invite(client).status_code == 404
    assert not Invitation.objects.exists() and not mail.outbox


def test_anonymous_is_sent_to_log_in(cast: Cast) -> None:
    response = invite(Client())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Invitation.objects.exists()


# --- Refusals -----------------------------------------------------------------------------


def test_an_email_with_an_account_cannot_be_invited(cast: Cast) -> None:
    response = invite(cast.client_for("therapist_a"), email=cast.client_b.email.upper())
    assert response.status_code == 200
    assert "already belongs to an account" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_an_email_with_a_live_invitation_cannot_be_invited_again(cast: Cast) -> None:
    factories.make_invitation(cast.therapist_b, email="new.client@example.org")
    response = invite(cast.client_for("therapist_a"))
    assert response.status_code == 200
    assert "already has an invitation waiting" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_is_replaced_by_a_new_one(cast: Cast) -> None:
    old, old_token = factories.make_invitation(
        cast.therapist_b,
        email="new.client@example.org",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert invite(cast.client_for("therapist_a")).status_code == 303
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert Client().get(reverse("invite_accept", args=[old_token])).status_code == 404


def test_bad_input_gets_a_message_not_an_error(cast: Cast) -> None:
    response = invite(cast.client_for("therapist_a"), email="not-an-email", display_name="")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid email address" in page and "This field is required" in page


# --- The link ------------------------------------------------------------------------------


def test_a_weak_password_is_refused_on_the_form(cast: Cast) -> None:
    invitation, token = factories.make_invitation(cast.therapist_a)
    link = reverse("invite_accept", args=[token])
    for weak in ("password123", "short", invitation.email.split("@")[0] + "x"):
        response = set_password(link, weak)
        assert response.status_code == 200
    assert "too short" in response.content.decode() or "too similar" in response.content.decode()
    mismatch = Client().post(link, {"new_password1": STRONG, "new_password2": STRONG + "!"})
    assert mismatch.status_code == 200 and "two password fields didn" in mismatch.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_a_link_works_once(cast: Cast) -> None:
    _, token = factories.make_invitation(cast.therapist_a)
    link = reverse("invite_accept", args=[token])
    assert set_password(link).status_code == 303
    for again in (Client().get(link), set_password(link, STRONG + " again")):
        assert again.status_code == 410
        assert "This invitation has already been used" in again.content.decode()
    assert User.objects.filter(role=Role.CLIENT, display_name__startswith="Invited").count() == 1


def test_an_expired_link_says_so(cast: Cast) -> None:
    invitation, token = factories.make_invitation(cast.therapist_a)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    for response in (
        Client().get(reverse("invite_accept", args=[token])),
        set_password(reverse("invite_accept", args=[token])),
    ):
        assert response.status_code == 410
        page = response.content.decode()
        assert "This invitation has expired" in page and "for a new one" in page
    assert not User.objects.filter(email=invitation.email).exists()


def test_a_forged_link_and_a_cancelled_one_look_the_same_and_say_nothing(cast: Cast) -> None:
    invitation, token = factories.make_invitation(cast.therapist_a, display_name="Nell Ashdown")
    cast.client_for("therapist_a").post(reverse("client_invite_cancel", args=[invitation.pk]))
    cancelled = Client().get(reverse("invite_accept", args=[token]))
    forged = Client().get(reverse("invite_accept", args=["A" * 43]))
    assert cancelled.status_code == forged.status_code == 404
    strip = re.compile(r'(nonce|value)="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert strip.sub("", cancelled.content.decode()) == strip.sub("", forged.content.decode())
    assert "Nell" not in cancelled.content.decode()


def test_an_account_made_meanwhile_wins_over_the_invitation(cast: Cast) -> None:
    invitation, token = factories.make_invitation(cast.therapist_a)
    factories.make_client(email=invitation.email)
    response = set_password(reverse("invite_accept", args=[token]))
    assert response.status_code == 410
    assert "already exists" in response.content.decode()
    assert not Case.objects.filter(client__email=invitation.email).exists()


def test_accepting_while_someone_else_is_signed_in_signs_them_out(cast: Cast) -> None:
    _, token = factories.make_invitation(cast.therapist_b)
    browser = cast.client_for("therapist_a")
    response = set_password(reverse("invite_accept", args=[token]), client=browser)
    assert response.status_code == 303
    assert browser.get(reverse("home")).status_code == 302


# --- Resend and cancel ----------------------------------------------------------------------


def test_sending_again_makes_a_new_link_and_kills_the_old_one(cast: Cast) -> None:
    invitation, old_token = factories.make_invitation(cast.therapist_a)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    therapist = cast.client_for("therapist_a")
    response = therapist.post(reverse("client_invite_resend", args=[invitation.pk]))
    assert response.status_code == 303
    assert Client().get(reverse("invite_accept", args=[old_token])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(hours=71)
    assert set_password(link_in(mail.outbox[-1])).status_code == 303


def test_cancelling_kills_the_link_and_clears_the_list(cast: Cast) -> None:
    invitation, token = factories.make_invitation(cast.therapist_a, display_name="Nell Ashdown")
    therapist = cast.client_for("therapist_a")
    assert "Nell Ashdown" in therapist.get(reverse("client_invite")).content.decode()
    response = therapist.post(reverse("client_invite_cancel", args=[invitation.pk]))
    assert response.status_code == 303
    assert "Nell Ashdown" not in therapist.get(reverse("client_invite")).content.decode()
    assert set_password(reverse("invite_accept", args=[token])).status_code == 404


@pytest.mark.parametrize("action", ["client_invite_resend", "client_invite_cancel"])
@pytest.mark.parametrize(
    "persona", ["therapist_b", "client_a", "supervisor_a", "admin", "anonymous"]
)
def test_only_the_inviting_therapist_can_resend_or_cancel(
    cast: Cast, action: str, persona: str
) -> None:
    invitation, _ = factories.make_invitation(cast.therapist_a)
    before = Invitation.objects.values().get()
    response = cast.client_for(persona).post(reverse(action, args=[invitation.pk]))
    assert response.status_code == (302 if persona == "anonymous" else 404)
    assert Invitation.objects.values().get() == before
    assert not mail.outbox


@pytest.mark.parametrize("action", ["client_invite_resend", "client_invite_cancel"])
def test_an_accepted_invitation_cannot_be_resent_or_cancelled(cast: Cast, action: str) -> None:
    invitation, token = factories.make_invitation(cast.therapist_a)
    set_password(reverse("invite_accept", args=[token]))
    response = cast.client_for("therapist_a").post(reverse(action, args=[invitation.pk]))
    assert response.status_code == 404


def test_resend_and_cancel_take_only_post(cast: Cast) -> None:
    invitation, _ = factories.make_invitation(cast.therapist_a)
    therapist = cast.client_for("therapist_a")
    for action in ("client_invite_resend", "client_invite_cancel"):
        assert therapist.get(reverse(action, args=[invitation.pk])).status_code == 405
    assert Invitation.objects.open().count() == 1


def test_a_mail_outage_keeps_the_invitation_and_says_so(cast: Cast, settings) -> None:
    settings.EMAIL_BACKEND = "tests.rupturelog.accounts.test_invitations.BrokenMail"
    response = cast.client_for("therapist_a").post(reverse("client_invite"), NEW, follow=True)
    assert "could not be sent" in response.content.decode()
    assert Invitation.objects.open().count() == 1


class BrokenMail:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("mail server down")


# --- The administrator invites anyone --------------------------------------------------------


@pytest.fixture
def superadmin() -> Client:
    client = Client()
    client.force_login(factories.make_admin(display_name="Root", is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("role", "staff", "has_case"),
    [
        (Role.THERAPIST, False, False),
        (Role.SUPERVISOR, False, False),
        (Role.ADMIN, True, False),
        (Role.CLIENT, False, True),
    ],
)
def test_the_administrator_invites_anyone_from_the_admin(
    cast: Cast, superadmin: Client, role: str, staff: bool, has_case: bool
) -> None:
    data = {"email": "person@example.org", "display_name": "Pat Person", "role": role}
    if role == Role.CLIENT:
        data["therapist"] = str(cast.therapist_b.pk)
    response = superadmin.post(reverse("admin:accounts_invitation_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    set_password(link_in(mail.outbox[0]))
    user = User.objects.get(email="person@example.org")
    assert (user.role, user.is_staff) == (role, staff)
    assert Case.objects.filter(client=user, therapist=cast.therapist_b).exists() == has_case


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": Role.CLIENT}, "choose one"),
        ({"role": Role.THERAPIST, "therapist": "THERAPIST"}, "Only a client"),
        ({"role": Role.CLIENT, "therapist": "THERAPIST", "email": "ACTIVE"}, "already belongs"),
    ],
)
def test_the_admin_form_refuses_what_cannot_work(
    cast: Cast, superadmin: Client, data: dict, message: str
) -> None:
    payload = {"email": "person@example.org", "display_name": "Pat Person", **data}
    if payload.get("therapist") == "THERAPIST":
        payload["therapist"] = str(cast.therapist_a.pk)
    if payload["email"] == "ACTIVE":
        payload["email"] = cast.client_a.email
    response = superadmin.post(reverse("admin:accounts_invitation_add"), payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_admin_resends_and_cancels_with_actions(cast: Cast, superadmin: Client) -> None:
    first, first_token = factories.make_invitation(cast.therapist_a)
    second, second_token = factories.make_invitation(cast.therapist_b)
    changelist = reverse("admin:accounts_invitation_changelist")
    superadmin.post(
        changelist, {"action": "resend_invitations", "_selected_action": [str(first.pk)]}
    )
    assert len(mail.outbox) == 1
    assert Client().get(reverse("invite_accept", args=[first_token])).status_code == 404
    superadmin.post(
        changelist, {"action": "cancel_invitations", "_selected_action": [str(second.pk)]}
    )
    assert Client().get(reverse("invite_accept", args=[second_token])).status_code == 404
    second.refresh_from_db()
    assert second.revoked_at is not None


def test_the_invite_page_costs_the_same_queries_with_one_or_many_pending(cast: Cast) -> None:
    therapist = cast.client_for("therapist_a")
    therapist.get(reverse("client_invite"))  # the session's first-request bookkeeping
    factories.make_invitation(cast.therapist_a)
    with CaptureQueriesContext(connection) as one:
        therapist.get(reverse("client_invite"))
    for _ in range(5):
        factories.make_invitation(cast.therapist_a)
    with CaptureQueriesContext(connection) as six:
        page = therapist.get(reverse("client_invite")).content.decode()
    assert page.count("Send again") == 6
    assert len(six) == len(one)


def test_the_administrators_home_links_to_the_invitation_form(cast: Cast) -> None:
    page = cast.client_for("admin").get(reverse("home")).content.decode()
    assert reverse("admin:accounts_invitation_add") in page
