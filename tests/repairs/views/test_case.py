"""A supervisor asking for a client's real name: shown once, with a reason, logged as such."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rupturelog.audit.models import AccessEvent, Action
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _reveal(cast: Cast, persona: str, case, reason: str = "safeguarding", **headers):
    client = cast.client_for(persona)
    return client.post(reverse("reveal_name", args=[case.pk]), {"reason": reason}, **headers)


def test_the_case_page_shows_a_supervisor_the_pseudonym_and_offers_the_name(cast: Cast) -> None:
    page = cast.client_for("supervisor_a").get(reverse("case_detail", args=[cast.case_a.pk]))
    html = page.content.decode()
    assert cast.client_a.pseudonym in html
    assert cast.client_a.display_name not in html
    assert "Show the client's real name" in html


@pytest.mark.parametrize("persona", ["therapist_a", "client_a"])
def test_the_care_team_sees_the_name_and_is_not_offered_a_reveal(cast: Cast, persona) -> None:
    page = cast.client_for(persona).get(reverse("case_detail", args=[cast.case_a.pk]))
    assert "real name" not in page.content.decode()


def test_a_reveal_shows_the_name_and_logs_who_why_and_which_case(cast: Cast) -> None:
    response = _reveal(cast, "supervisor_a", cast.case_a, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    assert cast.client_a.display_name in response.content.decode()
    event = AccessEvent.objects.get(action=Action.REVEAL)
    assert (event.user, event.role, event.page) == (cast.supervisor_a, "supervisor", "reveal_name")
    assert (event.case_id, event.object_type, event.object_id) == (
        cast.case_a.pk,
        "case",
        cast.case_a.pk,
    )
    assert (event.reason, event.ip) == ("safeguarding", "10.9.8.7")
    # The name itself is never stored in the log.
    stored = " ".join(str(v) for v in AccessEvent.objects.values().get(pk=event.pk).values())
    assert cast.client_a.display_name not in stored


def test_an_htmx_reveal_answers_with_the_name_region_only(cast: Cast) -> None:
    response = _reveal(cast, "supervisor_a", cast.case_a, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="real-name"')
    assert cast.client_a.display_name in html
    assert "<html" not in html


@pytest.mark.parametrize("reason", ["", "curiosity", "x" * 10_000, "safeguarding\x00"])
def test_a_reveal_without_a_valid_reason_shows_nothing_and_logs_no_reveal(cast, reason) -> None:
    response = _reveal(cast, "supervisor_a", cast.case_a, reason=reason)
    assert response.status_code == 400
    html = response.content.decode()
    assert cast.client_a.display_name not in html
    assert "Choose" in html
    assert not AccessEvent.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.parametrize(
    ("persona", "case_name"),
    [
        ("supervisor_b", "case_a"),  # not their supervisee's case
        ("supervisor_a", "case_b"),
        ("therapist_a", "case_a"),  # already sees the name: nothing to reveal
        ("therapist_b", "case_a"),
        ("client_a", "case_a"),
        ("client_b", "case_a"),
        ("admin", "case_a"),
    ],
)
def test_the_wrong_person_gets_a_404_and_no_name(cast: Cast, persona, case_name) -> None:
    case = getattr(cast, case_name)
    response = _reveal(cast, persona, case)
    assert response.status_code == 404
    assert case.client.display_name not in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.REVEAL).exists()


def test_a_reveal_is_post_only(cast: Cast) -> None:
    client = cast.client_for("supervisor_a")
    assert client.get(reverse("reveal_name", args=[cast.case_a.pk])).status_code == 405


def test_the_client_sees_that_their_name_was_revealed_and_why(cast: Cast) -> None:
    _reveal(cast, "supervisor_a", cast.case_a, reason="handover")
    page = cast.client_for("client_a").get(reverse("record_access")).content.decode()
    assert "Saw your real name" in page
    assert "the case is being handed over" in page
    assert cast.supervisor_a.display_name in page
    other = cast.client_for("client_b").get(reverse("record_access")).content.decode()
    assert "real name" not in other
