"""One's own account page and changing one's password."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

OLD = "amber tortoise sundial nine"
NEW = "quiet harbour lantern seven"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_account_page_shows_who_is_signed_in_and_no_one_else() -> None:
    therapist = factories.make_therapist(display_name="Theo Marsh", email="theo@example.org")
    factories.make_therapist(display_name="Tamsin Vale", email="tamsin@example.org")
    html = _signed_in(therapist).get(reverse("account")).content.decode()
    assert "theo@example.org" in html and "Theo Marsh" in html
    assert "tamsin" not in html.lower()
    assert reverse("password_change") in html
    assert reverse("my_record") not in html  # the client's own record links are for clients


def test_a_client_finds_their_record_from_the_account_page() -> None:
    html = _signed_in(factories.make_client()).get(reverse("account")).content.decode()
    assert reverse("my_record") in html and reverse("record_access") in html


def test_the_account_page_needs_a_login(client: Client) -> None:
    response = client.get(reverse("account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_changing_the_password_needs_the_current_one_and_a_strong_new_one() -> None:
    user = factories.make_therapist()
    user.set_password(OLD)
    user.save()
    client = _signed_in(user)
    url = reverse("password_change")

    wrong = client.post(url, {"old_password": "guess", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200
    assert "incorrect" in wrong.content.decode()
    weak = client.post(
        url, {"old_password": OLD, "new_password1": "password123", "new_password2": "password123"}
    )
    assert weak.status_code == 200
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_changing_the_password_keeps_this_session_and_ends_the_others() -> None:
    user = factories.make_client()
    user.set_password(OLD)
    user.save()
    here, elsewhere = _signed_in(user), _signed_in(user)
    assert elsewhere.get(reverse("home")).status_code == 200

    done = here.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert done["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert here.get(reverse("home")).status_code == 200
    gone = elsewhere.get(reverse("home"))
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("login"))
