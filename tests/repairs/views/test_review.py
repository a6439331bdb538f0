"""The review page, the therapist's patterns page and the drill-down pages: the hand-computed
numbers on the page, filters that refuse bad input without a 500, every drill-down link
listing exactly the ruptures its figure counts, and who may see whose data.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from repairs import review
from rupturelog.accounts.models import User
from tests import factories
from tests.repairs.review.practice import CLIENT_NAMES, RANGE, Practice

pytestmark = pytest.mark.django_db

LINK = re.compile(
    r'<a href="(/review/ruptures/\?[^"]*)">([^<]*)</a>\s*'
    r'(?:<span class="(?:meta|n)">\(([^)]*)\)</span>)?'
)
COUNT = re.compile(r'<p class="meta">(\d+) ruptures?, ')
ROW_LINK = re.compile(r'href="/sessions/(\d+)/#rupture-(\d+)"')


def get(client: Client, name: str, **params: str | list[str]) -> str:
    response = client.get(reverse(name) + "?" + urlencode(params, doseq=True))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading: str) -> str:
    """One <section> of the page, by its heading's id."""
    start = page.index(f'<section aria-labelledby="{heading}"')
    return page[start : page.index("</section>", start)]


def figures_part(page: str) -> str:
    """Everything between the filter form and the export links: alerts and figures."""
    return page[page.index('aria-labelledby="alerts-heading"') : page.index('id="export-heading"')]


def drill_links(page: str) -> list[tuple[str, int]]:
    """Every link from a figure to its ruptures, with how many ruptures the figure counts:
    the number in the link, or the count beside a percentage ("(5)", or "(2/3)" for a matrix
    cell, where the link lists the 3 ruptures the strategy was tried on)."""
    links = []
    for href, text, beside in LINK.findall(page):
        number = re.fullmatch(r"(\d+)[a-z ]*", text)  # "4", "14 ruptures", not "62%"
        links.append(
            (unescape(href), int(number.group(1)) if number else int(beside.split("/")[-1]))
        )
    return links


def assert_lists_what_it_counts(url: str, expected: int, count: int, listed: set[int]) -> None:
    assert len(listed) == count, url  # fewer than 50: all on the first page
    # A "both" moment (a linked pair) is counted and listed once, by the therapist's report.
    assert count == expected, url


def drill_page(client: Client, url: str) -> tuple[int, set[int], str]:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    count = int(COUNT.search(page).group(1))
    return count, {int(pk) for _, pk in ROW_LINK.findall(page)}, page


# --- The numbers on the pages -----------------------------------------------------------


def test_the_review_page_shows_the_hand_computed_figures(practice: Practice) -> None:
    page = get(practice.login(practice.supervisor), "review", **RANGE)
    rates = section(page, "rate-heading")
    # 14 ruptures in 8 sessions: 17.5 per 10; by family W 4, C 3, M 1, U 6.
    assert "<strong>17.5</strong> ruptures per 10 sessions overall" in rates
    assert ">14 ruptures</a> in 8 sessions" in rates
    assert 'cell_family=withdrawal">4</a>' in rates
    assert 'cell_family=confrontation">3</a>' in rates
    assert 'cell_family=mixed">1</a>' in rates
    assert 'cell_family=unclassified">6</a>' in rates
    # T1 16.0 (8 in 5), T2 20.0 (6 in 3); with a step 5 of 8 and 2 of 6, resolved 3 and 2.
    t1 = rates[rates.index('<th scope="row">Tobias Fenn') :]
    assert re.search(r"<td>5</td>\s*<td><a [^>]*>8</a></td>\s*<td>16.0</td>", t1)
    t2 = rates[rates.index('<th scope="row">Una Garrick') :]
    assert re.search(r"<td>3</td>\s*<td><a [^>]*>6</a></td>\s*<td>20.0</td>", t2)
    assert '50%</a> <span class="meta">(7)</span>' in rates  # 7 of 14 with a step
    assert '36%</a> <span class="meta">(5)</span>' in rates  # 5 of 14 resolved
    resolution = section(page, "resolution-heading")
    assert "Median <strong>1.0</strong> sessions" in resolution
    assert ">5 resolved ruptures</a>" in resolution
    matrix = section(page, "matrix-heading")
    assert '67%</a> <span class="n">(2/3)</span>' in matrix  # clarify x withdrawal
    assert '0%</a> <span class="n">(0/1)</span>' in matrix  # clarify x unclassified
    seen = section(page, "seen-heading")
    for figure, n in (("client_only", 4), ("therapist_only", 6), ("both", 2)):
        assert f'seen={figure}">{n}</a>' in seen
    assert re.search(r"Within a day</th><td>1</td>.*Not yet</th><td>1</td>", seen, re.S)
    checks = section(page, "checkin-heading")
    assert "<strong>40%</strong> of sessions where both answered (2 of 5)" in checks
    trend = section(page, "trend-heading")
    assert re.search(r"Mar 2025</th>\s*<td>5</td>\s*<td><a [^>]*>9</a></td>\s*<td>18.0", trend)
    assert re.search(r"Apr 2025</th>\s*<td>3</td>\s*<td><a [^>]*>5</a></td>\s*<td>16.7", trend)
    agreement = section(page, "agreement-heading")
    # T1: 5 codings, 60%, kappa 1/3; T2: 3 codings, 100%, kappa 1.
    assert "Tobias Fenn</th><td>5</td><td>60%</td><td>0.33</td>" in agreement
    assert "Una Garrick</th><td>3</td><td>100%</td><td>1.00</td>" in agreement


def test_the_matrix_by_marker_on_demand(practice: Practice) -> None:
    page = get(practice.login(practice.supervisor), "review", **RANGE, matrix="marker")
    matrix = section(page, "matrix-heading")
    assert "Strategy by marker" in matrix
    assert "marker=minimal_response" in matrix
    assert '67%</a> <span class="n">(2/3)</span>' in matrix  # clarify x minimal response


def test_the_patterns_page_shows_the_therapists_own_figures(practice: Practice) -> None:
    page = get(practice.login(practice.people.t1), "patterns", **RANGE)
    assert "Your own repair patterns" in page
    # T1 alone: 8 ruptures in 5 sessions.
    assert "<strong>16.0</strong> ruptures per 10 sessions overall" in page
    assert ">8 ruptures</a> in 5 sessions" in page
    assert 'aria-labelledby="agreement-heading"' not in page  # supervisors' training only
    assert "Only ruptures I have not reviewed" not in page


def test_a_supervisor_with_nobody_to_supervise_gets_an_empty_page(db) -> None:
    lonely = factories.make_supervisor()
    client = Client()
    client.force_login(lonely)
    page = get(client, "review", **RANGE)
    assert ">0 ruptures</a> in 0 sessions" in page


# --- Filters ----------------------------------------------------------------------------


@pytest.fixture
def recent(practice: Practice) -> Practice:
    """One rupture inside the default range (the last 90 days), so the default figures are
    not empty: 1 rupture in 1 session."""
    case = practice.load.cases["C"]
    session = factories.make_session(case, 9, starts_at=timezone.now() - timedelta(days=5))
    factories.make_rupture(session, practice.people.t2)
    return practice


BAD_DATES = [
    ({"start": "2025-04-30", "end": "2025-03-01"}, "The end date must be on or after"),
    ({"start": "2019-01-01", "end": "2025-04-30"}, "Choose a range of five years or less."),
    ({"start": "yesterday", "end": "2025-04-30"}, "Enter a valid date."),
    ({"start": "2025-03-01", "end": "2025-02-30"}, "Enter a valid date."),
    ({"start": "2025-03-01", "end": ""}, "This field is required."),
    ({"start": "9999-12-30", "end": "9999-12-31"}, "Choose a date between"),
    ({"start": "0001-01-01", "end": "0001-01-02"}, "Choose a date between"),
]


@pytest.mark.parametrize(("params", "message"), BAD_DATES, ids=[m for _, m in BAD_DATES])
@pytest.mark.parametrize("page_name", ["review", "patterns"])
def test_bad_dates_show_a_form_error_and_the_default_figures(
    recent: Practice, params: dict[str, str], message: str, page_name: str
) -> None:
    viewer = recent.supervisor if page_name == "review" else recent.people.t2
    client = recent.login(viewer)
    default = get(client, page_name)
    page = get(client, page_name, **params)
    assert message in page
    assert 'class="errorlist' in page
    today = timezone.localdate()
    start = today - timedelta(days=review.DEFAULT_DAYS)
    assert f"Showing {start:%-d %b %Y} to {today:%-d %b %Y}." in page
    # The default range holds the one recent rupture, not the practice's 14 (or T2's 6).
    assert ">1 ruptures</a> in 1 sessions" in page
    assert figures_part(page) == figures_part(default)


def test_the_therapists_filter_narrows_to_one_supervisee(practice: Practice) -> None:
    t1 = practice.people.t1
    page = get(practice.login(practice.supervisor), "review", **RANGE, therapists=[str(t1.pk)])
    rates = section(page, "rate-heading")
    assert ">8 ruptures</a> in 5 sessions" in rates
    assert "Una Garrick" not in rates
    # The drill-down links carry the filter.
    assert f"therapists={t1.pk}" in rates


@pytest.mark.parametrize("forged", ["T3", "T3+T1", "99999999999999999999999", "-1", "abc"])
def test_a_forged_therapist_is_a_form_error_and_changes_no_figure(
    recent: Practice, forged: str
) -> None:
    people = recent.people
    ids = {"T1": str(people.t1.pk), "T3": str(people.t3.pk)}
    chosen = [ids.get(part, part) for part in forged.split("+")]
    client = recent.login(recent.supervisor)
    default = get(client, "review")
    page = get(client, "review", **RANGE, therapists=chosen)
    assert "Select a valid choice" in page or "is not a valid value" in page
    assert figures_part(page) == figures_part(default)
    assert "Vera Holt" not in page
    assert "Dmitri Okonkwo" not in page


def test_unknown_family_and_matrix_choices_are_form_errors_not_500s(practice: Practice) -> None:
    page = get(practice.login(practice.supervisor), "review", **RANGE, family="angry")
    assert "Select a valid choice" in page
    page = get(practice.login(practice.supervisor), "review", **RANGE, matrix="by_mood")
    assert "Select a valid choice" in page


def test_the_family_and_unreviewed_filters_on_the_page(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    page = get(client, "review", **RANGE, family="withdrawal")
    assert ">4 ruptures</a> in 8 sessions" in page  # R1 R4 R9 R13
    page = get(client, "review", **RANGE, unreviewed="1")
    assert ">12 ruptures</a> in 8 sessions" in page  # 14 - R1 - R9
    assert "unreviewed=1" in section(page, "rate-heading")


# --- Drill-down links -------------------------------------------------------------------

VARIANTS = [
    {},
    {"matrix": "marker"},
    {"family": "withdrawal"},
    {"unreviewed": "1"},
    {"therapists": "T2"},
    # Bad dates: the page falls back to the default scope (all supervisees, last 90 days,
    # where `recent` put one rupture of T2's); the links must not keep the T1 filter.
    {"therapists": "T1", "end": "garbage"},
    # A forged therapist: the same fallback.
    {"therapists": "T3"},
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: urlencode(v) or "plain")
def test_every_drill_down_link_lists_exactly_the_ruptures_its_figure_counts(
    recent: Practice, variant: dict[str, str]
) -> None:
    practice = recent
    client = practice.login(practice.supervisor)
    people = practice.people
    ids = {"T1": str(people.t1.pk), "T2": str(people.t2.pk), "T3": str(people.t3.pk)}
    params = {**RANGE, **{k: ids.get(v, v) for k, v in variant.items()}}
    page = get(client, "review", **params)
    links = drill_links(page)
    assert len(links) >= 20
    for url, expected in links:
        count, listed, _ = drill_page(client, url)
        assert_lists_what_it_counts(url, expected, count, listed)


def test_every_drill_down_link_on_the_patterns_page(practice: Practice) -> None:
    client = practice.login(practice.people.t1)
    links = drill_links(get(client, "patterns", **RANGE))
    assert len(links) >= 20
    for url, expected in links:
        count, listed, _ = drill_page(client, url)
        assert_lists_what_it_counts(url, expected, count, listed)
        assert listed <= practice.ids("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8")


def test_the_drill_down_lists_the_very_ruptures_and_links_each_to_its_timeline(
    practice: Practice,
) -> None:
    client = practice.login(practice.supervisor)
    url = reverse("review_ruptures") + "?" + urlencode({**RANGE, "status": "resolved"})
    count, listed, page = drill_page(client, url)
    assert (count, listed) == (5, practice.ids("R1", "R2", "R6", "R9", "R13"))
    r9 = practice.r["R9"]
    assert f'href="/sessions/{r9.therapy_session_id}/#rupture-{r9.pk}"' in page


def test_the_drill_down_pages_through_more_than_fifty(practice: Practice) -> None:
    session = practice.load.sessions["C1"]
    for _ in range(50):
        factories.make_rupture(session, practice.people.t2)
    client = practice.login(practice.supervisor)
    first = get(client, "review_ruptures", **RANGE)
    assert "64 ruptures, " in first  # 14 + 50
    assert len(ROW_LINK.findall(first)) == 50
    second = get(client, "review_ruptures", **RANGE, page="2")
    assert len(ROW_LINK.findall(second)) == 14
    assert not {pk for _, pk in ROW_LINK.findall(first)} & {
        pk for _, pk in ROW_LINK.findall(second)
    }


@pytest.mark.parametrize(
    "params",
    [
        {"month": "9999-12"},
        {"month": "2025-99"},
        {"therapist": "99999999999999999999999"},
        {"therapist": "²"},
        {"page": "last"},
        {"page": "999"},
        {"start": "9999-12-31", "end": "9999-12-31"},
        {"therapists": "99999999999999999999999"},
    ],
)
def test_malformed_drill_down_parameters_never_cause_a_500(
    practice: Practice, params: dict[str, str]
) -> None:
    client = practice.login(practice.supervisor)
    for name in ("review_ruptures", "review_export_ruptures", "review_export_steps"):
        response = client.get(reverse(name) + "?" + urlencode({**RANGE, **params}))
        assert response.status_code == 200, name
        if response.streaming:
            b"".join(response.streaming_content)


# --- Who sees whose data ----------------------------------------------------------------


def test_a_supervisor_sees_clients_only_by_pseudonym(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    pages = [get(client, "review", **RANGE), get(client, "review", **RANGE, matrix="marker")]
    pages.append(get(client, "review_ruptures", **RANGE))
    pages += [drill_page(client, url)[2] for url, _ in drill_links(pages[0])]
    for page in pages:
        for name in CLIENT_NAMES:
            assert name not in page
    listing = pages[2]
    for key in "ABC":
        assert practice.load.clients[key].pseudonym in listing
    assert practice.load.clients["D"].pseudonym not in listing


@pytest.mark.parametrize("supervisor", ["Sabine", "Rhea"])
def test_a_supervisor_never_sees_a_therapist_they_do_not_supervise(
    practice: Practice, supervisor: str
) -> None:
    people, load = practice.people, practice.load
    viewer, hidden, hidden_case = (
        (people.supervisor, people.t3, "D")
        if supervisor == "Sabine"
        else (people.other_supervisor, people.t2, "C")
    )
    client = practice.login(viewer)
    review_page = get(client, "review", **RANGE)
    listing = get(client, "review_ruptures", **RANGE)
    forged = get(client, "review_ruptures", **RANGE, therapist=str(hidden.pk))
    for page in (review_page, listing, forged):
        assert hidden.display_name not in page
        assert load.clients[hidden_case].pseudonym not in page
    assert "0 ruptures, " in forged


def test_a_therapists_patterns_never_show_another_therapists_data(practice: Practice) -> None:
    people, load = practice.people, practice.load
    client = practice.login(people.t1)
    forged = str(people.t2.pk)
    pages = [
        get(client, "patterns", **RANGE),
        get(client, "patterns", **RANGE, therapists=forged),
        get(client, "review_ruptures", **RANGE),
        get(client, "review_ruptures", **RANGE, therapist=forged),
        get(client, "review_ruptures", **RANGE, therapists=forged),
    ]
    for page in pages:
        for other in ("Una Garrick", "Vera Holt", "Celia Moorcroft", "Dmitri Okonkwo"):
            assert other not in page
        assert load.clients["C"].pseudonym not in page
    assert ">8 ruptures</a> in 5 sessions" in pages[1]  # the forged filter is ignored
    assert "0 ruptures, " in pages[3]
    # The therapist sees their own clients by name.
    assert "Amara Lindqvist" in pages[2]
    assert "Bruno Castellane" in pages[2]


def user_for(practice: Practice, who: str) -> User:
    people = practice.people
    if who == "client":
        return practice.load.clients["A"]
    if who == "admin":
        return factories.make_admin()
    return {"therapist": people.t1, "supervisor": people.supervisor}[who]


@pytest.mark.parametrize(
    ("who", "page_name"),
    [
        ("client", "review"),
        ("client", "patterns"),
        ("client", "review_ruptures"),
        ("client", "review_export_ruptures"),
        ("admin", "review"),
        ("admin", "review_ruptures"),
        ("admin", "review_export_steps"),
        ("therapist", "review"),
        ("supervisor", "patterns"),
    ],
)
def test_who_may_not_open_which_page_gets_a_404(
    practice: Practice, who: str, page_name: str
) -> None:
    client = practice.login(user_for(practice, who))
    assert client.get(reverse(page_name) + "?" + urlencode(RANGE)).status_code == 404
