"""The history pages: every version of a rupture, repair step and note, who made it and what
it changed, for the people allowed to see it and nobody else. Runs on both databases (on
PostgreSQL the triggers write the history, on SQLite the service functions)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from repairs.models import Note, RepairStep
from rupturelog.audit.models import AccessEvent, Action
from tests import factories
from tests.conftest import Cast
from tests.repairs.conftest import entry_data, flag_edit_data, step_data
from tests.repairs.views.conftest import flag_moment, history_text, log_entry, plain

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "ZZ-DRAFT-ONLY-9321: something I am not ready to say."
SHARED_TEXT = "You moved on before I had finished."


def test_every_edit_status_change_and_the_withdrawal_are_versions_with_what_changed(
    cast: Cast, therapist: Client
) -> None:
    rupture = log_entry(therapist, cast, account="First account.")
    therapist.post(
        reverse("rupture_edit", args=[rupture.pk]),
        entry_data(account="Second account.", markers=["denial"], intensity="4", version="1"),
    )
    therapist.post(
        reverse("rupture_status", args=[rupture.pk]),
        {"status": "repairing", "agreement": "Check in about homework first.", "version": "2"},
    )
    therapist.post(reverse("rupture_withdraw", args=[rupture.pk]), {"version": "3"})

    page = history_text(therapist, rupture)

    assert page.index("Wrote the entry") < page.index("Edited the entry")
    assert page.index("Edited the entry") < page.index("Changed the status")
    assert page.index("Changed the status") < page.index("Withdrew the entry")
    assert "What happened changed. Before: First account. After: Second account." in page
    assert "Strength: 3 of 5 → 4 of 5" in page
    assert "Markers: Minimal answers, Story or topic shift → Denies a reaction" in page
    assert "Status: Open → Repairing" in page
    assert "Before: (empty) After: Check in about homework first." in page
    assert "Withdrawn: no → yes" in page
    assert "This entry was withdrawn on" in page
    assert page.count("· You") == 4


def test_the_history_says_who_made_each_change_by_name(cast: Cast, therapist: Client) -> None:
    flag = flag_moment(cast.client_for("client_a"), cast, account=SHARED_TEXT)
    therapist.post(
        reverse("rupture_status", args=[flag.pk]),
        {"status": "resolved", "agreement": "", "version": "1"},
    )

    as_client = history_text(cast.client_for("client_a"), flag)
    as_therapist = history_text(therapist, flag)

    assert "Wrote the entry" in as_client and "· You" in as_client
    assert f"· {cast.therapist_a.display_name} Status: Open → Resolved" in as_client
    assert f"· {cast.client_a.display_name} What happened" in as_therapist
    assert "· You Status: Open → Resolved" in as_therapist


def test_the_therapist_never_sees_the_versions_of_a_client_draft(
    cast: Cast, therapist: Client
) -> None:
    client = cast.client_for("client_a")
    flag = flag_moment(client, cast, account=DRAFT_TEXT, visibility="private")
    assert therapist.get(reverse("rupture_history", args=[flag.pk])).status_code == 404

    client.post(
        reverse("rupture_edit", args=[flag.pk]),
        flag_edit_data(flag, account=SHARED_TEXT, visibility="private"),
    )
    client.post(reverse("rupture_share", args=[flag.pk]), {"version": "2"})

    own = history_text(client, flag)
    assert DRAFT_TEXT in own and SHARED_TEXT in own  # the author sees every version
    seen = history_text(therapist, flag)
    assert DRAFT_TEXT not in seen
    assert "Before it was shared: 2 private versions, not shown." in seen
    assert "Shared it with the care team" in seen and SHARED_TEXT in seen
    assert "Versions from before it was shared are private to its author" in seen


def test_a_therapists_private_entry_shows_the_client_only_what_was_shared(
    cast: Cast, therapist: Client
) -> None:
    secret = "ZZ-THERAPIST-PRIVATE-4410 my own reflection."
    entry = log_entry(therapist, cast, account=secret, visibility="private")
    client = cast.client_for("client_a")
    assert client.get(reverse("rupture_history", args=[entry.pk])).status_code == 404

    therapist.post(
        reverse("rupture_edit", args=[entry.pk]),
        entry_data(account="What I want to share.", visibility="shared", version="1"),
    )
    seen = history_text(client, entry)
    assert secret not in seen
    assert "What I want to share." in seen
    assert "Before it was shared: 1 private version, not shown." in seen
    # Clients do not see the therapist's classification, here either.
    assert "Markers" not in seen and "Family" not in seen


def test_a_client_sees_feelings_but_not_codes_changing(cast: Cast, therapist: Client) -> None:
    entry = log_entry(therapist, cast)
    therapist.post(
        reverse("rupture_edit", args=[entry.pk]),
        entry_data(markers=["denial"], version="1"),
    )
    seen = history_text(cast.client_for("client_a"), entry)
    # The only change was to markers, which a client's card does not show: no empty version.
    assert "Edited the entry" not in seen
    assert "Edited the entry" in history_text(therapist, entry)


def test_repair_steps_and_notes_have_their_own_history_withdrawal_included(
    cast: Cast, therapist: Client
) -> None:
    entry = log_entry(therapist, cast)
    therapist.post(reverse("step_new", args=[entry.pk]), step_data(cast.session_a))
    step = RepairStep.objects.get(rupture=entry)
    therapist.post(
        reverse("step_edit", args=[step.pk]),
        step_data(
            cast.session_a, outcome="helped", description="We talked it through.", version="1"
        ),
    )
    therapist.post(reverse("step_withdraw", args=[step.pk]), {"version": "2"})
    client = cast.client_for("client_a")
    client.post(
        reverse("note_new", args=[entry.pk]), {"body": "It helped.", "visibility": "shared"}
    )
    note = Note.objects.get(rupture=entry)
    client.post(reverse("note_edit", args=[note.pk]), {"body": "It really helped.", "version": "1"})

    steps = history_text(therapist, reverse("step_history", args=[step.pk]))
    assert "How it landed: Partly helped → Helped" in steps
    assert "Before: I asked how the homework talk had felt. After: We talked it through." in steps
    assert "Withdrew the repair step" in steps
    notes = history_text(therapist, reverse("note_history", args=[note.pk]))
    assert "Before: It helped. After: It really helped." in notes
    assert f"· {cast.client_a.display_name}" in notes

    # The rupture's page leads to both, the withdrawn step too (it left the timeline).
    page = history_text(client, entry)
    assert "History of repair step 1 withdrawn" in page
    assert "History of the note by you" in page
    # Adding the step moved the rupture from open to repairing: that is a version too.
    assert "Status: Open → Repairing" in page


WRONG_PEOPLE = ["client_b", "therapist_b", "supervisor_a", "supervisor_b", "admin"]


@pytest.mark.parametrize("persona", WRONG_PEOPLE)
@pytest.mark.parametrize("kind", ["rupture_history", "step_history", "note_history"])
def test_anyone_but_the_author_the_therapist_and_the_client_gets_a_404(
    cast: Cast, persona: str, kind: str
) -> None:
    entry = factories.make_full_rupture(cast.session_a, account="ZZ-WRONG-PERSON-5150")
    pk = {
        "rupture_history": entry.pk,
        "step_history": entry.repair_steps.get().pk,
        "note_history": entry.notes.filter(author=cast.therapist_a).get().pk,
    }[kind]
    response = cast.client_for(persona).get(reverse(kind, args=[pk]))
    assert response.status_code == 404
    assert b"ZZ-WRONG-PERSON-5150" not in response.content


def test_anonymous_is_sent_to_log_in_and_shown_nothing(cast: Cast) -> None:
    entry = factories.make_rupture(cast.session_a, cast.therapist_a, account="ZZ-ANON-5151")
    response = Client().get(reverse("rupture_history", args=[entry.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_supervisor_opens_the_history_of_their_own_note_only(cast: Cast) -> None:
    entry = factories.make_rupture(cast.session_a, cast.therapist_a)
    supervisor = cast.client_for("supervisor_a")
    supervisor.post(
        reverse("note_new", args=[entry.pk]),
        {"body": "Consider the timing.", "visibility": "shared"},
    )
    note = Note.objects.get(rupture=entry)
    assert "Consider the timing." in history_text(
        supervisor, reverse("note_history", args=[note.pk])
    )
    # The therapist reads supervision notes, so may read their history; the client may not.
    assert "Consider the timing." in history_text(
        cast.client_for("therapist_a"), reverse("note_history", args=[note.pk])
    )
    assert (
        cast.client_for("client_a").get(reverse("note_history", args=[note.pk])).status_code == 404
    )
    assert supervisor.get(reverse("rupture_history", args=[entry.pk])).status_code == 404
    # ...so their note's page does not lead there either.
    own_page = supervisor.get(reverse("note_history", args=[note.pk])).content.decode()
    assert reverse("rupture_history", args=[entry.pk]) not in own_page


def test_opening_a_history_is_logged_as_a_view_of_that_object(
    cast: Cast, therapist: Client
) -> None:
    entry = factories.make_rupture(cast.session_a, cast.therapist_a)
    therapist.get(reverse("rupture_history", args=[entry.pk]))
    event = AccessEvent.objects.get()
    assert (event.action, event.page, event.object_type, event.object_id, event.case_id) == (
        Action.VIEW,
        "rupture_history",
        "rupture",
        entry.pk,
        cast.case_a.pk,
    )


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="on PostgreSQL the trigger records every insert, whoever sends it",
)
def test_an_item_written_before_history_began_says_so(cast: Cast, therapist: Client) -> None:
    from repairs.models import Rupture

    entry = Rupture.objects.create(
        therapy_session=cast.session_a,
        author=cast.therapist_a,
        author_role="therapist",
        account="Old entry.",
    )
    assert "written before version history began" in history_text(therapist, entry)


def test_the_card_links_to_the_history_with_its_version_count_and_no_extra_query(
    cast: Cast, therapist: Client
) -> None:
    entry = log_entry(therapist, cast)
    url = reverse("session_detail", args=[cast.session_a.pk])
    with CaptureQueriesContext(connection) as one_card:
        page = plain(therapist.get(url))
    assert "History" in page and "(2 versions)" not in page
    therapist.post(reverse("rupture_edit", args=[entry.pk]), entry_data(version="1"))
    for _ in range(3):
        log_entry(therapist, cast)
    with CaptureQueriesContext(connection) as four_cards:
        page = plain(therapist.get(url))
    assert "History (2 versions)" in page
    assert len(four_cards) == len(one_card)
    assert (
        f'href="{reverse("rupture_history", args=[entry.pk])}"'
        in therapist.get(url).content.decode()
    )
