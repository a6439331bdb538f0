"""The stored-XSS payloads in a real browser: headless Chromium opens the timeline holding
them as the therapist, the client and the supervisor, loads htmx fragments (an edit form
inside a card, a reply saved in place, the live refresh), and nothing runs: no dialog, no
Content-Security-Policy violation (which is what an injected handler would cause, the CSP
blocking it), `window.__xss` never set, and everyone still logged in.

The browser fixtures come from tests/browser/conftest.py (the system Chromium, one request
at a time on SQLite, a 5xx from any request failing the test).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from tests.browser.conftest import (  # noqa: F401 - fixtures, used by name
    OpenAs,
    _fast_live_updates,
    _serialized_live_server,
    browser,
    open_as,
)
from tests.browser.support import LIVE_TIMEOUT_MS, screenshot
from tests.conftest import build_cast
from tests.fuzz.xss import ALL, NAMES, PAYLOADS, XssWorld, build_xss_world

pytestmark = pytest.mark.browser

# Records what the page reports about blocked content, from before any of its scripts run.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class Watch:
    """Everything a page says that would betray a payload running."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.add_init_script(WATCH_CSP)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text:
            self.console.append(text)

    def assert_inert(self, where: str) -> None:
        page = self.page
        assert not self.dialogs, f"{where}: a dialog opened: {self.dialogs}"
        assert not self.console, f"{where}: CSP violations: {self.console}"
        assert page.evaluate("() => window.__cspViolations || []") == [], where
        assert page.evaluate("() => typeof window.__xss") == "undefined", where
        assert not self.errors, f"{where}: script errors: {self.errors}"
        # An injected hx-get="/logout/" hx-trigger="load" would have logged them out.
        expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _visit(watch: Watch, url: str, name: str) -> None:
    watch.page.goto(url)  # waits for the load event: every image tried, every script run
    watch.assert_inert(name)


def _edit_in_place(watch: Watch, rupture_id: int, link: str, field: str) -> None:
    """Open a card's form through htmx; the payload must sit whole inside the field."""
    card = watch.page.locator(f"#rupture-{rupture_id}")
    card.locator(".card-actions").get_by_role("link", name=link, exact=True).click()
    textarea = watch.page.locator(f"#slot-{rupture_id} textarea[name={field}]")
    expect(textarea).to_have_value(ALL)
    watch.assert_inert(f"{link} form in card {rupture_id}")


def test_the_payloads_stay_inert_on_the_timeline_in_chromium(open_as: OpenAs) -> None:  # noqa: F811
    world: XssWorld = build_xss_world(build_cast())
    cast = world.cast
    timeline = cast.session_a.get_absolute_url()
    later = cast.case_a.therapy_sessions.get(number=2).get_absolute_url()

    # The therapist: home, case, the timeline; an edit form and a reply through htmx.
    therapist = Watch(open_as(cast.therapist_a))
    _visit(therapist, "/", "therapist-home")
    _visit(therapist, cast.case_a.get_absolute_url(), "therapist-case")
    _visit(therapist, timeline, "therapist-timeline")
    screenshot(therapist.page, "xss-therapist-timeline")
    card = therapist.page.locator(f"#rupture-{world.entry.pk}")
    expect(card.locator(".account")).to_contain_text(PAYLOADS[0])  # shown, as text
    expect(therapist.page.locator(".who")).to_contain_text(NAMES["therapist_a"])
    _edit_in_place(therapist, world.entry.pk, "Edit", "account")
    flag = therapist.page.locator(f"#rupture-{world.flag.pk}")
    flag.get_by_role("link", name="Reply", exact=True).click()
    slot = therapist.page.locator(f"#slot-{world.flag.pk}")
    slot.get_by_label("Your reply").fill(ALL)
    slot.get_by_role("button", name="Send").click()
    expect(flag.get_by_role("region", name="Notes").locator("p").last).to_contain_text(PAYLOADS[6])
    therapist.assert_inert("reply saved in place")

    # The client, on the same timeline while the therapist's page is open: the new reply
    # arrives through the live refresh (an htmx swap of the whole timeline).
    client = Watch(open_as(cast.client_a))
    _visit(client, "/", "client-home")
    _visit(client, timeline, "client-timeline")
    _edit_in_place(client, world.flag.pk, "Edit", "account")
    _visit(client, later, "client-later-session")

    supervisor = Watch(open_as(cast.supervisor_a))
    _visit(supervisor, timeline, "supervisor-timeline")
    _visit(supervisor, "/review/?start=2025-01-01&end=2025-12-31", "supervisor-review")

    # A few rounds of the pages' own polling (every second here) on the open timelines.
    therapist.page.goto(timeline)
    therapist.page.wait_for_timeout(2000)
    expect(therapist.page.locator(f"#rupture-{world.entry.pk}")).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    for name, watch in (("therapist", therapist), ("client", client)):
        watch.assert_inert(f"{name} after polling")
