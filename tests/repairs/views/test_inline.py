"""Every write works both ways: with htmx (the fresh card, or a notice that reloads the
timeline) and without JavaScript (a 303 back to the session page). And what was stored is
what was meant: codes, "roughly when", sharing, withdrawing, linking, repair, status.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import reverse

from repairs import access
from repairs.codes import Family, InboxKind, Status, Visibility
from repairs.models import InboxItem, Note, RepairStep, Rupture
from tests import factories
from tests.repairs.conftest import (
    HTMX,
    MODES,
    World,
    assert_back_to_session,
    assert_card_swapped,
    assert_created_notice,
    entry_data,
    flag_data,
    flag_edit_data,
    step_data,
    text,
)

pytestmark = pytest.mark.django_db


def codes_of(rupture: Rupture) -> list[tuple[str, str]]:
    return sorted(rupture.codes.values_list("kind", "code"))


def newest_rupture() -> Rupture:
    return Rupture.objects.latest("pk")


def assert_saved(response: HttpResponse, headers: dict[str, str], rupture: Rupture) -> None:
    """A save that changed an existing card, answered the way the request asked."""
    if headers:
        assert_card_swapped(response, rupture)
    else:
        assert_back_to_session(response, rupture.therapy_session)
        assert response["Location"].endswith(f"#rupture-{rupture.pk}")


def assert_created(response: HttpResponse, headers: dict[str, str], rupture: Rupture) -> None:
    if headers:
        assert_created_notice(response)
        assert f'href="#rupture-{rupture.pk}"' in text(response)
    else:
        assert_back_to_session(response, rupture.therapy_session)
        assert response["Location"].endswith(f"#rupture-{rupture.pk}")


# --- The client's flag -------------------------------------------------------------------


@MODES
def test_a_shared_flag_is_stored_unclassified_with_its_feelings(
    world: World, headers: dict[str, str]
) -> None:
    session = world.cast.session_a
    response = world.login("client_a", **headers).post(
        reverse("flag_new"),
        # A client cannot classify, whatever a forged form says.
        flag_data(
            session,
            family="confrontation",
            markers=["denial"],
            feelings=["unheard", "judged"],
            intensity="4",
        ),
    )
    flag = newest_rupture()
    assert_created(response, headers, flag)
    assert flag.author == world.cast.client_a
    assert flag.author_role == "client"
    assert flag.therapy_session == session
    assert flag.family == Family.UNCLASSIFIED
    assert flag.intensity == 4
    assert flag.visibility == Visibility.SHARED
    assert flag.shared_at is not None
    assert codes_of(flag) == [("feeling", "judged"), ("feeling", "unheard")]


@pytest.mark.parametrize(
    ("when", "minute", "stored"),
    [
        ("early", "", 9),
        ("middle", "", 30),
        ("late", "", 51),
        ("minute", "17", 17),
        ("not_sure", "", None),
        # A minute typed but "early" chosen: the choice wins.
        ("early", "44", 9),
    ],
    ids=["early", "middle", "late", "a-given-minute", "not-sure", "choice-beats-stray-minute"],
)
def test_roughly_when_is_stored_as_a_minute_of_the_session(
    world: World, when: str, minute: str, stored: int | None
) -> None:
    hour_long = factories.make_session(world.cast.case_a, minutes=60)
    response = world.login("client_a").post(
        reverse("flag_new"), flag_data(hour_long, when=when, minute=minute)
    )
    assert response.status_code == 303
    assert newest_rupture().minute == stored


@MODES
def test_a_private_draft_is_shared_only_when_the_client_shares_it(
    world: World, headers: dict[str, str]
) -> None:
    client = world.login("client_a", **headers)
    client.post(reverse("flag_new"), flag_data(world.cast.session_a, visibility="private"))
    draft = newest_rupture()
    assert draft.visibility == Visibility.PRIVATE
    assert draft.shared_at is None
    assert not access.ruptures_for(world.cast.therapist_a).filter(pk=draft.pk).exists()

    response = client.post(reverse("rupture_share", args=[draft.pk]), {"version": draft.version})

    assert_saved(response, headers, draft)
    draft.refresh_from_db()
    assert draft.visibility == Visibility.SHARED
    assert draft.shared_at is not None
    assert access.ruptures_for(world.cast.therapist_a).filter(pk=draft.pk).exists()


def test_editing_a_draft_into_a_shared_flag_sets_shared_at(world: World) -> None:
    response = world.login("client_a").post(
        reverse("rupture_edit", args=[world.draft.pk]),
        flag_edit_data(world.draft, visibility="shared", when="late"),
    )
    assert_back_to_session(response, world.cast.session_a)
    world.draft.refresh_from_db()
    assert world.draft.visibility == Visibility.SHARED
    assert world.draft.shared_at is not None
    assert world.draft.minute == round(50 * 0.85)
    assert world.draft.family == Family.UNCLASSIFIED


@MODES
def test_a_client_edits_their_flag_in_their_own_words(
    world: World, headers: dict[str, str]
) -> None:
    response = world.login("client_a", **headers).post(
        reverse("rupture_edit", args=[world.flag.pk]),
        flag_edit_data(world.flag, account="On reflection: rushed and unheard.", feelings=[]),
    )
    assert_saved(response, headers, world.flag)
    world.flag.refresh_from_db()
    assert world.flag.account == "On reflection: rushed and unheard."
    assert world.flag.version == 2
    assert world.flag.family == Family.UNCLASSIFIED
    assert codes_of(world.flag) == []
    if headers:
        assert "On reflection: rushed and unheard." in text(response)


# --- The therapist's entry ---------------------------------------------------------------


@MODES
def test_a_therapist_logs_a_rupture_with_its_codes(world: World, headers: dict[str, str]) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("rupture_new", args=[world.cast.session_a.pk]),
        entry_data(
            minute="12",
            recognised="during",
            family="mixed",
            markers=["minimal_response", "rejects_intervention"],
            causes=["unmet_expectation", "sensitive_topic"],
            intensity="5",
        ),
    )
    entry = newest_rupture()
    assert_created(response, headers, entry)
    assert entry.author_role == "therapist"
    assert (entry.minute, entry.recognised, entry.family, entry.intensity) == (
        12,
        "during",
        "mixed",
        5,
    )
    assert entry.shared_at is not None
    assert codes_of(entry) == [
        ("cause", "sensitive_topic"),
        ("cause", "unmet_expectation"),
        ("marker", "minimal_response"),
        ("marker", "rejects_intervention"),
    ]


def test_a_private_therapist_entry_has_no_shared_at(world: World) -> None:
    world.login("therapist_a").post(
        reverse("rupture_new", args=[world.cast.session_a.pk]), entry_data(visibility="private")
    )
    entry = newest_rupture()
    assert entry.visibility == Visibility.PRIVATE
    assert entry.shared_at is None
    assert not access.ruptures_for(world.cast.client_a).filter(pk=entry.pk).exists()


def test_a_rupture_without_a_minute_is_not_sure_when(world: World) -> None:
    world.login("therapist_a").post(
        reverse("rupture_new", args=[world.cast.session_a.pk]), entry_data(minute="")
    )
    assert newest_rupture().minute is None


@MODES
def test_editing_an_entry_saves_the_text_and_replaces_its_codes(
    world: World, headers: dict[str, str]
) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("rupture_edit", args=[world.entry.pk]),
        entry_data(
            version=str(world.entry.version),
            account="Rewritten after supervision.",
            family="confrontation",
            markers=["rejects_intervention"],
            causes=[],
        ),
    )
    assert_saved(response, headers, world.entry)
    world.entry.refresh_from_db()
    assert world.entry.account == "Rewritten after supervision."
    assert world.entry.family == Family.CONFRONTATION
    assert world.entry.version == 2
    assert codes_of(world.entry) == [("marker", "rejects_intervention")]
    if headers:
        assert "Rewritten after supervision." in text(response)


@MODES
def test_withdrawing_an_entry_hides_it_everywhere_but_keeps_the_row(
    world: World, headers: dict[str, str]
) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("rupture_withdraw", args=[world.entry.pk]), {"version": world.entry.version}
    )
    if headers:
        assert response.status_code == 200
        assert 'class="notice"' in text(response)
        assert f'id="rupture-{world.entry.pk}"' not in text(response)
        assert 'hx-swap-oob="true"' in text(response)
        assert "ruptureChanged" in response["HX-Trigger"]
    else:
        assert_back_to_session(response, world.cast.session_a)
    row = Rupture.objects.get(pk=world.entry.pk)
    assert row.withdrawn_at is not None
    assert row.account == world.entry.account
    for persona in ("client_a", "therapist_a", "supervisor_a"):
        user = world.cast.persona(persona)
        assert not access.ruptures_for(user).filter(pk=world.entry.pk).exists()
    page = world.login("therapist_a").get(reverse("session_detail", args=[world.cast.session_a.pk]))
    assert world.entry.account not in text(page)


def test_withdrawing_a_linked_report_unpairs_both(world: World) -> None:
    Rupture.objects.filter(pk=world.flag.pk).update(counterpart=world.entry)
    Rupture.objects.filter(pk=world.entry.pk).update(counterpart=world.flag)
    world.login("client_a").post(
        reverse("rupture_withdraw", args=[world.flag.pk]), {"version": world.flag.version}
    )
    world.flag.refresh_from_db()
    world.entry.refresh_from_db()
    assert world.flag.withdrawn_at is not None
    assert world.flag.counterpart_id is None
    assert world.entry.counterpart_id is None


@MODES
def test_linking_a_flag_to_my_entry_sets_the_counterpart_on_both_rows(
    world: World, headers: dict[str, str]
) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("rupture_link", args=[world.flag.pk]), {"own_entry": str(world.entry.pk)}
    )
    assert_saved(response, headers, world.flag)
    world.flag.refresh_from_db()
    world.entry.refresh_from_db()
    assert world.flag.counterpart_id == world.entry.pk
    assert world.entry.counterpart_id == world.flag.pk


@MODES
def test_recording_my_view_of_a_flag_creates_my_entry_linked_to_it(
    world: World, headers: dict[str, str]
) -> None:
    url = reverse("rupture_new", args=[world.cast.session_a.pk]) + f"?view_of={world.flag.pk}"
    client = world.login("therapist_a", **headers)
    form = client.get(url)
    assert form.status_code == 200
    assert "Your view of this moment" in text(form)
    assert 'name="minute" value="10"' in text(form)  # starts at the flag's minute

    response = client.post(url, entry_data(account="From where I sat it looked like fatigue."))

    entry = newest_rupture()
    assert_created(response, headers, entry)
    assert entry.author == world.cast.therapist_a
    assert entry.counterpart_id == world.flag.pk
    world.flag.refresh_from_db()
    assert world.flag.counterpart_id == entry.pk


# --- Repair, status, the client's view ----------------------------------------------------


@MODES
def test_repair_steps_are_numbered_and_the_first_moves_the_rupture_to_repairing(
    world: World, headers: dict[str, str]
) -> None:
    client = world.login("therapist_a", **headers)
    assert world.flag.status == Status.OPEN
    for n in (1, 2, 3):
        response = client.post(
            reverse("step_new", args=[world.flag.pk]),
            step_data(world.cast.session_a, description=f"Step {n}."),
        )
        assert_saved(response, headers, world.flag)
        world.flag.refresh_from_db()
        assert world.flag.status == Status.REPAIRING
    steps = RepairStep.objects.filter(rupture=world.flag).order_by("position")
    assert [(s.position, s.description) for s in steps] == [
        (1, "Step 1."),
        (2, "Step 2."),
        (3, "Step 3."),
    ]


def test_a_repair_step_may_happen_in_a_later_session(world: World) -> None:
    response = world.login("therapist_a").post(
        reverse("step_new", args=[world.flag.pk]), step_data(world.later_session)
    )
    assert response.status_code == 303
    step = RepairStep.objects.filter(rupture=world.flag).get()
    assert step.therapy_session == world.later_session


def test_a_step_on_a_rupture_already_resolved_leaves_its_status(world: World) -> None:
    Rupture.objects.filter(pk=world.flag.pk).update(status=Status.RESOLVED)
    world.flag.refresh_from_db()
    world.login("therapist_a").post(
        reverse("step_new", args=[world.flag.pk]), step_data(world.cast.session_a)
    )
    world.flag.refresh_from_db()
    assert world.flag.status == Status.RESOLVED


@MODES
def test_the_therapist_sets_status_and_agreement(world: World, headers: dict[str, str]) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("rupture_status", args=[world.entry.pk]),
        {
            "status": "resolved",
            "agreement": "We check in halfway through each session.",
            "version": world.entry.version,
        },
    )
    assert_saved(response, headers, world.entry)
    world.entry.refresh_from_db()
    assert world.entry.status == Status.RESOLVED
    assert world.entry.agreement == "We check in halfway through each session."
    if headers:
        assert "We check in halfway through each session." in text(response)


@MODES
def test_the_client_says_how_they_saw_a_shared_entry(world: World, headers: dict[str, str]) -> None:
    response = world.login("client_a", **headers).post(
        reverse("client_view", args=[world.entry.pk]), {"client_view": "not_noticed"}
    )
    assert_saved(response, headers, world.entry)
    world.entry.refresh_from_db()
    assert world.entry.client_view == "not_noticed"
    assert InboxItem.objects.filter(
        recipient=world.cast.therapist_a, kind=InboxKind.CLIENT_VIEW, rupture=world.entry
    ).exists()
    if headers:
        assert "I didn&#x27;t notice it at the time" in text(response)


@MODES
def test_editing_a_repair_step_saves_it(world: World, headers: dict[str, str]) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("step_edit", args=[world.step.pk]),
        step_data(
            world.later_session,
            version=str(world.step.version),
            outcome="did_not_help",
            description="Tried again the next week.",
        ),
    )
    assert_saved(response, headers, world.entry)
    world.step.refresh_from_db()
    assert (world.step.outcome, world.step.therapy_session_id, world.step.version) == (
        "did_not_help",
        world.later_session.pk,
        2,
    )


@MODES
def test_withdrawing_a_repair_step_takes_it_off_the_card(
    world: World, headers: dict[str, str]
) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("step_withdraw", args=[world.step.pk]), {"version": world.step.version}
    )
    assert_saved(response, headers, world.entry)
    world.step.refresh_from_db()
    assert world.step.withdrawn_at is not None
    if headers:
        assert world.step.description not in text(response)


@pytest.mark.parametrize("persona", ["client_a", "therapist_a"])
@MODES
def test_a_reply_joins_the_thread(world: World, headers: dict[str, str], persona: str) -> None:
    response = world.login(persona, **headers).post(
        reverse("note_new", args=[world.entry.pk]),
        {"body": "Can we talk about it next time?", "visibility": "shared"},
    )
    assert_saved(response, headers, world.entry)
    note = Note.objects.latest("pk")
    assert (note.body, note.author, note.visibility, note.author_role) == (
        "Can we talk about it next time?",
        world.cast.persona(persona),
        Visibility.SHARED,
        persona.removesuffix("_a"),
    )
    if headers:
        assert "Can we talk about it next time?" in text(response)


def test_a_client_note_on_their_own_draft_stays_private(world: World) -> None:
    world.login("client_a").post(reverse("note_new", args=[world.draft.pk]), {"body": "Hmm."})
    assert Note.objects.latest("pk").visibility == Visibility.PRIVATE


@MODES
def test_editing_a_note_saves_it(world: World, headers: dict[str, str]) -> None:
    response = world.login("client_a", **headers).post(
        reverse("note_edit", args=[world.client_note.pk]),
        {"body": "It was a lot at once, and fast.", "version": world.client_note.version},
    )
    assert_saved(response, headers, world.entry)
    world.client_note.refresh_from_db()
    assert world.client_note.body == "It was a lot at once, and fast."
    assert world.client_note.version == 2


@MODES
def test_withdrawing_a_note_takes_it_off_the_card(world: World, headers: dict[str, str]) -> None:
    response = world.login("therapist_a", **headers).post(
        reverse("note_withdraw", args=[world.therapist_note.pk]),
        {"version": world.therapist_note.version},
    )
    assert_saved(response, headers, world.entry)
    world.therapist_note.refresh_from_db()
    assert world.therapist_note.withdrawn_at is not None
    if headers:
        assert world.therapist_note.body not in text(response)


# --- Opening the forms -------------------------------------------------------------------

FORMS = [
    ("therapist_a", "rupture_new", "session"),
    ("therapist_a", "rupture_edit", "entry"),
    ("client_a", "rupture_edit", "flag"),
    ("therapist_a", "rupture_status", "flag"),
    ("therapist_a", "rupture_link", "flag"),
    ("therapist_a", "step_new", "entry"),
    ("therapist_a", "step_edit", "step"),
    ("client_a", "note_new", "entry"),
    ("therapist_a", "note_edit", "therapist_note"),
    ("client_a", "client_view", "entry"),
]


@pytest.mark.parametrize(
    ("persona", "url_name", "target"), FORMS, ids=[f"{r[1]}-{r[2]}-as-{r[0]}" for r in FORMS]
)
def test_each_form_opens_inline_with_htmx_and_as_a_page_without(
    world: World, persona: str, url_name: str, target: str
) -> None:
    obj = world.cast.session_a if target == "session" else getattr(world, target)
    url = reverse(url_name, args=[obj.pk])
    inline = world.login(persona, **HTMX).get(url)
    page = world.login(persona).get(url)
    assert inline.status_code == page.status_code == 200
    assert "<html" not in text(inline)
    assert 'class="inline-form"' in text(inline)
    assert "<html" in text(page)
    assert f'action="{url}"' in text(page)
