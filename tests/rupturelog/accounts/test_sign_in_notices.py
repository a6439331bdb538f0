"""People hear by email when their sign-in details change: what changed and when, never a
password, code or key."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rupturelog.accounts import notices
from rupturelog.mfa import services
from tests import factories
from tests.conftest import Cast
from tests.rupturelog.mfa.test_two_step import code_for_setup, device_of, password_step, send_code

pytestmark = pytest.mark.django_db

OLD = "amber tortoise sundial nine"
NEW = "quiet harbour lantern seven"


def _only_notice_to(user) -> str:
    notices_sent = [
        m for m in mail.outbox if m.subject == "RuptureLog: your sign-in details changed"
    ]
    assert len(notices_sent) == 1, [m.subject for m in mail.outbox]
    assert notices_sent[0].to == [user.email]
    return notices_sent[0].body


def test_changing_the_password_sends_a_notice_without_the_password() -> None:
    user = factories.make_client()
    user.set_password(OLD)
    user.save()
    client = Client()
    client.force_login(user)
    client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    body = _only_notice_to(user)
    assert notices.PASSWORD_CHANGED in body and "contact your practice" in body
    assert NEW not in body and OLD not in body


def test_a_refused_password_change_sends_nothing() -> None:
    user = factories.make_client()
    client = Client()
    client.force_login(user)
    client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert mail.outbox == []


def test_resetting_the_password_by_email_link_sends_a_notice(client: Client) -> None:
    user = factories.make_client(email="ada@example.org")
    client.post(reverse("password_reset"), {"email": "ada@example.org"})
    link = re.search(r"https?://[^/]+(/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert notices.PASSWORD_CHANGED in _only_notice_to(user)


def test_replacing_the_authenticator_app_sends_a_notice_without_the_key(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    send_code(client, factories.totp_code(device_of(cast.therapist_a)))
    client.get(reverse("mfa_enrol"))
    client.post(reverse("mfa_enrol"), {"code": code_for_setup(client)})
    body = _only_notice_to(cast.therapist_a)
    assert notices.APP_REPLACED in body
    key = TOTPDevice.objects.get(user=cast.therapist_a).key
    assert key.lower() not in body.lower()


def test_new_backup_codes_send_a_notice_without_the_codes(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    send_code(client, factories.totp_code(device_of(cast.therapist_a)))
    client.post(reverse("mfa_backup_codes"))
    body = _only_notice_to(cast.therapist_a)
    assert notices.BACKUP_CODES_REPLACED in body
    codes = StaticToken.objects.filter(device__user=cast.therapist_a).values_list(
        "token", flat=True
    )
    assert codes and not any(code in body for code in codes)


def test_a_client_turning_two_step_on_and_off_hears_of_each(cast: Cast) -> None:
    client = password_step(cast.client_a)
    client.get(reverse("mfa_enrol"))
    client.post(reverse("mfa_enrol"), {"code": code_for_setup(client)})
    assert notices.APP_SET_UP in _only_notice_to(cast.client_a)

    mail.outbox.clear()
    client.post(reverse("mfa_disable"))
    assert not services.has_two_step(cast.client_a)
    assert notices.TWO_STEP_OFF in _only_notice_to(cast.client_a)


def test_a_mail_outage_does_not_undo_the_change(cast: Cast, settings, monkeypatch) -> None:
    def down(*args, **kwargs):
        raise OSError("SMTP unreachable")

    monkeypatch.setattr("rupturelog.mailing.send_mail", down)
    user = factories.make_client()
    user.set_password(OLD)
    user.save()
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
