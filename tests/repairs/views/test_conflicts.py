"""Two people (or two tabs) editing the same item: the later save from a stale copy is refused
with a 409 that shows what is saved now and keeps the editor's text; nothing is overwritten,
and saving again on purpose goes through. Stale one-click actions get the fresh card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from repairs import services
from repairs.models import Note, RepairStep, Rupture
from repairs.services import RepairStepData, RuptureData
from tests.repairs.conftest import (
    MODES,
    World,
    entry_data,
    flag_edit_data,
    form_version,
    snapshot,
    step_data,
    text,
    textarea,
)

pytestmark = pytest.mark.django_db

THEIRS = "Saved first, from the other tab."
MINE = "Typed here, from a stale copy."


def _rupture_data(rupture: Rupture, account: str) -> RuptureData:
    return RuptureData(
        minute=rupture.minute,
        account=account,
        intensity=rupture.intensity,
        recognised=rupture.recognised,
        family=rupture.family,
        visibility=rupture.visibility,
    )


def other_tab_edits_entry(world: World) -> None:
    entry = Rupture.objects.get(pk=world.entry.pk)
    services.rupture_update(
        entry, expected_version=entry.version, data=_rupture_data(entry, THEIRS)
    )


def client_edits_flag_by_post(world: World) -> None:
    # The other save arrives the ordinary way: a second POST of the same form.
    response = world.login("client_a").post(
        reverse("rupture_edit", args=[world.flag.pk]), flag_edit_data(world.flag, account=THEIRS)
    )
    assert response.status_code == 303


def other_tab_edits_step(world: World) -> None:
    step = RepairStep.objects.get(pk=world.step.pk)
    data = RepairStepData(
        therapy_session=step.therapy_session,
        initiated_by=step.initiated_by,
        strategy=step.strategy,
        description=THEIRS,
        outcome=step.outcome,
    )
    services.repair_step_update(step, expected_version=step.version, data=data)


def other_tab_edits_note(world: World) -> None:
    note = Note.objects.get(pk=world.client_note.pk)
    services.note_update(note, expected_version=note.version, body=THEIRS)


@dataclass(frozen=True)
class Conflict:
    label: str
    persona: str
    url_name: str
    target: str
    interfere: Callable[[World], None]
    payload: Callable[[World, int, str], dict[str, Any]]
    field: str  # the textarea holding the editor's words
    stored: Callable[[World], str]  # the stored text that the stale save must not replace


CONFLICTS = [
    Conflict(
        "therapist-edits-their-entry",
        "therapist_a",
        "rupture_edit",
        "entry",
        other_tab_edits_entry,
        lambda w, version, account: entry_data(version=str(version), account=account),
        "account",
        lambda w: Rupture.objects.get(pk=w.entry.pk).account,
    ),
    Conflict(
        "client-edits-their-flag",
        "client_a",
        "rupture_edit",
        "flag",
        client_edits_flag_by_post,
        lambda w, version, account: flag_edit_data(w.flag, version=str(version), account=account),
        "account",
        lambda w: Rupture.objects.get(pk=w.flag.pk).account,
    ),
    Conflict(
        # The therapist sets the status of a client's flag while the client rewrites it.
        "therapist-sets-status-while-the-client-edits",
        "therapist_a",
        "rupture_status",
        "flag",
        client_edits_flag_by_post,
        lambda w, version, agreement: {
            "status": "resolved",
            "agreement": agreement,
            "version": str(version),
        },
        "agreement",
        lambda w: Rupture.objects.get(pk=w.flag.pk).account,
    ),
    Conflict(
        "therapist-edits-a-repair-step",
        "therapist_a",
        "step_edit",
        "step",
        other_tab_edits_step,
        lambda w, version, description: step_data(
            w.cast.session_a, version=str(version), description=description
        ),
        "description",
        lambda w: RepairStep.objects.get(pk=w.step.pk).description,
    ),
    Conflict(
        "client-edits-a-note",
        "client_a",
        "note_edit",
        "client_note",
        other_tab_edits_note,
        lambda w, version, body: {"body": body, "version": str(version)},
        "body",
        lambda w: Note.objects.get(pk=w.client_note.pk).body,
    ),
]


@pytest.mark.parametrize("conflict", CONFLICTS, ids=[c.label for c in CONFLICTS])
@MODES
def test_a_save_from_a_stale_form_is_refused_and_shows_both_versions(
    world: World, conflict: Conflict, headers: dict[str, str]
) -> None:
    url = reverse(conflict.url_name, args=[getattr(world, conflict.target).pk])
    editor = world.login(conflict.persona, **headers)
    loaded = form_version(editor.get(url))

    conflict.interfere(world)
    after_theirs = snapshot()
    response = editor.post(url, conflict.payload(world, loaded, MINE))

    assert response.status_code == 409
    body = text(response)
    assert "Someone else saved this" in body
    assert THEIRS in body  # what is saved now
    assert textarea(response, conflict.field) == MINE  # the editor's words are kept
    assert form_version(response) == loaded + 1  # ready to save again on purpose
    assert snapshot() == after_theirs
    assert conflict.stored(world) == THEIRS
    if headers:
        # htmx shows the refused form where it was, not in place of the card.
        assert response["HX-Retarget"].startswith("#slot-")

    again = editor.post(url, conflict.payload(world, form_version(response), MINE))

    assert again.status_code == (200 if headers else 303)
    assert snapshot() != after_theirs


def test_saving_again_after_a_conflict_stores_the_editors_text(world: World) -> None:
    url = reverse("rupture_edit", args=[world.entry.pk])
    editor = world.login("therapist_a")
    other_tab_edits_entry(world)
    refused = editor.post(url, entry_data(version="1", account=MINE))
    assert refused.status_code == 409
    editor.post(url, entry_data(version=str(form_version(refused)), account=MINE))
    assert Rupture.objects.get(pk=world.entry.pk).account == MINE


# --- One-click actions from a stale card ---------------------------------------------------


@dataclass(frozen=True)
class Stale:
    label: str
    persona: str
    url_name: str
    target: str  # the item the button acts on
    card: str  # the rupture whose card the button sits on
    interfere: Callable[[World], None]
    fresh_text: str  # what the fresh card shows that the stale one did not


def therapist_adds_a_step_to_the_flag(world: World) -> None:
    # The first repair step moves the flag to "repairing", a new version of it.
    response = world.login("therapist_a").post(
        reverse("step_new", args=[world.flag.pk]), step_data(world.cast.session_a)
    )
    assert response.status_code == 303


def client_edits_the_draft(world: World) -> None:
    draft = Rupture.objects.get(pk=world.draft.pk)
    services.rupture_update(draft, expected_version=1, data=_rupture_data(draft, THEIRS))


STALE = [
    Stale(
        "share-a-draft-edited-since",
        "client_a",
        "rupture_share",
        "draft",
        "draft",
        client_edits_the_draft,
        THEIRS,
    ),
    Stale(
        "withdraw-an-entry-edited-since",
        "therapist_a",
        "rupture_withdraw",
        "entry",
        "entry",
        other_tab_edits_entry,
        THEIRS,
    ),
    Stale(
        "withdraw-a-flag-the-therapist-has-started-repairing",
        "client_a",
        "rupture_withdraw",
        "flag",
        "flag",
        therapist_adds_a_step_to_the_flag,
        "Repairing",
    ),
    Stale(
        "withdraw-a-step-edited-since",
        "therapist_a",
        "step_withdraw",
        "step",
        "entry",
        other_tab_edits_step,
        THEIRS,
    ),
    Stale(
        "withdraw-a-note-edited-since",
        "client_a",
        "note_withdraw",
        "client_note",
        "entry",
        other_tab_edits_note,
        THEIRS,
    ),
]


@pytest.mark.parametrize("stale", STALE, ids=[s.label for s in STALE])
@MODES
def test_a_one_click_action_from_a_stale_card_changes_nothing(
    world: World, stale: Stale, headers: dict[str, str]
) -> None:
    card = getattr(world, stale.card)
    loaded_version = getattr(world, stale.target).version
    stale.interfere(world)
    after_theirs = snapshot()
    client = world.login(stale.persona, **headers)

    response = client.post(
        reverse(stale.url_name, args=[getattr(world, stale.target).pk]),
        {"version": loaded_version},
    )

    assert snapshot() == after_theirs
    if headers:
        assert response.status_code == 409
        assert f'id="rupture-{card.pk}"' in text(response)
        assert stale.fresh_text in text(response)
    else:
        assert response.status_code == 303
        assert response["Location"].startswith(
            reverse("session_detail", args=[card.therapy_session_id])
        )
        page = client.get(response["Location"])
        assert "This entry changed since you opened the page." in text(page)


def test_the_conflict_page_shows_the_saved_moment_not_the_refused_edit(world: World) -> None:
    # Without JavaScript the form is a page that opens with the moment it is about; after a
    # conflict that must be the saved moment, not the text that was just refused.
    other_tab_edits_entry(world)
    response = world.login("therapist_a").post(
        reverse("rupture_edit", args=[world.entry.pk]), entry_data(version="1", account=MINE)
    )
    assert response.status_code == 409
    body = text(response)
    context = body[body.index('class="card context"') : body.index('class="inline-form"')]
    assert THEIRS in context
    assert MINE not in context
