"""Without JavaScript: every action on the timeline is a plain page with a form, and saving
redirects back to the timeline with the result on the card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from repairs.models import Rupture
from rupturelog.accounts.models import User
from sessions.models import TherapySession
from tests import factories
from tests.browser.conftest import OpenAs
from tests.browser.support import screenshot

pytestmark = pytest.mark.browser

ACCOUNT = "Client went quiet and gave one-word answers after I set the homework."
STEP_TEXT = "Asked whether the homework felt like too much; it did. We halved it."
AGREEMENT = "Set homework together at the end, not hand it over."
REPLY_TEXT = "I'm glad you said so. Let's keep checking how the homework feels."


@pytest.fixture
def therapy_session() -> TherapySession:
    case = factories.make_case(
        factories.make_client(display_name="Ada Quillfeather"),
        factories.make_therapist(display_name="Theo Marsh"),
    )
    return factories.make_session(case, 1)


def on_timeline(page: Page, therapy_session: TherapySession, rupture: Rupture) -> None:
    """A plain redirect (no htmx) back to the session page, at the card."""
    expect(page).to_have_url(re.compile(rf"/sessions/{therapy_session.pk}/#rupture-{rupture.pk}$"))
    expect(page.get_by_role("heading", name="Session 1", level=1)).to_be_visible()


def test_a_therapist_without_javascript_logs_repairs_resolves_and_replies_with_plain_forms(
    open_as: OpenAs, therapy_session: TherapySession
) -> None:
    therapist_user: User = therapy_session.case.therapist
    page = open_as(therapist_user, javascript=False)
    timeline_url = f"/sessions/{therapy_session.pk}/"
    page.goto(timeline_url)
    expect(page.get_by_role("heading", name="Session 1", level=1)).to_be_visible()

    # Log a rupture: a full page, not a form inside the timeline.
    page.get_by_role("link", name="Log a rupture").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{therapy_session.pk}/log/$"))
    expect(page.get_by_role("heading", name="Log a rupture")).to_be_visible()
    page.get_by_label("Minute into the session").fill("12")
    page.get_by_role("group", name="Kind of rupture").get_by_label("Moving away").check()
    page.get_by_label("Minimal answers").check()
    page.get_by_label("What happened", exact=True).fill(ACCOUNT)
    screenshot(page, "B1-therapist-no-js-log-form")
    page.get_by_role("button", name="Save entry").click()

    rupture = Rupture.objects.get(author=therapist_user)
    on_timeline(page, therapy_session, rupture)
    expect(page.get_by_role("status")).to_contain_text("Your entry is saved.")
    card = page.locator(f"#rupture-{rupture.pk}")
    expect(card.get_by_role("heading", level=3)).to_have_text("You noted a moment at minute 12")
    expect(card).to_contain_text(ACCOUNT)
    expect(card).to_contain_text("Moving away")
    expect(card).to_contain_text("Minimal answers")
    legend = page.get_by_role("list", name="Moments on the timeline")
    expect(legend.get_by_role("link", name="Therapist, minute 12")).to_be_visible()

    # A repair step, on its own page.
    card.get_by_role("link", name="Add a repair step").click()
    expect(page).to_have_url(re.compile(rf"/ruptures/{rupture.pk}/steps/new/$"))
    page.get_by_label("What was tried").select_option(label="Changes the task or goal")
    page.get_by_label("What was done").fill(STEP_TEXT)
    page.get_by_role("group", name="How did it land?").get_by_label("Partly helped").check()
    page.get_by_role("button", name="Save", exact=True).click()
    on_timeline(page, therapy_session, rupture)
    expect(page.get_by_role("status")).to_contain_text("Repair step added.")
    repair = card.get_by_role("region", name="Repair steps")
    expect(repair).to_contain_text("Changes the task or goal")
    expect(repair).to_contain_text(STEP_TEXT)
    expect(repair).to_contain_text("partly helped")

    # Where things stand, and what was agreed.
    card.get_by_role("link", name="Status and agreement").click()
    expect(page).to_have_url(re.compile(rf"/ruptures/{rupture.pk}/status/$"))
    page.get_by_label("Where things stand").select_option(label="Resolved")
    page.get_by_label("What we agreed to do differently").fill(AGREEMENT)
    page.get_by_role("button", name="Save", exact=True).click()
    on_timeline(page, therapy_session, rupture)
    expect(page.get_by_role("status")).to_contain_text("Status saved.")
    expect(card.locator(".status")).to_have_text("Resolved")
    expect(card).to_contain_text(f"What we agreed: {AGREEMENT}")

    # A reply in the card's thread.
    card.get_by_role("link", name="Reply", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ruptures/{rupture.pk}/notes/new/$"))
    page.get_by_label("Your reply").fill(REPLY_TEXT)
    page.get_by_role("button", name="Send").click()
    on_timeline(page, therapy_session, rupture)
    expect(page.get_by_role("status")).to_contain_text("Reply sent.")
    expect(card.get_by_role("region", name="Notes")).to_contain_text(REPLY_TEXT)
    screenshot(page, "B2-therapist-no-js-timeline-after-all-steps")

    rupture.refresh_from_db()
    assert rupture.status == "resolved"
    assert rupture.agreement == AGREEMENT
