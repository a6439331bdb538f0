"""The review page, the patterns page and the drill-down cost the same number of SQL queries
for the hand-computed practice and for one three times its size (three copies of cases A-D:
3x the sessions, ruptures, repair steps, check-ins, codings and alerts). The counts are
printed (run with -s) and kept as JUnit properties."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.repairs.review.practice import RANGE, Practice, build_caseload

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str) -> tuple[int, str]:
    client.get(url)  # warm up: anything cached per process is not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


PAGES = [
    # (page, viewer, parameters, what the small and the big page say)
    ("review", "supervisor", {}, (">14 ruptures</a> in 8 sessions", ">42 ruptures</a> in 24")),
    ("review", "supervisor", {"matrix": "marker", "unreviewed": "1"}, (">12 ", ">36 ")),
    ("patterns", "t1", {}, (">8 ruptures</a> in 5 sessions", ">24 ruptures</a> in 15")),
    ("review_ruptures", "supervisor", {}, ("14 ruptures, ", "42 ruptures, ")),
    ("review_ruptures", "supervisor", {"seen": "both", "month": "2025-03"}, ("1 r", "3 r")),
    ("review_ruptures", "t1", {"strategy": "clarify"}, ("3 ruptures, ", "9 ruptures, ")),
]


@pytest.mark.parametrize(
    ("page", "viewer", "params", "says"),
    PAGES,
    ids=[f"{p}-{v}-{urlencode(q) or 'plain'}" for p, v, q, _ in PAGES],
)
def test_the_page_costs_the_same_for_the_practice_and_three_times_it(
    practice: Practice,
    record_property: Callable[[str, object], None],
    page: str,
    viewer: str,
    params: dict[str, str],
    says: tuple[str, str],
) -> None:
    user = practice.supervisor if viewer == "supervisor" else practice.people.t1
    client = practice.login(user)
    url = reverse(page) + "?" + urlencode({**RANGE, **params})
    small, small_page = queries_for(client, url)
    for copy in (1, 2):
        build_caseload(practice.people, copy)
    big, big_page = queries_for(client, url)
    assert says[0] in small_page
    assert says[1] in big_page
    label = f"{page} as {viewer} {urlencode(params)}".strip()
    record_property(f"queries[{label}]", f"{small} small, {big} at 3x")
    print(f"\n{label}: {small} queries for the practice, {big} at three times its size")
    assert small == big
