"""Accessibility in a real browser: axe-core on each role's main pages, the keyboard path
into an inline form, and the live regions that announce updates."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from repairs.codes import InboxKind, Visibility
from repairs.models import InboxItem, Rupture
from rupturelog.accounts.models import User
from sessions.models import TherapySession
from tests import factories
from tests.browser.conftest import OpenAs
from tests.browser.support import (
    BLOCKING_IMPACTS,
    DESKTOP,
    PHONE,
    axe_report,
    run_axe,
    screenshot,
)

pytestmark = pytest.mark.browser


@dataclass
class Furnished:
    therapist: User
    client: User
    therapy_session: TherapySession
    entry: Rupture
    flag: Rupture


@pytest.fixture
def furnished() -> Furnished:
    """A session with everything the pages can show: a therapist entry with codes, a repair
    step and notes from both sides; a shared client flag with feeling words; a private
    draft; a check-in; and unread inbox items on both sides."""
    therapist = factories.make_therapist(display_name="Theo Marsh")
    client = factories.make_client(display_name="Ada Quillfeather")
    case = factories.make_case(client, therapist)
    first = factories.make_session(case, 1)
    factories.make_session(case, 2)
    entry = factories.make_full_rupture(first, minute=12)
    flag = factories.make_rupture(
        first, client, minute=30, account="I felt rushed when we moved on to homework."
    )
    factories.add_codes(flag, feeling=["rushed", "unheard"])
    factories.make_rupture(
        first, client, minute=None, account="Not sure yet.", visibility=Visibility.PRIVATE
    )
    factories.make_check_in(first, client, comment="It got tense near the end.")
    InboxItem.objects.create(
        recipient=therapist,
        kind=InboxKind.CLIENT_FLAG,
        case=case,
        therapy_session=first,
        rupture=flag,
    )
    InboxItem.objects.create(
        recipient=client, kind=InboxKind.REPLY, case=case, therapy_session=first, rupture=entry
    )
    return Furnished(therapist, client, first, entry, flag)


# (name, who, viewport, path): the client's pages are checked at phone size, where clients
# mostly use them.
PAGES = [
    ("therapist-timeline", "therapist", DESKTOP, "timeline"),
    ("client-timeline", "client", PHONE, "timeline"),
    ("client-flag-a-moment", "client", PHONE, "/flag/"),
    ("client-home", "client", PHONE, "/"),
    ("therapist-home", "therapist", DESKTOP, "/"),
    ("therapist-history", "therapist", DESKTOP, "history"),
    ("client-history", "client", PHONE, "history"),
    ("therapist-account", "therapist", DESKTOP, "/account/"),
    ("client-password-change", "client", PHONE, "/account/password/"),
]


def test_a_supervisor_sees_a_real_name_only_after_giving_a_reason_and_the_page_stays_clean(
    open_as: OpenAs, furnished: Furnished
) -> None:
    supervisor = factories.make_supervisor(furnished.therapist, display_name="Sol Harrow")
    case = furnished.therapy_session.case
    page = open_as(supervisor)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(furnished.client.pseudonym)
    expect(page.get_by_text(furnished.client.display_name)).to_have_count(0)

    page.get_by_text("Show the client's real name").click()
    page.get_by_role("button", name="Show the real name").click()  # no reason chosen yet
    expect(page.get_by_text(furnished.client.display_name)).to_have_count(0)
    page.get_by_label("Why do you need the client's name?").select_option("handover")
    page.get_by_role("button", name="Show the real name").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Real name: {furnished.client.display_name}"
    )

    violations = run_axe(page, "supervisor-case-real-name")
    report = axe_report("supervisor-case-real-name", violations)
    screenshot(page, "axe-supervisor-case-real-name")
    assert not [v for v in violations if v.impact in BLOCKING_IMPACTS], report


@pytest.mark.parametrize(
    ("name", "who", "viewport", "path"), PAGES, ids=[page[0] for page in PAGES]
)
def test_a_page_has_no_serious_or_critical_axe_violations(
    open_as: OpenAs,
    furnished: Furnished,
    name: str,
    who: str,
    viewport: dict[str, int],
    path: str,
) -> None:
    page = open_as(getattr(furnished, who), viewport=viewport)
    if path == "timeline":
        path = f"/sessions/{furnished.therapy_session.pk}/"
    elif path == "history":  # reached from the "History" link on the card
        page.goto(f"/sessions/{furnished.therapy_session.pk}/")
        page.locator(f"#rupture-{furnished.entry.pk}").get_by_role("link", name="History").click()
        path = f"/ruptures/{furnished.entry.pk}/history/"
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    violations = run_axe(page, name)
    report = axe_report(name, violations)
    print(report)  # shown with -s, and in the captured output of a failure
    screenshot(page, f"axe-{name}")
    blocking = [v for v in violations if v.impact in BLOCKING_IMPACTS]
    assert not blocking, report


def test_an_inline_form_opened_on_the_timeline_has_no_serious_or_critical_axe_violations(
    open_as: OpenAs, furnished: Furnished
) -> None:
    page = open_as(furnished.therapist)
    page.goto(f"/sessions/{furnished.therapy_session.pk}/")
    card = page.locator(f"#rupture-{furnished.flag.pk}")
    card.get_by_role("link", name="Add a repair step").click()
    expect(card.get_by_role("heading", name="Add a repair step")).to_be_visible()

    violations = run_axe(page, "therapist-timeline-inline-form")
    report = axe_report("therapist-timeline-inline-form", violations)
    print(report)
    blocking = [v for v in violations if v.impact in BLOCKING_IMPACTS]
    assert not blocking, report


def test_the_axe_check_itself_catches_a_violation_planted_in_a_real_page(
    open_as: OpenAs, furnished: Furnished
) -> None:
    # Guards the guard: a harness that silently checked nothing would pass every page.
    page = open_as(furnished.client, viewport=PHONE)
    page.goto("/flag/")
    page.evaluate(
        """() => {
        const img = document.createElement("img");
        img.src = "/static/css/rupturelog.css";
        img.id = "planted";
        document.querySelector("main").append(img);
    }"""
    )
    violations = run_axe(page, "planted-violation")
    assert any(v.id == "image-alt" and v.impact == "critical" for v in violations), axe_report(
        "planted-violation", violations
    )


def focused_is_inside(page: Page, selector: str) -> bool:
    return page.evaluate(
        "(selector) => !!document.querySelector(selector)?.contains(document.activeElement)",
        selector,
    )


def test_the_keyboard_reaches_add_a_repair_step_and_focus_lands_in_the_opened_form(
    open_as: OpenAs, furnished: Furnished
) -> None:
    page = open_as(furnished.therapist)
    page.goto(f"/sessions/{furnished.therapy_session.pk}/")
    card = page.locator(f"#rupture-{furnished.flag.pk}")
    link = card.get_by_role("link", name="Add a repair step")
    expect(link).to_be_visible()

    # Tab from the top of the page, as a keyboard user would, until the card's link has
    # focus. The page has a few dozen focusable things; 150 presses is a generous ceiling.
    page.locator("body").focus()
    for _ in range(150):
        page.keyboard.press("Tab")
        if link.evaluate("(el) => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the card's 'Add a repair step' link")
    expect(link).to_be_focused()

    page.keyboard.press("Enter")
    slot = f"#slot-{furnished.flag.pk}"
    heading = page.locator(slot).get_by_role("heading", name="Add a repair step")
    expect(heading).to_be_visible()
    # After the swap, focus moves to the form's heading (autofocus), so a screen reader
    # announces the form and the next Tab goes into it, not back to the top of the page.
    expect(heading).to_be_focused()
    assert focused_is_inside(page, slot)
    page.keyboard.press("Tab")
    assert focused_is_inside(page, f"{slot} form"), "the next Tab should enter the form"
    screenshot(page, "keyboard-inline-form-focus")


def test_the_timeline_and_the_inbox_badge_sit_in_polite_live_regions(
    open_as: OpenAs, furnished: Furnished
) -> None:
    page = open_as(furnished.client, viewport=PHONE)
    page.goto(f"/sessions/{furnished.therapy_session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("aria-live", "polite")
    badge_region = page.locator("[aria-live=polite]").filter(has=page.locator("#inbox-badge"))
    expect(badge_region).to_have_count(1)
