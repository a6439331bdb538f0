"""A therapist invites a new client in a real browser; the client opens the emailed link on
their phone, chooses a password and logs in. Both pages pass axe."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from rupturelog.accounts.models import User
from tests import factories
from tests.browser.conftest import OpenAs
from tests.browser.support import BLOCKING_IMPACTS, PHONE, axe_report, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "quiet harbour lantern seven"


def assert_no_blocking_axe_violations(page: Page, name: str) -> None:
    violations = run_axe(page, name)
    report = axe_report(name, violations)
    assert not [v for v in violations if v.impact in BLOCKING_IMPACTS], report


def test_a_therapist_invites_a_client_who_sets_a_password_and_logs_in(
    open_as: OpenAs, browser: Browser, live_server
) -> None:
    therapist = factories.make_therapist(display_name="Theo Marsh")
    page = open_as(therapist)
    page.get_by_role("link", name="Invite a new client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a client")
    page.get_by_label("Their email").fill("nell@example.org")
    page.get_by_label("Their name").fill("Nell Ashdown")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to nell@example.org")
    expect(page.get_by_role("cell", name="Nell Ashdown", exact=True)).to_be_visible()
    assert_no_blocking_axe_violations(page, "therapist-invite")

    link = re.search(r"https?://[^/\s]+(/invite/\S+/)", mail.outbox[-1].body).group(1)
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        phone = context.new_page()
        phone.goto(link)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Set your password")
        assert_no_blocking_axe_violations(phone, "client-set-password")
        phone.get_by_label("Password", exact=True).fill("short")
        phone.get_by_label("The same again").fill("short")
        phone.get_by_role("button", name="Set my password").click()
        expect(phone.get_by_text("too short", exact=False)).to_be_visible()
        phone.get_by_label("Password", exact=True).fill(PASSWORD)
        phone.get_by_label("The same again").fill(PASSWORD)
        phone.get_by_role("button", name="Set my password").click()
        expect(phone.get_by_role("status")).to_contain_text("Your password is set")
        phone.locator("#id_username").fill("nell@example.org")
        phone.locator("#id_password").fill(PASSWORD)
        phone.get_by_role("button", name="Log in").click()
        expect(phone.get_by_role("button", name="Log out")).to_be_visible()
    finally:
        context.close()

    nell = User.objects.get(email="nell@example.org")
    assert nell.client_cases.get().therapist == therapist
    page.goto("/")
    expect(page.get_by_text("Nell Ashdown").first).to_be_visible()
