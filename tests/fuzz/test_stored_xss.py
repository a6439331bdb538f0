"""Stored XSS: every free-text field holds script tags, event handlers, javascript: links,
injected htmx attributes and template syntax (xss.py); every page that shows them, full
pages and htmx fragments, as everyone who may see them, shows them only as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from pytest_django import DjangoDbBlocker

from tests.conftest import build_cast
from tests.fuzz.xss import ALL, MARKUP, ONE_LINE, XssWorld, build_xss_world, injections
from tests.repairs.conftest import HTMX, flag_data, rolled_back_at_the_end

REVIEW_RANGE = "start=2025-01-01&end=2025-12-31"


@pytest.fixture(scope="module")
def xss_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[XssWorld]:
    with rolled_back_at_the_end(django_db_blocker):
        yield build_xss_world(build_cast())


@dataclass(frozen=True)
class Page:
    persona: str
    name: str
    url: Callable[[XssWorld], str]
    htmx: bool = False
    target: str = ""  # HX-Target, for the timeline's partial renders
    post: Callable[[XssWorld], dict] | None = None
    status: int = 200
    shows: bool = True  # False for a fragment with no free text in it at all
    requires: str = ""  # a URL name other sessions are still adding: checked once it exists

    def __str__(self) -> str:
        return f"{self.persona}: {self.name}{' (htmx)' if self.htmx else ''}"


def url(name: str, *args: Callable[[XssWorld], object], query: str = "") -> Callable:
    def build(world: XssWorld) -> str:
        path = reverse(name, args=[arg(world) for arg in args])
        return f"{path}?{query}" if query else path

    return build


def session_a(w: XssWorld) -> int:
    return w.cast.session_a.pk


def later(w: XssWorld) -> int:
    return w.cast.case_a.therapy_sessions.get(number=2).pk


def case_a(w: XssWorld) -> int:
    return w.cast.case_a.pk


def flag(w: XssWorld) -> int:
    return w.flag.pk


def draft(w: XssWorld) -> int:
    return w.draft.pk


def entry(w: XssWorld) -> int:
    return w.entry.pk


def private_entry(w: XssWorld) -> int:
    return w.private_entry.pk


def step(w: XssWorld) -> int:
    return w.step.pk


def note_of(persona: str) -> Callable[[XssWorld], int]:
    return lambda w: w.notes[persona].pk


def timeline(persona: str) -> list[Page]:
    """The timeline as a full page, its two htmx partials, a later session's page (carried
    over cards), the case page and the home page."""
    return [
        Page(persona, "home", url("home")),
        Page(persona, "case page", url("case_detail", case_a)),
        Page(persona, "timeline", url("session_detail", session_a)),
        Page(
            persona, "timeline", url("session_detail", session_a), htmx=True, target="timeline-live"
        ),
        Page(
            persona,
            "timeline bar",
            url("session_detail", session_a),
            htmx=True,
            target="timeline-bar",
            shows=False,
        ),
        Page(persona, "later session (carried over)", url("session_detail", later)),
    ]


def cards(persona: str, *ruptures: Callable[[XssWorld], int]) -> list[Page]:
    return [
        Page(persona, f"card {r.__name__}", url("rupture_card", r), htmx=True) for r in ruptures
    ]


PAGES: list[Page] = [
    # --- The client ---------------------------------------------------------------------
    *timeline("client_a"),
    *cards("client_a", flag, draft, entry),
    Page("client_a", "edit flag", url("rupture_edit", flag)),
    Page("client_a", "edit flag", url("rupture_edit", flag), htmx=True),
    Page("client_a", "edit own note", url("note_edit", note_of("client_a")), htmx=True),
    Page("client_a", "reply form", url("note_new", entry)),
    Page("client_a", "did you see it this way", url("client_view", entry)),
    Page(
        "client_a",
        "flag form with an error",
        url("flag_new"),
        post=lambda w: flag_data(w.cast.session_a, account=ALL, when=None),
    ),
    Page(
        "client_a",
        "check-in form with an error",
        url("check_in", later),
        post=lambda w: {"comment": ONE_LINE},
    ),
    Page("client_a", "who opened my record", url("record_access"), requires="record_access"),
    Page("client_a", "my whole record", url("my_record"), requires="my_record"),
    # --- The therapist ------------------------------------------------------------------
    *timeline("therapist_a"),
    *cards("therapist_a", flag, entry, private_entry),
    Page("therapist_a", "edit entry", url("rupture_edit", entry)),
    Page("therapist_a", "edit entry", url("rupture_edit", entry), htmx=True),
    Page("therapist_a", "status and agreement", url("rupture_status", entry), htmx=True),
    Page("therapist_a", "edit step", url("step_edit", step), htmx=True),
    Page("therapist_a", "new step", url("step_new", flag)),
    Page("therapist_a", "edit own note", url("note_edit", note_of("therapist_a"))),
    Page("therapist_a", "link to my entry", url("rupture_link", flag)),
    Page(
        "therapist_a",
        "my view of the flag",
        lambda w: url("rupture_new", session_a)(w) + f"?view_of={w.flag.pk}",
    ),
    Page("therapist_a", "patterns", url("patterns", query=REVIEW_RANGE)),
    Page("therapist_a", "drill-down", url("review_ruptures", query=REVIEW_RANGE)),
    Page(
        "therapist_a",
        "edit conflict",
        url("rupture_edit", entry),
        post=lambda w: {
            "account": ALL,
            "recognised": "after",
            "family": "unclassified",
            "visibility": "shared",
            "version": "1",
        },
        status=409,
    ),
    Page(
        "therapist_a",
        "edit conflict",
        url("rupture_edit", entry),
        htmx=True,
        post=lambda w: {
            "account": ALL,
            "recognised": "after",
            "family": "unclassified",
            "visibility": "shared",
            "version": "1",
        },
        status=409,
    ),
    Page(
        "therapist_a",
        "a reply saved in place",
        url("note_new", flag),
        htmx=True,
        post=lambda w: {"body": ALL, "visibility": "shared"},
    ),
    # --- The supervisor ----------------------------------------------------------------
    *timeline("supervisor_a"),
    *cards("supervisor_a", flag, entry, private_entry),
    Page("supervisor_a", "code it yourself", url("coding", entry)),
    Page("supervisor_a", "supervision note form", url("note_new", entry)),
    Page("supervisor_a", "review", url("review", query=REVIEW_RANGE)),
    Page("supervisor_a", "drill-down", url("review_ruptures", query=REVIEW_RANGE)),
    # --- Case B's therapist, whose name is a payload too; the administrator --------------
    Page("therapist_b", "home", url("home")),
    Page("superadmin", "admin: people", url("admin:accounts_user_changelist")),
    Page(
        "superadmin",
        "admin: a person",
        lambda w: reverse("admin:accounts_user_change", args=[w.cast.therapist_a.pk]),
    ),
]


def _exists(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


REACHABLE = [p for p in PAGES if not p.requires or _exists(p.requires)]


@pytest.mark.parametrize("page", REACHABLE, ids=str)
def test_a_page_showing_the_payloads_shows_them_as_text_only(
    page: Page, xss_world: XssWorld, db: None
) -> None:
    headers = {**HTMX, "HTTP_HX_TARGET": page.target} if page.htmx else {}
    client = xss_world.login(page.persona, **headers)
    path = page.url(xss_world)
    if page.post is not None:
        response = client.post(path, {k: v for k, v in page.post(xss_world).items() if v})
    else:
        response = client.get(path)
    assert response.status_code == page.status, (path, response.status_code)
    html = response.content.decode()
    if page.shows:
        assert any(escape(p) in html for p in MARKUP), f"{page}: no payload on the page to test"
    assert not injections(html), f"{page}: {injections(html)}"
    if page.name == "timeline" and not page.htmx:
        # Template syntax in what people type is text, never evaluated.
        assert html.count("{{ 7*7 }}") >= 2


@pytest.mark.parametrize("what", ["ruptures", "steps"])
@pytest.mark.parametrize("persona", ["supervisor_a", "therapist_a"])
def test_the_csv_export_with_the_payloads_is_a_download_a_browser_will_not_render(
    what: str, persona: str, xss_world: XssWorld, db: None
) -> None:
    client = xss_world.login(persona)
    response = client.get(reverse(f"review_export_{what}") + f"?{REVIEW_RANGE}&text=1")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>alert(1)</script>" in body  # the data as typed: a CSV is not HTML


@pytest.mark.parametrize("payload", MARKUP)
def test_the_checker_would_catch_each_payload_had_it_been_rendered_raw(payload: str) -> None:
    # In text and in an attribute value, as a template without escaping would put it.
    assert injections(f"<p>{payload}</p>")
    assert injections(f'<input value="{payload}">')
    assert not injections(f"<p>{escape(payload)}</p>")
    assert not injections(f'<input value="{escape(payload)}">')


@pytest.mark.skipif(not _exists("my_record_json"), reason="the record download is not built yet")
def test_the_client_record_download_with_the_payloads_is_json_a_browser_will_not_render(
    xss_world: XssWorld, db: None
) -> None:
    response = xss_world.login("client_a").get(reverse("my_record_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
