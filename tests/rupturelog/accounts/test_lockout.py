"""Brute-force protection (django-axes): five failed sign-ins for one email from one address
pause that pair for 15 minutes, and the pause looks the same whether or not the account
exists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rupturelog.accounts.lockout import LOCKOUT_MESSAGE
from tests import factories

pytestmark = pytest.mark.django_db

HOME = "10.0.0.1"
CAFE = "10.0.0.2"
WRONG = "not the password at all"


def attempt(email: str, password: str, ip: str = HOME, **meta: str):
    return Client(REMOTE_ADDR=ip).post(
        reverse("login"), {"username": email, "password": password}, **meta
    )


def fail(email: str, times: int, ip: str = HOME, **meta: str) -> list[int]:
    return [attempt(email, WRONG, ip, **meta).status_code for _ in range(times)]


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


@pytest.fixture
def ann():
    return factories.make_client(email="ann@example.org")


def test_four_failures_are_only_wrong_passwords_and_the_fifth_pauses_sign_in(ann) -> None:
    assert fail(ann.email, 4) == [200] * 4
    fifth = attempt(ann.email, WRONG)
    assert fifth.status_code == 429
    assert LOCKOUT_MESSAGE in fifth.content.decode()


def test_the_right_password_is_refused_during_the_pause(ann) -> None:
    fail(ann.email, 5)
    response = attempt(ann.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in response.wsgi_request.session


def test_tries_during_the_pause_do_not_make_it_longer(ann) -> None:
    fail(ann.email, 5)
    locked_at = AccessAttempt.objects.get().attempt_time
    fail(ann.email, 3)
    attempt(ann.email, factories.PASSWORD)
    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_another_address_can_still_sign_in_to_the_same_account(ann) -> None:
    fail(ann.email, 5, ip=HOME)
    assert signed_in(attempt(ann.email, factories.PASSWORD, ip=CAFE))


def test_another_email_from_the_same_address_is_not_paused(ann) -> None:
    bob = factories.make_therapist(email="bob@example.org")
    fail(ann.email, 5)
    assert fail(bob.email, 1) == [200]
    assert signed_in(attempt(bob.email, factories.PASSWORD))


def test_letter_case_in_the_email_does_not_dodge_the_count(ann) -> None:
    statuses = [
        attempt(email, WRONG).status_code
        for email in ("ann@example.org", "ANN@example.org", "Ann@Example.org", "aNN@EXAMPLE.ORG")
    ]
    assert statuses == [200] * 4
    assert attempt("ann@EXAMPLE.org", WRONG).status_code == 429


def test_the_pause_ends_after_15_minutes(ann) -> None:
    fail(ann.email, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert attempt(ann.email, factories.PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert signed_in(attempt(ann.email, factories.PASSWORD))


def test_signing_in_clears_the_count(ann) -> None:
    fail(ann.email, 4)
    assert signed_in(attempt(ann.email, factories.PASSWORD))
    assert not AccessAttempt.objects.exists()
    # Four more would be eight in all without the reset.
    assert fail(ann.email, 4) == [200] * 4


def _without_csrf(body: bytes) -> str:
    """The page without what differs on every response: CSRF tokens and the CSP nonce."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def test_the_pause_looks_the_same_whether_or_not_the_account_exists(ann) -> None:
    fail(ann.email, 5)
    fail("nobody@example.org", 5)
    known = attempt(ann.email, WRONG)
    unknown = attempt("nobody@example.org", WRONG)
    assert known.status_code == unknown.status_code == 429
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    # Nothing about the person: not the email typed, not a name.
    assert "ann@example.org" not in known.content.decode()
    assert ann.display_name not in known.content.decode()


def test_a_wrong_password_looks_the_same_whether_or_not_the_account_exists(ann) -> None:
    known = attempt(ann.email, WRONG)
    unknown = attempt("nobody@example.org", WRONG)
    assert known.status_code == unknown.status_code == 200
    known_page = _without_csrf(known.content).replace("ann@example.org", "EMAIL")
    unknown_page = _without_csrf(unknown.content).replace("nobody@example.org", "EMAIL")
    assert known_page == unknown_page


def test_the_admin_login_counts_failures_too(ann) -> None:
    client = Client(REMOTE_ADDR=HOME)
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": ann.email, "password": WRONG})
    assert attempt(ann.email, factories.PASSWORD).status_code == 429


# --- Which address counts ----------------------------------------------------------------


def test_without_the_proxy_setting_a_forwarded_header_is_ignored(ann, settings) -> None:
    settings.BEHIND_TLS_PROXY = False
    fail(ann.email, 5, ip=HOME, HTTP_X_FORWARDED_FOR="203.0.113.9")
    # A made-up header cannot buy a fresh count: REMOTE_ADDR is what counts.
    response = attempt(ann.email, factories.PASSWORD, ip=HOME, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert response.status_code == 429


def test_behind_the_proxy_the_address_the_proxy_saw_counts(ann, settings) -> None:
    settings.BEHIND_TLS_PROXY = True
    proxy = "127.0.0.1"
    # The proxy appends the address it saw; what the browser sent before it is not trusted.
    fail(ann.email, 5, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    spoofed = attempt(
        ann.email, factories.PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    assert spoofed.status_code == 429
    elsewhere = attempt(
        ann.email, factories.PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    assert signed_in(elsewhere)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
