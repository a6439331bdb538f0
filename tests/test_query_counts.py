"""Every page costs a fixed number of SQL queries, however much data is behind it.

Each page is measured once with one child (case, session or rupture, each with its steps,
notes, codes and check-ins) and again with twenty; the counts must be equal. The counts are
printed (run with -s to see them) and kept as test properties in JUnit XML.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from repairs.codes import InboxKind, Visibility
from repairs.models import InboxItem, Rupture
from sessions.models import Case, TherapySession
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

FEW, MANY = 1, 20


def add_moment(therapy_session: TherapySession) -> Rupture:
    """One moment seen from both sides: the therapist's entry with codes, a repair step and
    a note from each person, joined to the client's flag (feelings, a private note), and an
    unread inbox item for each of them.
    """
    case = therapy_session.case
    entry = factories.make_full_rupture(therapy_session)
    factories.make_note(entry, case.therapist, "For supervision.", visibility=Visibility.PRIVATE)
    for supervision in case.therapist.supervised_by.all():
        factories.make_note(entry, supervision.supervisor, "Worth exploring.")
    flag = factories.make_rupture(therapy_session, case.client, counterpart=entry, minute=None)
    factories.add_codes(flag, feeling=["unheard", "rushed"])
    factories.make_note(flag, case.client, "Just for me.", visibility=Visibility.PRIVATE)
    Rupture.objects.filter(pk=entry.pk).update(counterpart=flag)
    # Each side's inbox hears about the other's report.
    for recipient, kind, rupture in (
        (case.therapist, InboxKind.CLIENT_FLAG, flag),
        (case.client, InboxKind.SHARED_ENTRY, entry),
    ):
        InboxItem.objects.create(
            recipient=recipient,
            kind=kind,
            case=case,
            therapy_session=therapy_session,
            rupture=rupture,
        )
    return entry


def add_session(case: Case) -> TherapySession:
    """A session with a moment and both sides' check-ins."""
    therapy_session = factories.make_session(case)
    add_moment(therapy_session)
    factories.make_check_in(therapy_session, case.client)
    factories.make_check_in(therapy_session, case.therapist, intensity=2)
    return therapy_session


def queries_for(client: Client, url: str) -> tuple[int, bytes]:
    """How many queries the page costs, and the page."""
    client.get(url)  # warm up: anything cached per process is not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content


def assert_constant(
    record_property: Callable[[str, object], None],
    page: str,
    client: Client,
    url: str,
    grow: Callable[[], object],
) -> None:
    few, few_page = queries_for(client, url)
    for _ in range(MANY - FEW):
        grow()
    many, many_page = queries_for(client, url)
    assert len(many_page) > len(few_page), f"{page} does not show the added children"
    record_property(f"queries[{page}]", f"{few} with {FEW}, {many} with {MANY}")
    print(f"\n{page}: {few} queries with {FEW} child, {many} with {MANY}")
    assert few == many, f"{page}: {few} queries with {FEW} child but {many} with {MANY}"


@pytest.mark.parametrize("role", ["therapist", "supervisor"])
def test_caseload_home_costs_the_same_for_1_and_20_cases(db, record_property, role: str) -> None:
    therapist = factories.make_therapist()
    supervisor = factories.make_supervisor(therapist)

    def add_case() -> None:
        add_session(factories.make_case(factories.make_client(), therapist))

    add_case()
    client = Client()
    client.force_login(therapist if role == "therapist" else supervisor)
    assert_constant(record_property, f"home as {role}", client, reverse("home"), add_case)


def test_client_home_costs_the_same_for_1_and_20_sessions(cast: Cast, record_property) -> None:
    TherapySession.objects.filter(pk=cast.session_a.pk).delete()
    add_session(cast.case_a)
    assert_constant(
        record_property,
        "home as client_a",
        cast.client_for("client_a"),
        reverse("home"),
        lambda: add_session(cast.case_a),
    )


@pytest.mark.parametrize("persona", ["client_a", "therapist_a", "supervisor_a"])
def test_case_page_costs_the_same_for_1_and_20_sessions(
    cast: Cast, record_property, persona: str
) -> None:
    TherapySession.objects.filter(pk=cast.session_a.pk).delete()
    add_session(cast.case_a)
    assert_constant(
        record_property,
        f"case page as {persona}",
        cast.client_for(persona),
        cast.case_a.get_absolute_url(),
        lambda: add_session(cast.case_a),
    )


@pytest.mark.parametrize("persona", ["client_a", "therapist_a", "supervisor_a"])
def test_session_page_costs_the_same_for_1_and_20_moments_and_carried_over_moments(
    cast: Cast, record_property, persona: str
) -> None:
    # Neighbours, so the previous/next links are part of the measured page; the earlier
    # session's moments are still open, so they are carried over onto this page too.
    before, current = cast.session_a, add_session(cast.case_a)
    add_session(cast.case_a)
    add_moment(before)
    assert before.number < current.number

    def grow() -> None:
        add_moment(current)
        add_moment(before)

    assert_constant(
        record_property,
        f"session page as {persona}",
        cast.client_for(persona),
        current.get_absolute_url(),
        grow,
    )
