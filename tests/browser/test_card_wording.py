"""What a rupture card says about itself, as it reads in the browser after real actions.

Both tests come from app bugs found while writing the browser suite, and keep them fixed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import OpenAs
from tests.browser.support import PHONE

pytestmark = pytest.mark.browser


def test_a_card_swapped_in_place_does_not_name_its_own_session_in_its_heading(
    open_as: OpenAs,
) -> None:
    # The swapped card once lacked the page's session in its context, and every card
    # saved in place gained " in session N" on its own session's timeline.
    therapist = factories.make_therapist()
    client = factories.make_client()
    case = factories.make_case(client, therapist)
    first = factories.make_session(case, 1)
    second = factories.make_session(case, 2)
    flag = factories.make_rupture(first, client, minute=25)  # open, so carried over
    page = open_as(therapist)
    card = page.locator(f"#rupture-{flag.pk}")
    heading = card.get_by_role("heading", level=3)

    def reply(text: str) -> None:
        card.get_by_role("link", name="Reply", exact=True).click()
        page.locator(f"#slot-{flag.pk}").get_by_label("Your reply").fill(text)
        page.locator(f"#slot-{flag.pk}").get_by_role("button", name="Send").click()
        expect(card.get_by_role("region", name="Notes")).to_contain_text(text)

    page.goto(f"/sessions/{first.pk}/")
    expect(heading).to_have_text("Client flagged a moment at minute 25")
    reply("Thank you for saying.")
    expect(heading).to_have_text("Client flagged a moment at minute 25", timeout=2_000)

    # On a later session's timeline the same card is carried over, and does say where it
    # comes from, before and after a swap.
    page.goto(f"/sessions/{second.pk}/")
    expect(heading).to_have_text("Client flagged a moment at minute 25 in session 1")
    reply("Shall we come back to it today?")
    expect(heading).to_have_text("Client flagged a moment at minute 25 in session 1")


def test_a_client_reads_a_plain_link_to_their_own_report_on_a_linked_entry(
    open_as: OpenAs,
) -> None:
    therapist = factories.make_therapist()
    client = factories.make_client()
    therapy_session = factories.make_session(factories.make_case(client, therapist), 1)
    flag = factories.make_rupture(therapy_session, client, minute=25)
    entry = factories.make_rupture(therapy_session, therapist, minute=25, counterpart=flag)
    type(flag).objects.filter(pk=flag.pk).update(counterpart=entry)

    page = open_as(client, viewport=PHONE)
    page.goto(f"/sessions/{therapy_session.pk}/")
    linked = page.locator(f"#rupture-{entry.pk}").get_by_role(
        "link", name=re.compile("Seen by both")
    )
    expect(linked).to_have_text("Seen by both: see your report", timeout=2_000)
