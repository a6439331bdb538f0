"""What the pages say: a few content checks for each role, and the login page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from repairs.codes import Family, Visibility
from rupturelog.accounts.models import User
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

CLINICAL_CODE_LABELS = ["Minimal answers", "An expectation was not met", "Moving away"]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The session page -------------------------------------------------------------------


@pytest.fixture
def coded_session(cast: Cast) -> Cast:
    """Session A with the client's private draft and the therapist's shared entry, both
    carrying clinical codes (markers, causes, a family) and the draft feeling words.
    """
    draft = factories.make_rupture(
        cast.session_a,
        cast.client_a,
        account="It felt like my week didn't matter.",
        visibility=Visibility.PRIVATE,
        family=Family.WITHDRAWAL,
    )
    factories.add_codes(
        draft, feeling=["unheard"], marker=["minimal_response"], cause=["unmet_expectation"]
    )
    entry = factories.make_rupture(
        cast.session_a,
        cast.therapist_a,
        account="Client went quiet after I moved on to homework.",
        family=Family.WITHDRAWAL,
    )
    factories.add_codes(entry, marker=["minimal_response"], cause=["unmet_expectation"])
    return cast


def test_a_client_sees_their_own_draft_marked_as_a_private_draft(coded_session: Cast) -> None:
    html = page(coded_session.client_for("client_a"), coded_session.session_a.get_absolute_url())

    assert "It felt like my week didn&#x27;t matter." in html
    assert "Private draft — only you can see this" in html
    assert "felt unheard" in html


def test_a_client_sees_feeling_words_but_no_clinical_codes(coded_session: Cast) -> None:
    html = page(coded_session.client_for("client_a"), coded_session.session_a.get_absolute_url())

    assert "Client went quiet after I moved on to homework." in html
    for label in CLINICAL_CODE_LABELS:
        assert label not in html


def test_a_therapist_sees_the_codes_on_their_entry_but_not_the_clients_draft(
    coded_session: Cast,
) -> None:
    url = coded_session.session_a.get_absolute_url()
    html = page(coded_session.client_for("therapist_a"), url)

    for label in CLINICAL_CODE_LABELS:
        assert label in html
    assert "my week didn" not in html
    assert "felt unheard" not in html


def test_the_session_page_links_to_the_previous_and_next_sessions(cast: Cast) -> None:
    first = cast.session_a
    second, third = factories.make_session(cast.case_a), factories.make_session(cast.case_a)
    client = cast.client_for("therapist_a")

    middle = page(client, second.get_absolute_url())
    assert f'rel="prev" href="{first.get_absolute_url()}"' in middle
    assert f'rel="next" href="{third.get_absolute_url()}"' in middle
    assert 'rel="prev"' not in page(client, first.get_absolute_url())
    assert 'rel="next"' not in page(client, third.get_absolute_url())


def test_a_client_sees_only_their_own_check_in_on_the_session_page(cast: Cast) -> None:
    factories.make_check_in(cast.session_a, cast.client_a, comment="Felt better by the end.")
    factories.make_check_in(cast.session_a, cast.therapist_a, comment="Tense at the start.")
    url = cast.session_a.get_absolute_url()

    assert "Felt better by the end." in page(cast.client_for("client_a"), url)
    assert "Tense at the start." not in page(cast.client_for("client_a"), url)
    assert "Tense at the start." in page(cast.client_for("therapist_a"), url)


# --- Homes ------------------------------------------------------------------------------


def test_a_therapist_home_lists_their_cases(cast: Cast) -> None:
    html = page(cast.client_for("therapist_a"), reverse("home"))

    assert f'href="{cast.case_a.get_absolute_url()}">Ada Quillfeather<' in html
    assert f'href="{cast.case_inactive.get_absolute_url()}">Cyril Dormant<' in html
    assert cast.case_b.get_absolute_url() not in html
    assert "Bea Rookwood" not in html


def test_a_supervisor_home_lists_supervised_cases_by_pseudonym(cast: Cast) -> None:
    html = page(cast.client_for("supervisor_a"), reverse("home"))

    assert f'href="{cast.case_a.get_absolute_url()}">{cast.client_a.pseudonym}<' in html
    assert "Theo Marsh" in html  # the therapist they supervise
    assert "Ada Quillfeather" not in html
    assert cast.case_b.get_absolute_url() not in html


def test_a_client_home_lists_their_sessions(cast: Cast) -> None:
    html = page(cast.client_for("client_a"), reverse("home"))

    assert cast.session_a.get_absolute_url() in html
    assert cast.session_b.get_absolute_url() not in html


def test_every_client_page_says_it_is_not_monitored_in_real_time(cast: Cast, settings) -> None:
    settings.CRISIS_TEXT = "Not watched live. In a crisis call 999."
    client = cast.client_for("client_a")
    for url in (reverse("home"), cast.case_a.get_absolute_url(), cast.session_a.get_absolute_url()):
        assert "Not watched live. In a crisis call 999." in page(client, url)
    assert "Not watched live" not in page(cast.client_for("therapist_a"), reverse("home"))


def test_an_administrator_home_offers_the_admin_and_no_clinical_data(cast: Cast) -> None:
    html = page(cast.client_for("admin"), reverse("home"))

    assert reverse("admin:index") in html
    assert "Ada Quillfeather" not in html
    assert cast.case_a.get_absolute_url() not in html


# --- Logging in -------------------------------------------------------------------------


def _log_in(email: str, password: str = factories.PASSWORD) -> tuple[Client, object]:
    client = Client()
    response = client.post(reverse("login"), {"username": email, "password": password})
    return client, response


def test_logging_in_with_a_mixed_case_email_works(db) -> None:
    factories.make_therapist(email="theo.marsh@example.org")

    client, response = _log_in("Theo.Marsh@EXAMPLE.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # The password step is passed; a therapist's next step is the code (tests/rupturelog/mfa/).
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_verify"))


def _without_echo(html: str, email: str) -> str:
    """The page minus what legitimately differs between two attempts: the typed email and
    the CSRF tokens."""
    html = re.sub(r'nonce="[^"]*"', 'nonce="NONCE"', html)  # a fresh CSP nonce per response
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html.replace(email, "EMAIL"))


def test_a_wrong_password_gets_a_clear_error_that_does_not_reveal_the_account(db) -> None:
    factories.make_client(email="known@example.org")
    factories.make_client(email="gone@example.org", is_active=False)

    attempts = {
        "wrong password": ("known@example.org", "not the password"),
        "no such account": ("nobody@example.org", "not the password"),
        "inactive account": ("gone@example.org", factories.PASSWORD),
    }
    pages = {}
    for label, (email, password) in attempts.items():
        client, response = _log_in(email, password)
        assert response.status_code == 200, label
        html = response.content.decode()
        assert "That email and password do not match an active account." in html, label
        assert "_auth_user_id" not in client.session, label
        pages[label] = _without_echo(html, email)

    assert pages["wrong password"] == pages["no such account"] == pages["inactive account"]


def test_the_login_page_keeps_the_typed_email(db) -> None:
    _, response = _log_in("someone@example.org", "wrong")

    assert 'value="someone@example.org"' in response.content.decode()
    assert User.objects.count() == 0
