"""Live pages: every write moves the case's revision on; an open page asking "anything new
since revision N?" gets an empty 204 when nothing changed (cheaply) and a reload event when
something did. The inbox badge polls the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.repairs.conftest import (
    World,
    check_in_data,
    entry_data,
    flag_data,
    flag_edit_data,
    revision,
    step_data,
    text,
    triggers,
)

pytestmark = pytest.mark.django_db

# The login session, the user, the second step (the device that verified this login, or
# for someone without one, that they still have none: rupturelog/mfa/middleware.py), and
# one indexed lookup.
MAX_POLL_QUERIES = 4


def changes_url(world: World, rev: int | str) -> str:
    return reverse("session_changes", args=[world.cast.session_a.pk]) + f"?rev={rev}"


def test_nothing_new_is_an_empty_204(world: World) -> None:
    response = world.login("client_a").get(changes_url(world, revision(world.cast.case_a)))
    assert response.status_code == 204
    assert response.content == b""
    assert "HX-Trigger" not in response.headers


@pytest.mark.parametrize("rev", ["old", "", "junk"], ids=["an-old-revision", "none", "junk"])
def test_something_new_tells_the_timeline_to_reload(world: World, rev: str) -> None:
    current = revision(world.cast.case_a)
    asked = str(current - 1) if rev == "old" else rev
    response = world.login("therapist_a").get(changes_url(world, asked))
    assert response.status_code == 200
    assert "timelineChanged" in triggers(response)
    assert "The timeline has been updated." in text(response)


def test_the_session_page_polls_from_the_current_revision(world: World) -> None:
    world.login("therapist_a").post(
        reverse("rupture_new", args=[world.cast.session_a.pk]), entry_data()
    )
    page = world.login("client_a").get(reverse("session_detail", args=[world.cast.session_a.pk]))
    assert changes_url(world, revision(world.cast.case_a)) in text(page)


def _post(
    persona: str, url_name: str, target: str | None, data: Callable[[World], dict]
) -> Callable[[World], Any]:
    def write(world: World) -> Any:
        if target is None:
            url = reverse(url_name)
        else:
            obj = world.cast.session_a if target == "session" else getattr(world, target)
            url = reverse(url_name, args=[obj.pk])
        return world.login(persona).post(url, data(world))

    return write


WRITES = [
    pytest.param(
        _post("therapist_a", "rupture_new", "session", lambda w: entry_data()), id="log-a-rupture"
    ),
    pytest.param(
        _post("client_a", "flag_new", None, lambda w: flag_data(w.cast.session_a)),
        id="flag-a-moment",
    ),
    pytest.param(
        _post(
            "client_a",
            "flag_new",
            None,
            lambda w: flag_data(w.cast.session_a, visibility="private"),
        ),
        id="save-a-draft",
    ),
    pytest.param(
        _post("therapist_a", "rupture_edit", "entry", lambda w: entry_data(version="1")),
        id="edit-an-entry",
    ),
    pytest.param(
        _post("client_a", "rupture_edit", "flag", lambda w: flag_edit_data(w.flag, account="New.")),
        id="edit-a-flag",
    ),
    pytest.param(
        _post("client_a", "rupture_share", "draft", lambda w: {"version": "1"}),
        id="share-a-draft",
    ),
    pytest.param(
        _post("therapist_a", "rupture_withdraw", "entry", lambda w: {"version": "1"}),
        id="withdraw-an-entry",
    ),
    pytest.param(
        _post(
            "therapist_a",
            "rupture_status",
            "flag",
            lambda w: {"status": "resolved", "agreement": "", "version": "1"},
        ),
        id="set-status",
    ),
    pytest.param(
        _post("therapist_a", "rupture_link", "flag", lambda w: {"own_entry": str(w.entry.pk)}),
        id="link",
    ),
    pytest.param(
        _post("client_a", "client_view", "entry", lambda w: {"client_view": "same"}),
        id="client-view",
    ),
    pytest.param(
        _post("therapist_a", "step_new", "flag", lambda w: step_data(w.cast.session_a)),
        id="add-a-repair-step",
    ),
    pytest.param(
        _post(
            "therapist_a", "step_edit", "step", lambda w: step_data(w.cast.session_a, version="1")
        ),
        id="edit-a-repair-step",
    ),
    pytest.param(
        _post("therapist_a", "step_withdraw", "step", lambda w: {"version": "1"}),
        id="withdraw-a-repair-step",
    ),
    pytest.param(
        _post("client_a", "note_new", "entry", lambda w: {"body": "A reply."}), id="reply"
    ),
    pytest.param(
        _post(
            "therapist_a",
            "note_new",
            "entry",
            lambda w: {"body": "To self.", "visibility": "private"},
        ),
        id="private-note",
    ),
    pytest.param(
        _post("client_a", "note_edit", "client_note", lambda w: {"body": "New.", "version": "1"}),
        id="edit-a-note",
    ),
    pytest.param(
        _post("client_a", "note_withdraw", "client_note", lambda w: {"version": "1"}),
        id="withdraw-a-note",
    ),
    pytest.param(
        _post("client_a", "check_in", "session", lambda w: check_in_data()), id="check-in"
    ),
]


@pytest.mark.parametrize("write", WRITES)
def test_every_write_moves_the_revision_on_and_open_pages_hear_of_it(
    world: World, write: Callable[[World], Any]
) -> None:
    before = revision(world.cast.case_a)
    response = write(world)
    assert response.status_code == 303, text(response)[:1000]
    assert revision(world.cast.case_a) > before
    # A page opened before the write, in another browser, hears about it on its next poll.
    poll = world.login("client_a").get(changes_url(world, before))
    assert poll.status_code == 200
    assert "timelineChanged" in triggers(poll)


def test_a_write_in_another_case_does_not_disturb_this_one(world: World) -> None:
    before = revision(world.cast.case_a)
    world.login("therapist_b").post(
        reverse("rupture_new", args=[world.cast.session_b.pk]), entry_data()
    )
    assert revision(world.cast.case_a) == before
    assert world.login("client_a").get(changes_url(world, before)).status_code == 204


# --- What a poll costs -----------------------------------------------------------------


def queries(client: Client, url: str) -> tuple[int, int, list[str]]:
    client.get(url)  # warm up: per-process caches are not the request's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("persona", ["client_a", "therapist_a", "supervisor_a"])
@pytest.mark.parametrize("changed", [False, True], ids=["unchanged", "changed"])
def test_asking_for_changes_costs_at_most_four_queries(
    world: World, persona: str, changed: bool, record_property: Callable[[str, object], None]
) -> None:
    rev = revision(world.cast.case_a) - (1 if changed else 0)
    status, count, sql = queries(world.login(persona), changes_url(world, rev))
    assert status == (200 if changed else 204)
    record_property("queries", count)
    print(f"\nsession_changes ({persona}, {'changed' if changed else 'unchanged'}): {count}")
    assert count <= MAX_POLL_QUERIES, "\n".join(sql)


@pytest.mark.parametrize("persona", ["client_a", "therapist_a", "supervisor_a", "admin"])
@pytest.mark.parametrize("changed", [False, True], ids=["unchanged", "changed"])
def test_the_inbox_badge_costs_at_most_four_queries(
    world: World, persona: str, changed: bool, record_property: Callable[[str, object], None]
) -> None:
    user = world.cast.persona(persona)
    unread = user.inbox_items.filter(read_at__isnull=True).count() if persona != "admin" else 0
    n = unread + (1 if changed else 0)
    status, count, sql = queries(world.login(persona), reverse("inbox_badge") + f"?n={n}")
    assert status == (200 if changed else 204)
    record_property("queries", count)
    print(f"\ninbox_badge ({persona}, {'changed' if changed else 'unchanged'}): {count}")
    assert count <= MAX_POLL_QUERIES, "\n".join(sql)
