"""With JavaScript: a client flags a moment on a phone while the therapist's timeline is
open; the flag appears there on its own, and the therapist answers in place (htmx)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from repairs.models import InboxItem, Rupture
from rupturelog.accounts.models import User
from sessions.models import TherapySession
from tests import factories
from tests.browser.conftest import OpenAs
from tests.browser.support import (
    LIVE_TIMEOUT_MS,
    PHONE,
    assert_not_reloaded,
    mark_page,
    screenshot,
    server_idle,
)

pytestmark = pytest.mark.browser

FLAG_TEXT = "When I talked about my sister you moved straight on to homework."
THERAPIST_VIEW = "I moved on too fast; she went quiet and gave short answers after that."
STEP_TEXT = "Named that I had rushed past her sister, and asked how that landed."
REPLY_TEXT = "Thank you for telling me. I'd like us to go back to it next week."


@dataclass
class Course:
    therapist: User
    client: User
    first: TherapySession
    second: TherapySession


@pytest.fixture
def course() -> Course:
    therapist = factories.make_therapist(display_name="Theo Marsh")
    client = factories.make_client(display_name="Ada Quillfeather")
    case = factories.make_case(client, therapist)
    # Two past sessions, so choosing session 1 in the flag form is a real choice (the form
    # offers the latest first).
    return Course(
        therapist=therapist,
        client=client,
        first=factories.make_session(case, 1),
        second=factories.make_session(case, 2),
    )


def test_a_shared_client_flag_appears_on_the_open_timeline_and_the_therapist_answers_in_place(
    open_as: OpenAs, course: Course
) -> None:
    timeline_url = f"/sessions/{course.first.pk}/"

    # The therapist has the timeline open before the client says anything.
    therapist = open_as(course.therapist)
    therapist.goto(timeline_url)
    expect(therapist.get_by_role("heading", name="Session 1", level=1)).to_be_visible()
    expect(therapist.locator("#timeline-live")).to_contain_text("No moments noted")
    mark_page(therapist)

    # The client, on a phone, goes from their home page to "Flag a moment".
    client = open_as(course.client, viewport=PHONE)
    expect(client.locator("#inbox-badge")).to_have_text("Inbox")
    client.get_by_role("link", name="Flag a moment").click()
    expect(client).to_have_url(re.compile(r"/flag/$"))
    client.get_by_label("Which session?").select_option(str(course.first.pk))
    client.get_by_label("In the middle", exact=True).check()
    client.get_by_label("What happened, in your own words").fill(FLAG_TEXT)
    client.get_by_label("Unheard", exact=True).check()
    client.get_by_label("Rushed", exact=True).check()
    client.get_by_label("Share with my therapist now").check()
    screenshot(client, "A1-client-flag-form-phone")

    # The therapist's poller must see the change (200, not 204), and the event it sends
    # must make htmx fetch the #timeline-live region alone (not the whole page).
    with (
        therapist.expect_response(
            lambda r: "/changes/" in r.url and r.status == 200, timeout=LIVE_TIMEOUT_MS
        ),
        therapist.expect_response(
            lambda r: r.request.headers.get("hx-target") == "timeline-live" and r.ok,
            timeout=LIVE_TIMEOUT_MS,
        ),
    ):
        client.get_by_role("button", name="Save", exact=True).click()
        expect(client.get_by_role("status")).to_contain_text(
            "Your therapist can now see this moment"
        )
    screenshot(client, "A2-client-after-saving-phone")

    with server_idle():  # the pages keep polling while the test reads the database
        flag = Rupture.objects.get(author=course.client)
    card = therapist.locator(f"#rupture-{flag.pk}")
    slot = therapist.locator(f"#slot-{flag.pk}")
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(card.get_by_role("heading", level=3)).to_have_text(
        "Client flagged a moment at minute 25"  # "in the middle" of a 50-minute session
    )
    expect(card).to_contain_text(FLAG_TEXT)
    expect(card).to_contain_text("felt unheard")
    expect(therapist.locator("#live-status")).to_have_text("The timeline has been updated.")
    assert_not_reloaded(therapist)
    screenshot(therapist, "A3-therapist-timeline-live-update")

    # 1. The therapist records their own view of the same moment, inside the card.
    card.get_by_role("link", name="Record my view of it").click()
    expect(slot.get_by_role("heading", name="Your view of this moment")).to_be_visible()
    slot.get_by_role("group", name="Kind of rupture").get_by_label("Moving away").check()
    slot.get_by_label("Minimal answers").check()
    slot.get_by_label("What happened", exact=True).fill(THERAPIST_VIEW)
    slot.get_by_role("button", name="Save entry").click()
    expect(slot.get_by_role("status")).to_contain_text("Your entry is saved.")
    with server_idle():
        own = Rupture.objects.get(author=course.therapist)
    assert own.counterpart_id == flag.pk
    # The timeline refreshes in place: the new entry and the link between the two reports.
    expect(therapist.locator(f"#rupture-{own.pk}")).to_contain_text(THERAPIST_VIEW)
    expect(card.get_by_role("link", name=re.compile("Seen by both"))).to_be_visible()
    assert_not_reloaded(therapist)

    # 2. A repair step: the form opens inside the card and saving swaps the card.
    card.get_by_role("link", name="Add a repair step").click()
    expect(slot.get_by_role("heading", name="Add a repair step")).to_be_visible()
    slot.get_by_label("What was tried").select_option(label="Acknowledges own part in it")
    slot.get_by_label("What was done").fill(STEP_TEXT)
    slot.get_by_role("group", name="How did it land?").get_by_label("Helped", exact=True).check()
    slot.get_by_role("button", name="Save", exact=True).click()
    repair = card.get_by_role("region", name="Repair steps")
    expect(repair).to_contain_text("Acknowledges own part in it")
    expect(repair).to_contain_text(STEP_TEXT)
    expect(repair).to_contain_text("helped")
    expect(slot.get_by_role("heading", name="Add a repair step")).to_have_count(0)
    assert_not_reloaded(therapist)

    # 3. A reply to the client, in the card's thread.
    card.get_by_role("link", name="Reply", exact=True).click()
    expect(slot.get_by_role("heading", name="Reply")).to_be_visible()
    slot.get_by_label("Your reply").fill(REPLY_TEXT)
    slot.get_by_role("button", name="Send").click()
    expect(card.get_by_role("region", name="Notes")).to_contain_text(REPLY_TEXT)
    assert_not_reloaded(therapist)
    screenshot(therapist, "A4-therapist-after-step-and-reply")

    # The client's page (still open since saving) picks up the reply and the inbox badge
    # on its own polls.
    with server_idle():
        unread = InboxItem.objects.filter(recipient=course.client, read_at__isnull=True).count()
    assert unread >= 1
    client_card = client.locator(f"#rupture-{flag.pk}")
    expect(client_card.get_by_role("region", name="Notes")).to_contain_text(
        REPLY_TEXT, timeout=LIVE_TIMEOUT_MS
    )
    expect(client_card).to_contain_text("Your therapist responded")
    expect(client.locator("#inbox-badge")).to_have_text(
        re.compile(rf"^Inbox\s*{unread}\b"), timeout=LIVE_TIMEOUT_MS
    )
    screenshot(client, "A5-client-sees-reply-phone")

    # And the home page lists the reply as new.
    client.locator("#inbox-badge").click()
    inbox = client.get_by_role("region", name=re.compile("New for you"))
    expect(inbox.get_by_role("link", name="Your therapist replied, session 1")).to_be_visible()
