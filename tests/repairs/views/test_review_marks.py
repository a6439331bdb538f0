"""The supervisor's marks on one rupture: "reviewed" (idempotent, undoable, feeding the
review's unreviewed filter) and an independent, blind coding of its family and markers
(feeding percent agreement and Cohen's kappa)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from repairs import review
from repairs.codes import Family, Marker
from repairs.models import RuptureReview, SupervisorCoding
from tests import factories
from tests.repairs.review.practice import Practice

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def reviewed_by(practice: Practice, name: str) -> int:
    return RuptureReview.objects.filter(
        rupture=practice.r[name], supervisor=practice.supervisor
    ).count()


# --- Reviewed ---------------------------------------------------------------------------


def test_marking_reviewed_is_idempotent_and_undoable(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    url = reverse("reviewed", args=[practice.r["R3"].pk])
    timeline = practice.r["R3"].get_absolute_url()
    for _ in range(2):  # twice: still one mark
        response = client.post(url)
        assert (response.status_code, response["Location"]) == (303, timeline)
        assert reviewed_by(practice, "R3") == 1
    for _ in range(2):  # undo twice: gone, and no error the second time
        assert client.post(url, {"undo": "1"}).status_code == 303
        assert reviewed_by(practice, "R3") == 0


def test_the_reviewed_mark_feeds_the_unreviewed_filter(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    scope = practice.scope(unreviewed_only=True)
    assert review.rates_by_therapist(practice.supervisor, scope)[1].ruptures == 12
    client.post(reverse("reviewed", args=[practice.r["R3"].pk]))
    assert review.rates_by_therapist(practice.supervisor, scope)[1].ruptures == 11
    client.post(reverse("reviewed", args=[practice.r["R1"].pk]), {"undo": "1"})
    assert review.rates_by_therapist(practice.supervisor, scope)[1].ruptures == 12


def test_marking_reviewed_in_place_returns_the_card(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    rupture = practice.r["R4"]
    response = client.post(reverse("reviewed", args=[rupture.pk]), **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="rupture-{rupture.pk}"' in page
    assert "Undo reviewed" in page
    response = client.post(reverse("reviewed", args=[rupture.pk]), {"undo": "1"}, **HTMX)
    assert "Mark reviewed" in response.content.decode()


def test_one_supervisors_mark_is_not_anothers(practice: Practice) -> None:
    rhea = practice.people.other_supervisor
    practice.login(rhea).post(reverse("reviewed", args=[practice.r["R4"].pk]))
    assert reviewed_by(practice, "R4") == 0
    assert RuptureReview.objects.filter(rupture=practice.r["R4"], supervisor=rhea).count() == 1


@pytest.mark.parametrize(
    ("who", "rupture"),
    [
        ("Sabine", "D1"),  # T3's: not hers to see
        ("Sabine", "draft"),  # a client's private draft
        ("Sabine", "withdrawn"),
        ("Rhea", "R9"),  # T2's: Rhea supervises T1 and T3 only
        ("T1", "R1"),  # only supervisors mark
        ("client", "R1"),
    ],
)
@pytest.mark.parametrize("view", ["reviewed", "coding"])
def test_marks_outside_a_supervisors_scope_are_404(
    practice: Practice, who: str, rupture: str, view: str
) -> None:
    people = practice.people
    user = {
        "Sabine": people.supervisor,
        "Rhea": people.other_supervisor,
        "T1": people.t1,
        "client": practice.load.clients["A"],
    }[who]
    client = practice.login(user)
    url = reverse(view, args=[practice.r[rupture].pk])
    assert client.post(url, {"family": Family.MIXED}).status_code == 404
    assert client.get(url).status_code == (404 if view == "coding" else 405)
    assert not RuptureReview.objects.filter(supervisor=user, rupture=practice.r[rupture]).exists()
    assert not SupervisorCoding.objects.filter(
        supervisor=user, rupture=practice.r[rupture]
    ).exists()


# --- Coding -----------------------------------------------------------------------------


def checked(page: str) -> set[str]:
    """The values of the ticked radios and checkboxes."""
    inputs = re.findall(r"<input [^>]*>", page)
    return {
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs
        if " checked" in tag and 'type="hidden"' not in tag
    }


def test_the_coding_form_is_blind_to_the_therapists_codes(practice: Practice) -> None:
    # A fresh entry that only the therapist has coded: confrontation, two markers.
    session = practice.load.sessions["A4"]
    fresh = factories.make_rupture(
        session, practice.people.t1, family=Family.CONFRONTATION, account="FRESH-ACCOUNT"
    )
    factories.add_codes(fresh, marker=["complains_therapist", "defends_self"])
    response = practice.login(practice.supervisor).get(reverse("coding", args=[fresh.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "FRESH-ACCOUNT" in page  # she codes from the account
    assert checked(page) == set()  # nothing of the therapist's choice is pre-ticked
    assert "Moving against" in page  # offered as one choice among all, not as theirs
    for family in Family:
        assert f'value="{family.value}"' in page


def test_the_coding_form_saves_and_then_updates_the_supervisors_own_coding(
    practice: Practice,
) -> None:
    client = practice.login(practice.supervisor)
    rupture = practice.r["R6"]  # the therapist: confrontation; Sabine: confrontation
    url = reverse("coding", args=[rupture.pk])
    assert checked(client.get(url).content.decode()) == {Family.CONFRONTATION}
    response = client.post(
        url, {"family": Family.MIXED, "markers": [Marker.PRESSURES_THERAPIST, Marker.DENIAL]}
    )
    assert (response.status_code, response["Location"]) == (303, rupture.get_absolute_url())
    coding = SupervisorCoding.objects.get(rupture=rupture, supervisor=practice.supervisor)
    assert (coding.family, coding.markers) == (Family.MIXED, ["denial", "pressures_therapist"])
    # Her own coding is what the form shows next time.
    assert checked(client.get(url).content.decode()) == {
        Family.MIXED,
        Marker.DENIAL,
        Marker.PRESSURES_THERAPIST,
    }
    client.post(url, {"family": Family.WITHDRAWAL})
    coding = SupervisorCoding.objects.get(rupture=rupture, supervisor=practice.supervisor)
    assert (coding.family, coding.markers) == (Family.WITHDRAWAL, [])
    # Still one row for the pair (rupture, Sabine).
    assert SupervisorCoding.objects.filter(rupture=rupture).count() == 1


def test_a_bad_coding_shows_an_error_and_changes_nothing(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    rupture = practice.r["R6"]
    for data in ({"family": "furious"}, {}, {"family": Family.MIXED, "markers": ["nonsense"]}):
        response = client.post(reverse("coding", args=[rupture.pk]), data)
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    coding = SupervisorCoding.objects.get(rupture=rupture, supervisor=practice.supervisor)
    assert coding.family == Family.CONFRONTATION


def test_a_new_coding_changes_the_agreement_figures(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    # Sabine recodes R4 (therapist W) from C to W: T1 agrees on 4 of 5.
    client.post(reverse("coding", args=[practice.r["R4"].pk]), {"family": Family.WITHDRAWAL})
    t1 = review.coding_agreement(practice.supervisor, practice.scope())[0]
    # (therapist, Sabine): W/W 2, C/C 2, M/W 1. po = 4/5 = 0.8.
    # Therapist W 2, C 2, M 1; Sabine W 3, C 2, M 0.
    # pe = (2/5)(3/5) + (2/5)(2/5) + (1/5)(0) = 6/25 + 4/25 = 0.4
    # kappa = (0.8 - 0.4) / (1 - 0.4) = 2/3
    assert (t1["count"], t1["agreement"]) == (5, 0.8)
    assert t1["kappa"] == pytest.approx(2 / 3)
    # A first coding adds to the count: a fresh T2 entry in range (therapist M, Sabine M).
    fresh = factories.make_rupture(
        practice.load.sessions["C2"], practice.people.t2, family=Family.MIXED
    )
    client.post(reverse("coding", args=[fresh.pk]), {"family": Family.MIXED})
    t2 = review.coding_agreement(practice.supervisor, practice.scope())[1]
    # T2: W/W 2, C/C 1, M/M 1: po = 1; pe = (2/4)^2 + (1/4)^2 + (1/4)^2 = 6/16; kappa = 1.
    assert (t2["count"], t2["agreement"]) == (4, 1.0)
    assert t2["kappa"] == pytest.approx(1.0)
