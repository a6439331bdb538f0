"""The session timeline costs the same number of SQL queries with 5 moments as with 300.

Every moment carries what a card shows: codes, a repair step, notes from the client, the
therapist (private) and the supervisor; some client flags are paired with the therapist's
entry; some moments have no minute; and a share of them sit open in the previous session, so
"Still open from earlier sessions" is exercised too. The counts are printed (run with -s) and
kept as JUnit properties.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from repairs.codes import AuthorRole, CodeKind, Family, Status, Visibility
from repairs.models import InboxItem, Note, RepairStep, Rupture, RuptureCode
from sessions.models import TherapySession
from tests import factories
from tests.conftest import Cast, build_cast
from tests.repairs.conftest import rolled_back_at_the_end

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 300
FAMILIES = [Family.WITHDRAWAL, Family.CONFRONTATION, Family.MIXED, Family.UNCLASSIFIED]


def add_moments(cast: Cast, current: TherapySession, earlier: TherapySession, n: int) -> None:
    """`n` moments in the sessions' case (one of client A's with therapist A), in bulk."""
    therapist, client, supervisor = cast.therapist_a, cast.client_a, cast.supervisor_a
    start = Rupture.objects.count()
    now = timezone.now()
    ruptures = []
    for i in range(start, start + n):
        by_client = i % 3 == 0
        in_earlier = i % 4 == 1  # open in the session before: "carried over"
        ruptures.append(
            Rupture(
                case=current.case,
                therapy_session=earlier if in_earlier else current,
                author=client if by_client else therapist,
                author_role=AuthorRole.CLIENT if by_client else AuthorRole.THERAPIST,
                minute=None if i % 6 == 0 else (i * 7) % 50,
                account=f"Moment {i}",
                intensity=1 + i % 5,
                family=Family.UNCLASSIFIED if by_client else FAMILIES[i % 3],
                status=Status.OPEN if in_earlier or i % 2 else Status.RESOLVED,
                visibility=Visibility.SHARED,
                shared_at=now,
            )
        )
    ruptures = Rupture.objects.bulk_create(ruptures)
    codes, steps, notes = [], [], []
    for rupture in ruptures:
        if rupture.author_role == AuthorRole.CLIENT:
            codes.append(RuptureCode(rupture=rupture, kind=CodeKind.FEELING, code="unheard"))
        else:
            codes.append(RuptureCode(rupture=rupture, kind=CodeKind.MARKER, code="denial"))
            codes.append(RuptureCode(rupture=rupture, kind=CodeKind.CAUSE, code="other"))
        steps.append(
            RepairStep(
                rupture=rupture,
                author=therapist,
                therapy_session=current,
                position=1,
                initiated_by="therapist",
                strategy="clarify",
                outcome="helped",
                description=f"Step on {rupture.account}",
            )
        )
        for author, role, visibility in (
            (client, AuthorRole.CLIENT, Visibility.SHARED),
            (therapist, AuthorRole.THERAPIST, Visibility.PRIVATE),
            (supervisor, AuthorRole.SUPERVISOR, Visibility.SHARED),
        ):
            notes.append(
                Note(
                    rupture=rupture,
                    author=author,
                    author_role=role,
                    body=f"Note on {rupture.account}",
                    visibility=visibility,
                )
            )
    RuptureCode.objects.bulk_create(codes)
    RepairStep.objects.bulk_create(steps)
    Note.objects.bulk_create(notes)
    # Pair each client flag with the therapist's next entry in the same session.
    paired = []
    for flag, entry in pairwise(ruptures):
        if (
            flag.author_role == AuthorRole.CLIENT
            and entry.author_role == AuthorRole.THERAPIST
            and flag.therapy_session_id == entry.therapy_session_id
        ):
            flag.counterpart, entry.counterpart = entry, flag
            paired += [flag, entry]
    Rupture.objects.bulk_update(paired, ["counterpart"])
    InboxItem.objects.bulk_create(
        InboxItem(
            recipient=therapist,
            kind="client_flag",
            case=current.case,
            therapy_session=current,
            rupture=rupture,
        )
        for rupture in ruptures
        if rupture.author_role == AuthorRole.CLIENT
    )


@dataclass
class Timelines:
    cast: Cast
    few: TherapySession  # the current session of a case with FEW moments
    many: TherapySession  # the current session of a case with MANY moments


def _timeline(cast: Cast, n: int) -> TherapySession:
    """A case of client A with therapist A: an earlier session, the current one (yesterday,
    answered by both), a next one; `n` moments between the first two."""
    case = factories.make_case(cast.client_a, cast.therapist_a)
    earlier = factories.make_session(case)
    current = factories.make_session(case, starts_at=timezone.now() - timedelta(days=1))
    factories.make_session(case)
    factories.make_check_in(current, cast.client_a)
    factories.make_check_in(current, cast.therapist_a, intensity=2)
    add_moments(cast, current, earlier, n)
    return current


@pytest.fixture(scope="module")
def timelines(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Timelines]:
    """Built once for the module (rendering 300 cards is the slow part, not the data), in a
    transaction rolled back at the end; the tests only read."""
    with rolled_back_at_the_end(django_db_blocker):
        cast = build_cast()
        yield Timelines(cast, few=_timeline(cast, FEW), many=_timeline(cast, MANY))


def count_queries(client: Client, url: str, **headers: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured), response.content.decode()


VIEWS = {
    "full-page": {},
    "timeline-live": {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline-live"},
    "timeline-bar": {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline-bar"},
}


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("persona", ["therapist_a", "client_a", "supervisor_a"])
def test_the_timeline_costs_the_same_queries_for_5_and_300_moments(
    db: None,
    timelines: Timelines,
    persona: str,
    view: str,
    record_property: Callable[[str, object], None],
) -> None:
    client = timelines.cast.client_for(persona)
    few_url = reverse("session_detail", args=[timelines.few.pk])
    many_url = reverse("session_detail", args=[timelines.many.pk])
    client.get(few_url, **VIEWS[view])  # warm up: per-process caches are not the page's cost

    few, few_page = count_queries(client, few_url, **VIEWS[view])
    many, many_page = count_queries(client, many_url, **VIEWS[view])

    record_property(f"queries_{FEW}", few)
    record_property(f"queries_{MANY}", many)
    print(f"\ntimeline {view} as {persona}: {few} queries with {FEW}, {many} with {MANY}")
    assert few == many
    # The pages really differ in size: every card, and those carried over, are rendered.
    if view == "timeline-bar":
        assert many_page.count('class="mark ') > few_page.count('class="mark ')
    else:
        assert many_page.count('class="card rupture') > few_page.count('class="card rupture')
        assert "Still open from earlier sessions" in many_page
