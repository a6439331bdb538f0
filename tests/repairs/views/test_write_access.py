"""Write paths refuse other people's ids: in the URL (a 404, nothing changed) and inside the
form (a form error, nothing saved). Each refused request is also sent by the person who may
make it, to show that the same request would have changed something.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from repairs.models import Rupture
from tests import factories
from tests.repairs.conftest import (
    HTMX,
    World,
    check_in_data,
    entry_data,
    flag_data,
    flag_edit_data,
    snapshot,
    step_data,
    text,
)

pytestmark = pytest.mark.django_db

# Nobody outside case A may touch anything in it; logged-out people are sent to log in.
OUTSIDERS = ("client_b", "therapist_b", "supervisor_b", "admin", "anonymous", "inactive")
LOGGED_OUT = ("anonymous", "inactive")


@dataclass(frozen=True)
class Write:
    label: str
    url_name: str
    target: str | None  # a World attribute whose pk goes in the URL; None: no id
    owner: str  # the persona for whom this exact request works
    also_refused: tuple[str, ...]  # people in case A who still may not
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    methods: tuple[str, ...] = ("GET", "POST")
    changes: bool = True  # False for the read-only endpoints behind live pages
    headers: dict[str, str] = field(default_factory=dict)
    outsiders: tuple[str, ...] = OUTSIDERS

    def url(self, world: World) -> str:
        if self.target is None:
            return reverse(self.url_name)
        obj = world.cast.session_a if self.target == "session" else getattr(world, self.target)
        return reverse(self.url_name, args=[obj.pk])

    @property
    def refused(self) -> tuple[str, ...]:
        return self.outsiders + self.also_refused


POST_ONLY = ("POST",)
WRITES = [
    Write(
        "log-a-rupture",
        "rupture_new",
        "session",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: entry_data(),
    ),
    Write(
        "flag-a-moment",
        "flag_new",
        None,
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: flag_data(w.cast.session_a),
        # Another client reaches the form; their forged session id is a form error (below).
        outsiders=("therapist_b", "supervisor_b", "admin", "anonymous", "inactive"),
    ),
    Write(
        "edit-a-client-flag",
        "rupture_edit",
        "flag",
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: flag_edit_data(w.flag, account="Changed by someone."),
    ),
    Write(
        "edit-a-therapist-entry",
        "rupture_edit",
        "entry",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: entry_data(version=str(w.entry.version), account="Changed by someone."),
    ),
    Write(
        "share-a-draft",
        "rupture_share",
        "draft",
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: {"version": str(w.draft.version)},
        POST_ONLY,
    ),
    Write(
        "withdraw-a-client-flag",
        "rupture_withdraw",
        "flag",
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: {"version": str(w.flag.version)},
        POST_ONLY,
    ),
    Write(
        "withdraw-a-therapist-entry",
        "rupture_withdraw",
        "entry",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: {"version": str(w.entry.version)},
        POST_ONLY,
    ),
    Write(
        "set-status",
        "rupture_status",
        "flag",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: {"status": "resolved", "agreement": "Slow down.", "version": w.flag.version},
    ),
    Write(
        "link-a-flag",
        "rupture_link",
        "flag",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: {"own_entry": str(w.entry.pk)},
    ),
    Write(
        "answer-did-you-see-it-this-way",
        "client_view",
        "entry",
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: {"client_view": "different"},
    ),
    Write(
        "add-a-repair-step",
        "step_new",
        "entry",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: step_data(w.cast.session_a),
    ),
    Write(
        "edit-a-repair-step",
        "step_edit",
        "step",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: step_data(w.cast.session_a, version=str(w.step.version), outcome="helped"),
    ),
    Write(
        "withdraw-a-repair-step",
        "step_withdraw",
        "step",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: {"version": str(w.step.version)},
        POST_ONLY,
    ),
    Write(
        "reply-on-a-shared-entry",
        "note_new",
        "entry",
        "client_a",
        (),
        lambda w: {"body": "A reply.", "visibility": "shared"},
    ),
    Write(
        "reply-on-a-therapist-private-entry",
        "note_new",
        "private_entry",
        "therapist_a",
        ("client_a",),
        lambda w: {"body": "A reply.", "visibility": "shared"},
    ),
    Write(
        "reply-on-a-client-draft",
        "note_new",
        "draft",
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: {"body": "A reply."},
    ),
    Write(
        "edit-a-client-note",
        "note_edit",
        "client_note",
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: {"body": "Changed by someone.", "version": str(w.client_note.version)},
    ),
    Write(
        "edit-a-therapist-note",
        "note_edit",
        "therapist_note",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: {"body": "Changed by someone.", "version": str(w.therapist_note.version)},
    ),
    Write(
        "withdraw-a-therapist-note",
        "note_withdraw",
        "therapist_note",
        "therapist_a",
        ("client_a", "supervisor_a"),
        lambda w: {"version": str(w.therapist_note.version)},
        POST_ONLY,
    ),
    Write(
        "withdraw-a-client-note",
        "note_withdraw",
        "client_note",
        "client_a",
        ("therapist_a", "supervisor_a"),
        lambda w: {"version": str(w.client_note.version)},
        POST_ONLY,
    ),
    Write(
        "check-in",
        "check_in",
        "session",
        "client_a",
        ("supervisor_a",),
        lambda w: check_in_data(),
    ),
    Write(
        "mark-an-inbox-item-read",
        "inbox_mark_read",
        "item",
        "therapist_a",
        ("client_a", "supervisor_a"),
        methods=POST_ONLY,
    ),
    Write(
        "card-of-a-client-draft",
        "rupture_card",
        "draft",
        "client_a",
        ("therapist_a", "supervisor_a"),
        methods=("GET",),
        changes=False,
        headers=HTMX,
    ),
    Write(
        "card-of-a-therapist-private-entry",
        "rupture_card",
        "private_entry",
        "therapist_a",
        ("client_a",),
        methods=("GET",),
        changes=False,
        headers=HTMX,
    ),
    Write(
        "changes-of-a-session",
        "session_changes",
        "session",
        "client_a",
        (),
        methods=("GET",),
        changes=False,
    ),
]


def _refusals() -> list:
    return [
        pytest.param(write, persona, method, id=f"{write.label}-by-{persona}-{method}")
        for write in WRITES
        for persona in write.refused
        for method in write.methods
    ]


def _send(world: World, write: Write, persona: str, method: str) -> HttpResponse:
    client = world.login(persona, **write.headers)
    url = write.url(world)
    if method == "POST":
        return client.post(url, write.data(world))
    return client.get(url)


@pytest.mark.parametrize(("write", "persona", "method"), _refusals())
def test_the_wrong_person_gets_a_404_and_nothing_changes(
    db: None, module_world: World, write: Write, persona: str, method: str
) -> None:
    before = snapshot()
    response = _send(module_world, write, persona, method)
    if persona in LOGGED_OUT:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("write", WRITES, ids=[write.label for write in WRITES])
def test_the_same_request_from_the_right_person_goes_through(world: World, write: Write) -> None:
    # The control for the refusals above: the payload is valid, only the person was wrong.
    before = snapshot()
    method = "POST" if "POST" in write.methods else "GET"
    response = _send(world, write, write.owner, method)
    assert response.status_code in (200, 303), text(response)[:2000]
    if write.changes:
        assert snapshot() != before
    else:
        assert snapshot() == before


POST_ONLY_URLS = [
    ("rupture_share", "draft", "client_a"),
    ("rupture_withdraw", "entry", "therapist_a"),
    ("step_withdraw", "step", "therapist_a"),
    ("note_withdraw", "client_note", "client_a"),
    ("inbox_mark_read", "item", "therapist_a"),
    ("inbox_mark_all_read", None, "therapist_a"),
    ("notify_preference", None, "therapist_a"),
]


@pytest.mark.parametrize(
    ("url_name", "target", "persona"), POST_ONLY_URLS, ids=[row[0] for row in POST_ONLY_URLS]
)
def test_post_only_actions_answer_get_with_405(
    world: World, url_name: str, target: str | None, persona: str
) -> None:
    args = [getattr(world, target).pk] if target else []
    before = snapshot()
    response = world.login(persona).get(reverse(url_name, args=args))
    assert response.status_code == 405
    assert snapshot() == before


def test_the_inbox_badge_counts_only_your_own_items(world: World) -> None:
    # therapist_a has one unread item; therapist_b has none and must not see theirs counted.
    assert world.login("therapist_b").get(reverse("inbox_badge") + "?n=0").status_code == 204
    assert world.login("therapist_a").get(reverse("inbox_badge") + "?n=1").status_code == 204


def test_the_inbox_badge_sends_logged_out_people_to_log_in(world: World) -> None:
    response = world.login("anonymous").get(reverse("inbox_badge"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Ids inside the form -----------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["without-htmx", "with-htmx"])
def test_a_flag_in_another_clients_session_is_a_form_error(
    world: World, headers: dict[str, str]
) -> None:
    before = snapshot()
    response = world.login("client_b", **headers).post(
        reverse("flag_new"), flag_data(world.cast.session_a)
    )
    assert response.status_code == 200
    assert "Choose one of your sessions from the list." in text(response)
    assert snapshot() == before


def test_a_flag_in_a_session_that_has_not_happened_yet_is_a_form_error(world: World) -> None:
    future = factories.make_session(world.cast.case_a, starts_at=timezone.now() + timedelta(days=3))
    before = snapshot()
    response = world.login("client_a").post(reverse("flag_new"), flag_data(future))
    assert response.status_code == 200
    assert "Choose one of your sessions from the list." in text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "session_of",
    [
        pytest.param(lambda w: w.later_session, id="a-later-session-of-their-case"),
        pytest.param(lambda w: w.cast.session_b, id="another-clients-session"),
    ],
)
def test_a_client_cannot_move_their_flag_to_another_session(
    world: World, session_of: Callable[[World], Any]
) -> None:
    before = snapshot()
    response = world.login("client_a").post(
        reverse("rupture_edit", args=[world.flag.pk]),
        flag_edit_data(world.flag, therapy_session=str(session_of(world).pk)),
    )
    assert response.status_code == 200
    assert "Choose one of your sessions from the list." in text(response)
    assert snapshot() == before


def _rupture_in_session_two(world: World) -> Rupture:
    return factories.make_rupture(world.later_session, world.cast.therapist_a, minute=5)


@pytest.mark.parametrize(
    "session_of",
    [
        pytest.param(lambda w: w.cast.session_b, id="a-session-of-another-case"),
        pytest.param(lambda w: w.cast.session_a, id="an-earlier-session-of-the-same-case"),
    ],
)
def test_a_repair_step_outside_the_ruptures_sessions_is_a_form_error(
    world: World, session_of: Callable[[World], Any]
) -> None:
    rupture = _rupture_in_session_two(world)
    before = snapshot()
    response = world.login("therapist_a").post(
        reverse("step_new", args=[rupture.pk]), step_data(session_of(world))
    )
    assert response.status_code == 200
    assert "Choose a session of this case from the list." in text(response)
    assert snapshot() == before


def test_editing_a_repair_step_into_another_case_is_a_form_error(world: World) -> None:
    before = snapshot()
    response = world.login("therapist_a").post(
        reverse("step_edit", args=[world.step.pk]),
        step_data(world.cast.session_b, version=str(world.step.version)),
    )
    assert response.status_code == 200
    assert "Choose a session of this case from the list." in text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "entry_of",
    [
        pytest.param(lambda w: w.other_entry, id="another-therapists-entry"),
        pytest.param(
            lambda w: factories.make_rupture(w.cast.session_inactive, w.cast.therapist_a),
            id="own-entry-in-another-case",
        ),
        pytest.param(lambda w: w.flag, id="the-flag-itself"),
        pytest.param(lambda w: w.draft, id="the-clients-draft"),
    ],
)
def test_linking_to_an_entry_that_is_not_your_own_in_this_case_is_a_form_error(
    world: World, entry_of: Callable[[World], Rupture]
) -> None:
    entry = entry_of(world)
    before = snapshot()
    response = world.login("therapist_a").post(
        reverse("rupture_link", args=[world.flag.pk]), {"own_entry": str(entry.pk)}
    )
    assert response.status_code == 200
    assert "Choose one of your own entries from this case." in text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "flag_of",
    [
        pytest.param(lambda w: w.other_entry, id="another-therapists-case"),
        pytest.param(
            lambda w: factories.make_rupture(w.later_session, w.cast.client_a),
            id="a-flag-from-another-session",
        ),
        pytest.param(
            lambda w: factories.make_rupture(w.cast.session_inactive, w.cast.inactive, minute=3),
            id="a-flag-from-another-of-my-cases",
        ),
        pytest.param(lambda w: w.draft, id="the-clients-private-draft"),
        pytest.param(lambda w: w.entry, id="my-own-entry"),
    ],
)
def test_recording_my_view_of_a_flag_i_may_not_pair_is_a_404(
    world: World, flag_of: Callable[[World], Rupture]
) -> None:
    flag = flag_of(world)
    url = reverse("rupture_new", args=[world.cast.session_a.pk]) + f"?view_of={flag.pk}"
    before = snapshot()
    client = world.login("therapist_a")
    assert client.get(url).status_code == 404
    assert client.post(url, entry_data()).status_code == 404
    assert snapshot() == before
