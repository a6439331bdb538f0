"""Shared scenery and helpers for the timeline, inbox and check-in tests.

`world` adds to the shared cast (tests/conftest.py) one course of therapy's worth of records
in case A — a client's flag and private draft, the therapist's shared and private entries, a
repair step, a note from each side and an inbox item — plus one entry in case B, so every
test can reach for "someone else's id".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from repairs.codes import InboxKind, Visibility
from repairs.models import InboxItem, Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import User
from sessions.models import Case, CheckIn, TherapySession
from tests import factories
from tests.conftest import Cast, build_cast

HTMX: dict[str, str] = {"HTTP_HX_REQUEST": "true"}
# Parametrize a test over both ways of using the app: plain forms, and htmx in place.
MODES = pytest.mark.parametrize("headers", [{}, HTMX], ids=["without-htmx", "with-htmx"])


@dataclass
class World:
    cast: Cast
    flag: Rupture  # client_a's shared flag in session 1 of case A
    draft: Rupture  # client_a's private draft in the same session
    entry: Rupture  # therapist_a's shared entry: codes, a repair step, notes from both sides
    private_entry: Rupture  # therapist_a's private entry
    step: RepairStep  # therapist_a's repair step on `entry`
    client_note: Note  # client_a's note on `entry`
    therapist_note: Note  # therapist_a's shared note on `entry`
    item: InboxItem  # unread, for therapist_a, about `flag`
    later_session: TherapySession  # session 2 of case A
    other_entry: Rupture  # therapist_b's entry in case B: "someone else's id"

    def login(self, persona: str, **headers: str) -> Client:
        return self.cast.client_for(persona, **headers)


def build_world(cast: Cast) -> World:
    session = cast.session_a
    flag = factories.make_rupture(session, cast.client_a, minute=10, account="I felt rushed.")
    factories.add_codes(flag, feeling=["rushed"])
    draft = factories.make_rupture(
        session,
        cast.client_a,
        minute=None,
        account="Not sure I want to say this yet.",
        visibility=Visibility.PRIVATE,
    )
    entry = factories.make_rupture(
        session, cast.therapist_a, minute=30, account="Client went quiet after homework."
    )
    factories.add_codes(entry, marker=["minimal_response"], cause=["unmet_expectation"])
    private_entry = factories.make_rupture(
        session,
        cast.therapist_a,
        minute=40,
        account="My own note to self.",
        visibility=Visibility.PRIVATE,
    )
    step = factories.make_step(entry, cast.therapist_a)
    client_note = factories.make_note(entry, cast.client_a, "It was a lot at once.")
    therapist_note = factories.make_note(entry, cast.therapist_a, "Thank you for saying so.")
    item = InboxItem.objects.create(
        recipient=cast.therapist_a,
        kind=InboxKind.CLIENT_FLAG,
        case=cast.case_a,
        therapy_session=session,
        rupture=flag,
    )
    return World(
        cast=cast,
        flag=flag,
        draft=draft,
        entry=entry,
        private_entry=private_entry,
        step=step,
        client_note=client_note,
        therapist_note=therapist_note,
        item=item,
        later_session=factories.make_session(cast.case_a),
        other_entry=factories.make_rupture(cast.session_b, cast.therapist_b, account="Case B."),
    )


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


@contextmanager
def rolled_back_at_the_end(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """For module-scoped data: database access outside a test, in a transaction that is
    rolled back when the block ends. Tests using such data also take `db`, so what each test
    writes goes with its own savepoint."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The cast and world, built once per module: for tests that never change these objects
    in memory (each test's own writes are rolled back after it)."""
    with rolled_back_at_the_end(django_db_blocker):
        yield build_world(build_cast())


# --- Form payloads: everything valid, so a test changes only what it is about --------------


def entry_data(**overrides: Any) -> dict[str, Any]:
    """A therapist's rupture form."""
    data: dict[str, Any] = {
        "minute": "12",
        "recognised": "during",
        "family": "withdrawal",
        "markers": ["minimal_response", "topic_shift"],
        "causes": ["unmet_expectation"],
        "intensity": "3",
        "account": "They changed the subject when I raised homework.",
        "visibility": "shared",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def flag_data(therapy_session: TherapySession, /, **overrides: Any) -> dict[str, Any]:
    """A client's "flag a moment" form."""
    data: dict[str, Any] = {
        "therapy_session": str(therapy_session.pk),
        "when": "not_sure",
        "account": "I felt you did not hear what I said about work.",
        "feelings": ["unheard", "rushed"],
        "intensity": "2",
        "visibility": "shared",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def step_data(therapy_session: TherapySession, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "therapy_session": str(therapy_session.pk),
        "initiated_by": "therapist",
        "strategy": "invite_feelings",
        "description": "I asked how the homework talk had felt.",
        "outcome": "partly",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def check_in_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"tension": "yes", "intensity": "3", "resolution": "3", "comment": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def flag_edit_data(flag: Rupture, **overrides: Any) -> dict[str, Any]:
    """The client's edit form for `flag`, as loaded now."""
    loaded = {"account": flag.account, "version": str(flag.version), **overrides}
    return flag_data(flag.therapy_session, **loaded)


# --- Looking at what happened -----------------------------------------------------------


def snapshot() -> dict[str, list[tuple]]:
    """Everything a write could change, to compare before and after a refused request."""
    return {
        "ruptures": list(
            Rupture.objects.order_by("pk").values_list(
                "pk",
                "version",
                "updated_at",
                "withdrawn_at",
                "account",
                "minute",
                "family",
                "visibility",
                "shared_at",
                "status",
                "agreement",
                "client_view",
                "counterpart_id",
            )
        ),
        "codes": list(RuptureCode.objects.order_by("pk").values_list("pk", "rupture", "code")),
        "steps": list(
            RepairStep.objects.order_by("pk").values_list(
                "pk", "version", "updated_at", "withdrawn_at", "description", "outcome"
            )
        ),
        "notes": list(
            Note.objects.order_by("pk").values_list(
                "pk", "version", "updated_at", "withdrawn_at", "body", "visibility"
            )
        ),
        "inbox": list(InboxItem.objects.order_by("pk").values_list("pk", "recipient", "read_at")),
        "check_ins": list(CheckIn.objects.order_by("pk").values_list("pk", "respondent")),
        "revisions": list(Case.objects.order_by("pk").values_list("pk", "revision")),
        "notices": list(User.objects.order_by("pk").values_list("pk", "notify_by_email")),
    }


def revision(case: Case) -> int:
    return Case.objects.values_list("revision", flat=True).get(pk=case.pk)


def text(response: HttpResponse) -> str:
    return response.content.decode()


def triggers(response: HttpResponse) -> dict[str, Any]:
    """The events in the HX-Trigger header (empty when there is none)."""
    raw = response.headers.get("HX-Trigger")
    return json.loads(raw) if raw else {}


def form_version(response: HttpResponse) -> int:
    """The version a rendered edit form carries in its hidden field."""
    found = re.search(r'name="version" value="(\d+)"', text(response))
    assert found, "the form has no version field"
    return int(found.group(1))


def textarea(response: HttpResponse, name: str) -> str:
    """What a rendered form's textarea holds (HTML-escaped as rendered)."""
    found = re.search(rf'<textarea name="{name}"[^>]*>\s*(.*?)</textarea>', text(response), re.S)
    assert found, f"no textarea {name!r} in the form"
    return found.group(1)


def assert_card_swapped(response: HttpResponse, rupture: Rupture) -> None:
    """An htmx save that changed a card: the fresh card, a `ruptureChanged` event, and the
    page's poller swapped out of band at the case's new revision."""
    assert response.status_code == 200
    body = text(response)
    assert f'id="rupture-{rupture.pk}"' in body
    assert triggers(response)["ruptureChanged"] == {"id": rupture.pk}
    assert 'id="poller"' in body
    assert 'hx-swap-oob="true"' in body
    assert f"?rev={revision(rupture.case)}" in body


def assert_created_notice(response: HttpResponse) -> None:
    """An htmx save that created an entry: a notice in the form's slot, and the timeline told
    to reload itself."""
    assert response.status_code == 200
    assert 'class="notice"' in text(response)
    assert "timelineChanged" in triggers(response)


def assert_back_to_session(response: HttpResponse, therapy_session: TherapySession) -> None:
    """A save without htmx: 303 to the session's timeline."""
    assert response.status_code == 303, response.status_code
    assert response["Location"].startswith(reverse("session_detail", args=[therapy_session.pk]))


# The review's hand-computed practice (tests/repairs/review/practice.py), for the review's
# figures and for the pages that show them (tests/repairs/views/test_review*.py).
from tests.repairs.review.practice import module_practice, practice  # noqa: E402, F401
