"""What lands in whose inbox, marking it read, the badge, and the two home pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from repairs.codes import InboxKind, Status
from repairs.models import InboxItem, Rupture
from rupturelog.accounts.models import User
from sessions.models import CheckIn, TherapySession
from tests import factories
from tests.repairs.conftest import World, check_in_data, entry_data, flag_data, text

pytestmark = pytest.mark.django_db


def inbox(user: User) -> list[tuple[str, int | None]]:
    """(kind, rupture id) of the user's items, oldest first."""
    return list(
        InboxItem.objects.filter(recipient=user).order_by("pk").values_list("kind", "rupture_id")
    )


def new_items(user: User, before: list) -> list[tuple[str, int | None]]:
    return inbox(user)[len(before) :]


def recent_session(world: World) -> TherapySession:
    """A session of case A that ended yesterday: its check-in is due."""
    return factories.make_session(world.cast.case_a, starts_at=timezone.now() - timedelta(days=1))


# --- What lands where ------------------------------------------------------------------


def test_a_shared_flag_lands_in_the_therapists_inbox(world: World) -> None:
    therapist, client = world.cast.therapist_a, world.cast.client_a
    before_t, before_c = inbox(therapist), inbox(client)
    world.login("client_a").post(reverse("flag_new"), flag_data(world.cast.session_a))
    flag = Rupture.objects.latest("pk")
    assert new_items(therapist, before_t) == [(InboxKind.CLIENT_FLAG, flag.pk)]
    assert new_items(client, before_c) == []


def test_a_private_draft_lands_nowhere_until_it_is_shared(world: World) -> None:
    therapist = world.cast.therapist_a
    before = inbox(therapist)
    client = world.login("client_a")
    client.post(reverse("flag_new"), flag_data(world.cast.session_a, visibility="private"))
    draft = Rupture.objects.latest("pk")
    assert new_items(therapist, before) == []

    client.post(reverse("rupture_share", args=[draft.pk]), {"version": draft.version})

    assert new_items(therapist, before) == [(InboxKind.CLIENT_FLAG, draft.pk)]


def test_a_client_reply_lands_in_the_therapists_inbox(world: World) -> None:
    before = inbox(world.cast.therapist_a)
    world.login("client_a").post(reverse("note_new", args=[world.entry.pk]), {"body": "Yes."})
    assert new_items(world.cast.therapist_a, before) == [(InboxKind.REPLY, world.entry.pk)]


def test_a_therapists_shared_reply_lands_in_the_clients_inbox(world: World) -> None:
    before = inbox(world.cast.client_a)
    world.login("therapist_a").post(
        reverse("note_new", args=[world.flag.pk]), {"body": "Thank you.", "visibility": "shared"}
    )
    assert new_items(world.cast.client_a, before) == [(InboxKind.REPLY, world.flag.pk)]


def test_a_therapists_private_note_tells_the_client_nothing(world: World) -> None:
    before = inbox(world.cast.client_a)
    world.login("therapist_a").post(
        reverse("note_new", args=[world.flag.pk]), {"body": "For me.", "visibility": "private"}
    )
    assert new_items(world.cast.client_a, before) == []


@pytest.mark.parametrize(
    ("visibility", "announced"), [("shared", True), ("private", False)], ids=["shared", "private"]
)
def test_a_therapist_entry_is_announced_to_the_client_only_when_shared(
    world: World, visibility: str, announced: bool
) -> None:
    before = inbox(world.cast.client_a)
    world.login("therapist_a").post(
        reverse("rupture_new", args=[world.cast.session_a.pk]),
        entry_data(visibility=visibility),
    )
    expected = [(InboxKind.SHARED_ENTRY, Rupture.objects.latest("pk").pk)] if announced else []
    assert new_items(world.cast.client_a, before) == expected


# --- Check-ins -------------------------------------------------------------------------

NO = {"tension": "no", "intensity": "", "resolution": ""}


def answered(resolution: int) -> dict[str, str]:
    return check_in_data(resolution=str(resolution))


CHECK_INS = [
    pytest.param(answered(3), NO, True, id="client-saw-tension-therapist-did-not"),
    pytest.param(NO, answered(3), True, id="therapist-saw-tension-client-did-not"),
    pytest.param(answered(1), answered(3), True, id="resolution-differs-by-2"),
    pytest.param(answered(5), answered(1), True, id="resolution-differs-by-4"),
    pytest.param(answered(3), answered(4), False, id="resolution-differs-by-1"),
    pytest.param(answered(2), answered(2), False, id="same-answers"),
    pytest.param(NO, NO, False, id="neither-saw-tension"),
]


@pytest.mark.parametrize(
    "first", ["client_a", "therapist_a"], ids=["client-first", "therapist-first"]
)
@pytest.mark.parametrize(("client_says", "therapist_says", "disagree"), CHECK_INS)
def test_check_ins_that_disagree_tell_the_therapist(
    world: World,
    client_says: dict[str, str],
    therapist_says: dict[str, str],
    disagree: bool,
    first: str,
) -> None:
    session = recent_session(world)
    answers = {"client_a": client_says, "therapist_a": therapist_says}
    order = [first, *(p for p in answers if p != first)]
    before_t, before_c = inbox(world.cast.therapist_a), inbox(world.cast.client_a)
    for persona in order:
        response = world.login(persona).post(
            reverse("check_in", args=[session.pk]), answers[persona]
        )
        assert response.status_code == 303
        assert response["Location"] == reverse("home")
    assert CheckIn.objects.filter(therapy_session=session).count() == 2
    expected = [(InboxKind.CHECK_IN_DISAGREES, None)] if disagree else []
    assert new_items(world.cast.therapist_a, before_t) == expected
    assert new_items(world.cast.client_a, before_c) == []


def test_a_check_in_without_tension_stores_no_ratings(world: World) -> None:
    session = recent_session(world)
    world.login("client_a").post(
        reverse("check_in", args=[session.pk]), {"tension": "no", "intensity": "4"}
    )
    answer = CheckIn.objects.get(therapy_session=session)
    assert (answer.tension, answer.intensity, answer.resolution) == (False, None, None)
    assert answer.respondent_role == "client"


def test_answering_the_check_in_twice_keeps_the_first_answer(world: World) -> None:
    session = recent_session(world)
    client = world.login("client_a")
    client.post(reverse("check_in", args=[session.pk]), check_in_data(resolution="1"))
    again = client.post(reverse("check_in", args=[session.pk]), check_in_data(resolution="5"))
    assert again.status_code == 303
    assert again["Location"] == session.get_absolute_url()
    assert CheckIn.objects.get(therapy_session=session).resolution == 1
    assert "already answered" in text(client.get(again["Location"]))


# --- Reading the inbox -----------------------------------------------------------------


def _item(world: World, recipient: User, rupture: Rupture | None = None) -> InboxItem:
    return InboxItem.objects.create(
        recipient=recipient,
        kind=InboxKind.REPLY,
        case=world.cast.case_a,
        therapy_session=world.cast.session_a,
        rupture=rupture,
    )


def test_marking_an_item_read_marks_only_that_item(world: World) -> None:
    other_mine = _item(world, world.cast.therapist_a, world.entry)
    the_clients = _item(world, world.cast.client_a, world.entry)
    response = world.login("therapist_a").post(reverse("inbox_mark_read", args=[world.item.pk]))
    assert response.status_code == 303
    assert response["Location"] == reverse("home")
    world.item.refresh_from_db()
    other_mine.refresh_from_db()
    the_clients.refresh_from_db()
    assert world.item.read_at is not None
    assert other_mine.read_at is None
    assert the_clients.read_at is None


def test_opening_an_item_marks_it_read_and_goes_to_the_moment(world: World) -> None:
    response = world.login("therapist_a").post(
        reverse("inbox_mark_read", args=[world.item.pk]), {"open": "1"}
    )
    assert response.status_code == 303
    assert response["Location"] == world.flag.get_absolute_url()
    world.item.refresh_from_db()
    assert world.item.read_at is not None


def test_marking_another_persons_item_read_is_a_404(world: World) -> None:
    the_clients = _item(world, world.cast.client_a)
    response = world.login("therapist_a").post(reverse("inbox_mark_read", args=[the_clients.pk]))
    assert response.status_code == 404
    the_clients.refresh_from_db()
    assert the_clients.read_at is None


def test_mark_all_read_marks_only_your_own_items(world: World) -> None:
    _item(world, world.cast.therapist_a, world.entry)
    the_clients = _item(world, world.cast.client_a, world.entry)
    therapist_b_item = InboxItem.objects.create(
        recipient=world.cast.therapist_b,
        kind=InboxKind.CLIENT_FLAG,
        case=world.cast.case_b,
        therapy_session=world.cast.session_b,
    )
    client = world.login("therapist_a")
    response = client.post(reverse("inbox_mark_all_read"))
    assert response.status_code == 303
    assert response["Location"] == reverse("home")
    assert not InboxItem.objects.filter(recipient=world.cast.therapist_a, read_at__isnull=True)
    assert (
        InboxItem.objects.filter(pk__in=[the_clients.pk, therapist_b_item.pk])
        .filter(read_at__isnull=True)
        .count()
        == 2
    )
    assert "Marked 2 items as read." in text(client.get(reverse("home")))


def test_the_badge_answers_204_while_the_count_is_unchanged(world: World) -> None:
    response = world.login("therapist_a").get(reverse("inbox_badge") + "?n=1")
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("query", ["?n=0", "?n=7", "?n=x", ""], ids=["n-0", "n-7", "n-x", "no-n"])
def test_the_badge_renders_when_the_count_changed(world: World, query: str) -> None:
    response = world.login("therapist_a").get(reverse("inbox_badge") + query)
    assert response.status_code == 200
    body = text(response)
    assert 'id="inbox-badge"' in body
    assert '<span class="badge">1<' in body
    assert f"{reverse('inbox_badge')}?n=1" in body  # the next poll asks about the new count
    assert "<html" not in body


def test_the_badge_shows_no_number_when_nothing_is_unread(world: World) -> None:
    InboxItem.objects.update(read_at=timezone.now())
    response = world.login("therapist_a").get(reverse("inbox_badge") + "?n=1")
    assert response.status_code == 200
    assert 'class="badge"' not in text(response)
    assert "?n=0" in text(response)


# --- Home pages ------------------------------------------------------------------------


def test_the_therapist_home_lists_unread_items_open_ruptures_and_check_ins_due(
    world: World,
) -> None:
    due = recent_session(world)
    Rupture.objects.filter(pk=world.private_entry.pk).update(status=Status.RESOLVED)
    read = _item(world, world.cast.therapist_a, world.entry)
    InboxItem.objects.filter(pk=read.pk).update(read_at=timezone.now())
    factories.make_rupture(world.cast.session_b, world.cast.therapist_b, minute=44)

    body = text(world.login("therapist_a").get(reverse("home")))

    # Unread: the flag; the read reply is gone.
    assert "New flag from a client — Ada Quillfeather, session 1" in body
    assert f'href="{world.item.get_absolute_url()}"' in body
    assert "New reply" not in body
    assert reverse("inbox_mark_read", args=[world.item.pk]) in body
    # Open ruptures: the flag and the shared entry, not the resolved one, not case B's.
    assert f'href="{world.flag.get_absolute_url()}"' in body
    assert f'href="{world.entry.get_absolute_url()}"' in body
    assert f'href="{world.private_entry.get_absolute_url()}"' not in body
    assert "minute 44" not in body
    # Check-ins to answer: yesterday's session.
    assert reverse("check_in", args=[due.pk]) in body
    assert reverse("check_in", args=[world.cast.session_a.pk]) not in body  # too long ago


def test_the_therapist_home_drops_a_check_in_once_answered(world: World) -> None:
    due = recent_session(world)
    client = world.login("therapist_a")
    assert reverse("check_in", args=[due.pk]) in text(client.get(reverse("home")))
    client.post(reverse("check_in", args=[due.pk]), check_in_data())
    assert reverse("check_in", args=[due.pk]) not in text(client.get(reverse("home")))


def test_the_client_home_asks_how_the_last_session_was_until_answered(world: World) -> None:
    due = recent_session(world)
    client = world.login("client_a")
    before = text(client.get(reverse("home")))
    assert "How was your last session?" in before
    assert reverse("check_in", args=[due.pk]) in before

    response = client.post(reverse("check_in", args=[due.pk]), check_in_data())
    assert response.status_code == 303

    after = text(client.get(reverse("home")))
    assert "How was your last session?" not in after
    assert reverse("check_in", args=[due.pk]) not in after


def test_the_client_home_does_not_ask_about_sessions_long_past(world: World) -> None:
    body = text(world.login("client_a").get(reverse("home")))
    assert "How was your last session?" not in body


def test_the_client_home_shows_the_therapists_reply(world: World) -> None:
    world.login("therapist_a").post(
        reverse("note_new", args=[world.flag.pk]), {"body": "Thank you.", "visibility": "shared"}
    )
    body = text(world.login("client_a").get(reverse("home")))
    assert "Your therapist replied, session 1" in body
