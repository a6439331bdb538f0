"""Headers and session rules that hold on every page (the first part of the trust issue)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from rupturelog import security
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def test_every_page_has_a_strict_content_security_policy(cast: Cast) -> None:
    response = cast.client_for("therapist_a").get(
        reverse("session_detail", args=[cast.session_a.pk])
    )
    policy = _policy(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    # The only script on the page is htmx, from our origin, carrying this response's nonce.
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in scripts)


def test_htmx_is_configured_to_need_neither_eval_nor_inline_styles(cast: Cast) -> None:
    html = cast.client_for("client_a").get(reverse("home")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    assert '"allowEval": false' in config
    assert '"includeIndicatorStyles": false' in config
    assert '"historyCacheSize": 0' in config  # no clinical page snapshots in localStorage
    assert " style=" not in html  # a style attribute would need 'unsafe-inline'


def test_authenticated_pages_are_never_stored(cast: Cast) -> None:
    response = cast.client_for("client_a").get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_logging_out_asks_the_browser_to_clear_what_it_kept(cast: Cast) -> None:
    response = cast.client_for("client_a").post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def _age_session(client: Client, *, idle: int = 0, since_login: int = 0) -> None:
    session = client.session
    now = int(security.time.time())
    session["last_seen"] = now - idle
    session["started_at"] = now - since_login
    session.save()


def test_thirty_minutes_without_activity_logs_you_out(cast: Cast) -> None:
    client = cast.client_for("therapist_a")
    client.get(reverse("home"))
    _age_session(client, idle=security.IDLE_SECONDS + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_after_the_idle_limit_is_sent_to_the_login_page(cast: Cast) -> None:
    client = cast.client_for("therapist_a", HTTP_HX_REQUEST="true")
    client.get(reverse("home"))
    _age_session(client, idle=security.IDLE_SECONDS + 5)
    response = client.get(reverse("session_changes", args=[cast.session_a.pk]))
    assert response["HX-Redirect"] == reverse("login")


def test_twelve_hours_after_logging_in_you_are_logged_out_however_active(cast: Cast) -> None:
    client = cast.client_for("client_a")
    client.get(reverse("home"))
    _age_session(client, idle=0, since_login=security.ABSOLUTE_SECONDS + 5)
    assert client.get(reverse("home")).status_code == 302


def test_background_polls_do_not_count_as_activity(cast: Cast) -> None:
    client = cast.client_for("therapist_a")
    client.get(reverse("home"))
    _age_session(client, idle=10 * 60)
    before = client.session["last_seen"]
    client.get(reverse("session_changes", args=[cast.session_a.pk]) + "?rev=x")
    client.get(reverse("inbox_badge"))
    assert client.session["last_seen"] == before
    client.get(reverse("home"))
    assert client.session["last_seen"] > before


def test_a_deactivated_account_loses_its_session_at_once(cast: Cast) -> None:
    client = cast.client_for("therapist_a")
    assert client.get(reverse("home")).status_code == 200
    cast.therapist_a.is_active = False
    cast.therapist_a.save()
    assert client.get(reverse("home")).status_code == 302


def test_health_needs_nothing_and_readiness_checks_the_database(client: Client) -> None:
    assert client.get(reverse("healthz")).content == b"ok"
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"ready": True, "database": "ok"}


def test_a_missing_page_is_our_own_404_page(client: Client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
