"""Two-step sign-in in a real browser: a new clinician sets up an app from the page alone
(the key as shown), keeps the backup codes, and signs in again with a code; the pages pass
axe and break no rule of the Content Security Policy."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import ConsoleMessage, Page, expect

from tests import factories
from tests.browser.conftest import OpenAs
from tests.browser.support import BLOCKING_IMPACTS, PHONE, axe_report, log_in, run_axe, screenshot

pytestmark = pytest.mark.browser


def no_blocking_axe_violations(page: Page, name: str) -> None:
    violations = run_axe(page, name)
    report = axe_report(name, violations)
    screenshot(page, f"axe-{name}")
    assert not [v for v in violations if v.impact in BLOCKING_IMPACTS], report


def watch_csp(page: Page) -> list[str]:
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", record)
    return refused


def test_a_new_therapist_sets_up_an_app_keeps_backup_codes_and_signs_in_again(
    open_as: OpenAs,
) -> None:
    newcomer = factories.make_therapist(display_name="Nell Newcomer", two_step=False)
    page = open_as(newcomer)  # the password step; the app sends her to set-up
    refused = watch_csp(page)
    page.reload()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    no_blocking_axe_violations(page, "two-step-set-up")

    # What a person without a camera does: type the key shown into the app.
    typed_key = page.locator("code.secret").inner_text().replace(" ", "")
    code = f"{totp(b32decode(typed_key)):06d}"
    page.get_by_label("Six-digit code from the app").fill(code)
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible()
    expect(
        page.get_by_role("list", name="Your backup codes").get_by_role("listitem")
    ).to_have_count(10)
    no_blocking_axe_violations(page, "two-step-backup-codes")
    page.get_by_role("link", name="I have saved them — continue").click()
    expect(page.get_by_role("heading", name="Your caseload", exact=True)).to_be_visible()
    assert refused == []

    page.get_by_role("button", name="Log out").click()
    log_in(page, newcomer)  # password, then the code from her (now set-up) app
    expect(page.get_by_role("heading", name="Your caseload", exact=True)).to_be_visible()


def test_the_code_page_passes_axe_and_a_wrong_code_is_announced(open_as: OpenAs) -> None:
    therapist = factories.make_therapist()
    page = open_as(therapist)
    page.get_by_role("button", name="Log out").click()
    page.goto("/login/")
    page.locator("#id_username").fill(therapist.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in", exact=True)).to_be_visible()

    page.get_by_label("Code", exact=True).fill("12345")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("That code is not right")).to_be_visible()
    no_blocking_axe_violations(page, "two-step-code-wrong")


def test_a_client_turns_it_on_and_off_from_the_header_link_on_a_phone(open_as: OpenAs) -> None:
    client = factories.make_client()
    page = open_as(client, viewport=PHONE)
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in (optional)")).to_be_visible()
    no_blocking_axe_violations(page, "two-step-settings-client")

    page.get_by_role("link", name="Set up two-step sign-in").click()
    typed_key = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Six-digit code from the app").fill(f"{totp(b32decode(typed_key)):06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("link", name="I have saved them — continue").click()

    page.get_by_role("link", name="Two-step sign-in").click()
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is off.")).to_be_visible()
