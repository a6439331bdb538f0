"""Password reset by email: no hint whether an account exists; a strong new password; the
link works once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client: Client) -> None:
    factories.make_client(email="known@example.org")
    known = client.post(reverse("password_reset"), {"email": "known@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["known@example.org"]


def test_a_reset_link_sets_a_strong_password_once(client: Client) -> None:
    user = factories.make_therapist(email="t@example.org")
    client.post(reverse("password_reset"), {"email": "t@example.org"})
    link = re.search(r"https?://[^/]+(/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]

    weak = client.post(set_url, {"new_password1": "password123", "new_password2": "password123"})
    assert weak.status_code == 200
    assert "too short" in weak.content.decode() or "too common" in weak.content.decode()

    strong = "quiet harbour lantern seven"
    done = client.post(set_url, {"new_password1": strong, "new_password2": strong})
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(strong)
    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_the_email_carries_no_clinical_text_and_no_name(client: Client) -> None:
    factories.make_client(email="c@example.org", display_name="Ada Quillfeather")
    client.post(reverse("password_reset"), {"email": "c@example.org"})
    assert "Quillfeather" not in mail.outbox[0].body
