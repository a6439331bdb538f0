"""A client never sees therapist-private or supervision text, nor the clinical codes.

Unique strings are seeded into a therapist's private entry, a therapist's private note and a
supervisor's note (in the session and in an earlier one still open); then every page,
partial and form the client can open is fetched, and none of them may contain one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from repairs import access
from repairs.codes import Family, Visibility
from repairs.models import Rupture
from sessions.models import TherapySession
from tests import factories
from tests.repairs.conftest import HTMX, World, text

pytestmark = pytest.mark.django_db

PRIVATE_ENTRY = "ZQ-PRIVATE-ENTRY-4411"
PRIVATE_NOTE = "ZQ-PRIVATE-NOTE-4412"
SUPERVISION = "ZQ-SUPERVISOR-NOTE-4413"
PRIVATE_ENTRY_EARLIER = "ZQ-PRIVATE-EARLIER-4414"
SUPERVISION_EARLIER = "ZQ-SUPERVISOR-EARLIER-4415"
SECRETS = (PRIVATE_ENTRY, PRIVATE_NOTE, SUPERVISION, PRIVATE_ENTRY_EARLIER, SUPERVISION_EARLIER)

# Code labels are for clinicians; a client describes a moment in their own words.
CODE_LABELS = (
    "Minimal answers",
    "Rejects a suggestion",
    "An expectation was not met",
    "Moving away",
    "Moving against",
    "Not classified yet",
    "Clears up a misunderstanding",
)


@dataclass
class Seeded:
    world: World
    current: TherapySession  # the session the client looks at (session 2, yesterday)


@pytest.fixture
def seeded(world: World) -> Seeded:
    cast = world.cast
    therapist, client, supervisor = cast.therapist_a, cast.client_a, cast.supervisor_a
    current = world.later_session
    current.starts_at = timezone.now() - timedelta(days=1)
    current.save()

    # In the earlier session (still open, so carried over onto session 2).
    earlier_private = factories.make_rupture(
        cast.session_a, therapist, account=PRIVATE_ENTRY_EARLIER, visibility=Visibility.PRIVATE
    )
    factories.add_codes(earlier_private, marker=["rejects_intervention"])
    factories.make_note(world.entry, supervisor, SUPERVISION_EARLIER)
    factories.add_codes(world.entry, marker=["rejects_intervention"])
    Rupture.objects.filter(pk=world.entry.pk).update(family=Family.MIXED)

    # In the current session.
    shared = factories.make_rupture(
        current, therapist, account="We both noticed the silence.", family=Family.WITHDRAWAL
    )
    factories.add_codes(shared, marker=["minimal_response"], cause=["unmet_expectation"])
    factories.make_step(shared, therapist)
    factories.make_note(shared, therapist, PRIVATE_NOTE, visibility=Visibility.PRIVATE)
    factories.make_note(shared, supervisor, SUPERVISION)
    factories.make_note(shared, client, "I noticed it too.")
    private = factories.make_rupture(
        current, therapist, account=PRIVATE_ENTRY, visibility=Visibility.PRIVATE, minute=None
    )
    factories.add_codes(private, marker=["minimal_response"])
    # A client flag paired with the therapist's private entry: the flag stays the client's,
    # the entry stays private.
    flag = factories.make_rupture(current, client, account="It felt cold.", minute=12)
    Rupture.objects.filter(pk=flag.pk).update(counterpart=private)
    Rupture.objects.filter(pk=private.pk).update(counterpart=flag)
    factories.make_note(flag, therapist, PRIVATE_NOTE, visibility=Visibility.PRIVATE)
    factories.make_note(flag, supervisor, SUPERVISION)
    return Seeded(world=world, current=current)


def client_pages(seeded: Seeded) -> list[tuple[str, dict[str, str]]]:
    """Every page, partial and form client A can open, with the headers to ask for it."""
    world = seeded.world
    cast = world.cast
    user = cast.client_a
    both = ({}, HTMX)
    pages: list[tuple[str, dict[str, str]]] = [
        (reverse("home"), {}),
        (reverse("case_detail", args=[cast.case_a.pk]), {}),
        (reverse("flag_new"), {}),
        (reverse("flag_new") + f"?session={seeded.current.pk}", {}),
        (reverse("inbox_badge"), HTMX),
        (reverse("check_in", args=[seeded.current.pk]), {}),
    ]
    for therapy_session in (cast.session_a, seeded.current):
        url = reverse("session_detail", args=[therapy_session.pk])
        pages += [
            (url, {}),
            (url, {**HTMX, "HTTP_HX_TARGET": "timeline-live"}),
            (url, {**HTMX, "HTTP_HX_TARGET": "timeline-bar"}),
            (reverse("session_changes", args=[therapy_session.pk]), HTMX),
        ]
    for rupture in access.ruptures_for(user):
        pages.append((reverse("rupture_card", args=[rupture.pk]), HTMX))
        pages += [(reverse("note_new", args=[rupture.pk]), h) for h in both]
        if rupture.author_id == user.pk:
            pages += [(reverse("rupture_edit", args=[rupture.pk]), h) for h in both]
        elif rupture.visibility == Visibility.SHARED:
            pages += [(reverse("client_view", args=[rupture.pk]), h) for h in both]
    for note in access.notes_for(user).filter(author_id=user.pk):
        pages += [(reverse("note_edit", args=[note.pk]), h) for h in both]
    return pages


def fetch_all(client: Client, pages: list[tuple[str, dict[str, str]]]) -> str:
    seen = []
    for url, headers in pages:
        response = client.get(url, **headers)
        assert response.status_code in (200, 204), f"GET {url} {headers}: {response.status_code}"
        seen.append(text(response))
    return "\n".join(seen)


def test_the_seeded_secrets_are_there_for_the_therapist(seeded: Seeded) -> None:
    # The control: the strings are on the therapist's pages, so their absence below means
    # something.
    client = seeded.world.login("therapist_a")
    page = text(client.get(reverse("session_detail", args=[seeded.current.pk])))
    for secret in SECRETS:
        assert secret in page
    for label in ("Minimal answers", "Rejects a suggestion", "Moving away"):
        assert label in page


def test_no_private_or_supervision_text_reaches_any_client_page(seeded: Seeded) -> None:
    pages = client_pages(seeded)
    assert len(pages) > 30
    seen = fetch_all(seeded.world.login("client_a"), pages)
    for secret in SECRETS:
        assert secret not in seen


def test_client_pages_show_no_code_or_family_labels(seeded: Seeded) -> None:
    seen = fetch_all(seeded.world.login("client_a"), client_pages(seeded))
    for label in CODE_LABELS:
        assert label not in seen, label
    assert "felt rushed" in seen  # the client's own feeling words do show


def test_the_client_card_does_not_point_at_a_private_counterpart(seeded: Seeded) -> None:
    flag = Rupture.objects.get(account="It felt cold.")
    card = text(seeded.world.login("client_a", **HTMX).get(reverse("rupture_card", args=[flag.pk])))
    assert "Seen by both" not in card
    assert f'#rupture-{flag.counterpart_id}"' not in card
