"""A card offers exactly the actions its viewer may take: every link, `hx-get` and form on a
timeline card is accepted for the persona it was shown to, and every action the card does
not offer them is refused. Both sides come from the same `may_*` predicates
(repairs/access.py), so this keeps the views and the presenter (repairs/cards.py) in step.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from repairs.codes import Visibility
from repairs.models import Rupture
from repairs.services import rupture_link
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

VIEWERS = ("client_a", "therapist_a", "supervisor_a")
# URL names of the actions on one moment, its steps and its notes (the card's own URL, a
# refresh, is not an action), and which of them take only POST.
RUPTURE_ACTIONS = (
    "rupture_edit",
    "rupture_share",
    "rupture_withdraw",
    "rupture_status",
    "rupture_link",
    "client_view",
    "step_new",
    "note_new",
    "rupture_history",
    "reviewed",
    "coding",
)
STEP_ACTIONS = ("step_edit", "step_withdraw")
NOTE_ACTIONS = ("note_edit", "note_withdraw")
POST_ONLY = {"rupture_share", "rupture_withdraw", "step_withdraw", "note_withdraw", "reviewed"}


class CardActions(HTMLParser):
    """(method, path) of every link, hx-get and form inside the page's rupture cards, with
    a form's hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside how many <article class="card rupture">
        self.actions: dict[tuple[str, str], dict[str, str]] = {}
        self.form: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "article" and "rupture" in attr.get("class", "").split():
            self.depth += 1
        if not self.depth:
            return
        for name in ("href", "hx-get"):
            if attr.get(name) and not attr[name].startswith("#"):
                self.actions.setdefault(("get", attr[name].split("#")[0]), {})
        if tag == "form":
            self.form = ("post", attr["action"])
            self.actions[self.form] = {}
        elif tag == "input" and self.form and attr.get("type") == "hidden":
            self.actions[self.form][attr["name"]] = attr.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "article" and self.depth:
            self.depth -= 1


@pytest.fixture
def timeline(cast: Cast) -> Cast:
    """Case A's first session with a moment of every kind a card can be about."""
    s, client, therapist = cast.session_a, cast.client_a, cast.therapist_a
    flag = factories.make_rupture(s, client, minute=5)
    factories.make_note(flag, client, "I felt rushed.")
    factories.make_note(flag, therapist, "Thank you for saying so.")
    factories.make_rupture(s, client, minute=8, visibility=Visibility.PRIVATE)
    entry = factories.make_full_rupture(s, minute=12)
    factories.make_note(entry, cast.supervisor_a, "Worth exploring in supervision.")
    factories.make_rupture(s, therapist, minute=30, visibility=Visibility.PRIVATE)
    linked_flag = factories.make_rupture(s, client, minute=40)
    linked_entry = factories.make_rupture(s, therapist, minute=41)
    rupture_link(linked_flag, linked_entry)
    return cast


def _offered(client: Client, cast: Cast) -> dict[tuple[str, str], dict[str, str]]:
    response = client.get(reverse("session_detail", args=[cast.session_a.pk]))
    assert response.status_code == 200
    parser = CardActions()
    parser.feed(response.content.decode())
    return parser.actions


def _send(client: Client, method: str, url: str, data: dict[str, str]) -> int:
    """The request's status, with whatever it changed rolled back for the next one."""
    with transaction.atomic():
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        transaction.set_rollback(True)
    return response.status_code


def _candidates(cast: Cast) -> set[tuple[str, str]]:
    """Every action a card could offer, on every moment, step and note of the session."""
    found = set()
    for rupture in Rupture.objects.filter(therapy_session=cast.session_a):
        for name in RUPTURE_ACTIONS:
            found.add(("post" if name in POST_ONLY else "get", reverse(name, args=[rupture.pk])))
        log = reverse("rupture_new", args=[rupture.therapy_session_id])
        found.add(("get", f"{log}?view_of={rupture.pk}"))
        for step in rupture.repair_steps.all():
            for name in STEP_ACTIONS:
                found.add(("post" if name in POST_ONLY else "get", reverse(name, args=[step.pk])))
        for note in rupture.notes.all():
            for name in NOTE_ACTIONS:
                found.add(("post" if name in POST_ONLY else "get", reverse(name, args=[note.pk])))
    return found


@pytest.mark.parametrize("persona", VIEWERS)
def test_every_action_a_card_offers_is_accepted(timeline: Cast, persona: str) -> None:
    client = timeline.client_for(persona)
    offered = _offered(client, timeline)
    assert offered, "the cards offered nothing at all"

    refused = {
        (method, url): status
        for (method, url), data in offered.items()
        if (status := _send(client, method, url, data)) >= 400
    }
    assert refused == {}


@pytest.mark.parametrize("persona", VIEWERS)
def test_every_action_a_card_does_not_offer_is_refused(timeline: Cast, persona: str) -> None:
    client = timeline.client_for(persona)
    offered = {(method, url) for method, url in _offered(client, timeline)}
    not_offered = _candidates(timeline) - offered
    assert not_offered, "every possible action was offered: the check would prove nothing"

    accepted = {
        (method, url): status
        for method, url in sorted(not_offered)
        if (status := _send(client, method, url, {"version": "1"})) != 404
    }
    assert accepted == {}


def test_the_parser_reads_links_hx_gets_and_forms_inside_cards_only() -> None:
    parser = CardActions()
    parser.feed(
        '<a href="/outside/">x</a><article class="card rupture"><a href="/a/" hx-get="/b/">'
        '</a><form method="post" action="/c/"><input type="hidden" name="version" value="3">'
        '</form><a href="#slot">x</a></article>'
    )
    assert parser.actions == {
        ("get", "/a/"): {},
        ("get", "/b/"): {},
        ("post", "/c/"): {"version": "3"},
    }
    assert urlsplit("/a/").path == "/a/"
