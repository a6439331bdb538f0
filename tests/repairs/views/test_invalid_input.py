"""Bad input gets the form back with a clear message (status 200, so htmx swaps it), never a
500, and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse

from repairs.models import Rupture
from tests.repairs.conftest import (
    MODES,
    World,
    check_in_data,
    entry_data,
    flag_data,
    flag_edit_data,
    snapshot,
    step_data,
    text,
)

TOO_LONG = "x" * 5001
LONG_MESSAGE = "Ensure this value has at most 5000 characters (it has 5001)."
NUL = "I felt\x00unheard"
NUL_MESSAGE = "Null characters are not allowed."
OUT_OF_DATE = "This form is out of date. Reload the page and make your change again."


def invalid(value: str) -> str:
    return f"Select a valid choice. {value} is not one of the available choices."


@dataclass(frozen=True)
class Bad:
    label: str
    persona: str
    url_name: str
    target: str | None
    data: Callable[[World], dict[str, Any]]
    message: str

    def url(self, world: World) -> str:
        if self.target is None:
            return reverse(self.url_name)
        obj = world.cast.session_a if self.target == "session" else getattr(world, self.target)
        return reverse(self.url_name, args=[obj.pk])


def log(label: str, message: str, **changes: Any) -> Bad:
    """A therapist logging a rupture in the 50-minute session A1."""
    return Bad(
        f"log-{label}",
        "therapist_a",
        "rupture_new",
        "session",
        lambda w: entry_data(**changes),
        message,
    )


def flag(label: str, message: str, **changes: Any) -> Bad:
    """A client flagging a moment in the 50-minute session A1."""
    return Bad(
        f"flag-{label}",
        "client_a",
        "flag_new",
        None,
        lambda w: flag_data(w.cast.session_a, **changes),
        message,
    )


def without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in names}


BAD = [
    log("empty-account", "Describe the moment in a sentence or two.", account=""),
    log("blank-account", "Describe the moment in a sentence or two.", account="   \n "),
    log("account-of-5001-characters", LONG_MESSAGE, account=TOO_LONG),
    log("nul-byte-in-account", NUL_MESSAGE, account=NUL),
    log("minute-beyond-the-session", "Ensure this value is less than or equal to 50.", minute="51"),
    log("negative-minute", "Ensure this value is greater than or equal to 0.", minute="-1"),
    log("non-numeric-minute", "Enter a whole number.", minute="soon"),
    log("unknown-family", invalid("sideways"), family="sideways"),
    log("unknown-marker", invalid("nonsense"), markers=["minimal_response", "nonsense"]),
    log("unknown-cause", invalid("fate"), causes=["fate"]),
    log(
        "withdrawal-with-a-confrontation-marker",
        "Some of these markers are signs of moving against",
        family="withdrawal",
        markers=["minimal_response", "rejects_intervention"],
    ),
    log(
        "confrontation-with-a-withdrawal-marker",
        "Some of these markers are signs of moving away",
        family="confrontation",
        markers=["denial"],
    ),
    log("intensity-9", invalid("9"), intensity="9"),
    log("unknown-visibility", invalid("everyone"), visibility="everyone"),
    log("duplicate-intensity-last-one-wrong", invalid("9"), intensity=["3", "9"]),
    flag("empty-account", "Write a few words about what happened.", account=""),
    flag("account-of-5001-characters", LONG_MESSAGE, account=TOO_LONG),
    flag("nul-byte-in-account", NUL_MESSAGE, account=NUL),
    flag(
        "minute-beyond-the-session", "That session was 50 minutes long.", when="minute", minute="51"
    ),
    flag("minute-beyond-any-session", "less than or equal to 480", when="minute", minute="481"),
    flag("non-numeric-minute", "Enter a whole number.", when="minute", minute="ten"),
    flag("a-minute-chosen-but-not-given", "Give the minute, or choose", when="minute", minute=""),
    flag("unknown-when", invalid("yesterday"), when="yesterday"),
    flag("unknown-feeling", invalid("nonsense"), feelings=["nonsense"]),
    flag("intensity-9", invalid("9"), intensity="9"),
    flag("non-numeric-session", "Choose one of your sessions from the list.", therapy_session="x"),
    Bad(
        "flag-duplicate-session-last-one-someone-elses",
        "client_a",
        "flag_new",
        None,
        lambda w: flag_data(
            w.cast.session_a, therapy_session=[str(w.cast.session_a.pk), str(w.cast.session_b.pk)]
        ),
        "Choose one of your sessions from the list.",
    ),
    Bad(
        "edit-entry-missing-version",
        "therapist_a",
        "rupture_edit",
        "entry",
        lambda w: entry_data(),
        OUT_OF_DATE,
    ),
    Bad(
        "edit-entry-non-numeric-version",
        "therapist_a",
        "rupture_edit",
        "entry",
        lambda w: entry_data(version="one"),
        OUT_OF_DATE,
    ),
    Bad(
        "edit-entry-empty-account",
        "therapist_a",
        "rupture_edit",
        "entry",
        lambda w: entry_data(version="1", account=""),
        "Describe the moment in a sentence or two.",
    ),
    Bad(
        "edit-entry-minute-beyond-the-session",
        "therapist_a",
        "rupture_edit",
        "entry",
        lambda w: entry_data(version="1", minute="500"),
        "Ensure this value is less than or equal to 50.",
    ),
    Bad(
        "edit-flag-missing-version",
        "client_a",
        "rupture_edit",
        "flag",
        lambda w: without(flag_edit_data(w.flag), "version"),
        OUT_OF_DATE,
    ),
    Bad(
        "edit-flag-nul-byte",
        "client_a",
        "rupture_edit",
        "flag",
        lambda w: flag_edit_data(w.flag, account=NUL),
        NUL_MESSAGE,
    ),
    Bad(
        "status-missing-version",
        "therapist_a",
        "rupture_status",
        "entry",
        lambda w: {"status": "resolved", "agreement": "Slow down."},
        OUT_OF_DATE,
    ),
    Bad(
        "status-unknown",
        "therapist_a",
        "rupture_status",
        "entry",
        lambda w: {"status": "fixed", "version": "1"},
        invalid("fixed"),
    ),
    Bad(
        "status-agreement-of-5001-characters",
        "therapist_a",
        "rupture_status",
        "entry",
        lambda w: {"status": "resolved", "agreement": TOO_LONG, "version": "1"},
        LONG_MESSAGE,
    ),
    Bad(
        "step-unknown-strategy",
        "therapist_a",
        "step_new",
        "entry",
        lambda w: step_data(w.cast.session_a, strategy="hug"),
        invalid("hug"),
    ),
    Bad(
        "step-unknown-outcome",
        "therapist_a",
        "step_new",
        "entry",
        lambda w: step_data(w.cast.session_a, outcome="great"),
        invalid("great"),
    ),
    Bad(
        "step-description-of-5001-characters",
        "therapist_a",
        "step_new",
        "entry",
        lambda w: step_data(w.cast.session_a, description=TOO_LONG),
        LONG_MESSAGE,
    ),
    Bad(
        "step-nul-byte",
        "therapist_a",
        "step_new",
        "entry",
        lambda w: step_data(w.cast.session_a, description=NUL),
        NUL_MESSAGE,
    ),
    Bad(
        "step-edit-missing-version",
        "therapist_a",
        "step_edit",
        "step",
        lambda w: step_data(w.cast.session_a),
        OUT_OF_DATE,
    ),
    Bad(
        "reply-empty",
        "client_a",
        "note_new",
        "entry",
        lambda w: {"body": ""},
        "Write your reply first.",
    ),
    Bad(
        "reply-of-5001-characters",
        "therapist_a",
        "note_new",
        "entry",
        lambda w: {"body": TOO_LONG, "visibility": "shared"},
        LONG_MESSAGE,
    ),
    Bad(
        "reply-nul-byte",
        "client_a",
        "note_new",
        "entry",
        lambda w: {"body": NUL},
        NUL_MESSAGE,
    ),
    Bad(
        "reply-unknown-visibility",
        "therapist_a",
        "note_new",
        "entry",
        lambda w: {"body": "Hello.", "visibility": "everyone"},
        invalid("everyone"),
    ),
    Bad(
        "note-edit-missing-version",
        "client_a",
        "note_edit",
        "client_note",
        lambda w: {"body": "Changed."},
        OUT_OF_DATE,
    ),
    Bad(
        "note-edit-empty",
        "client_a",
        "note_edit",
        "client_note",
        lambda w: {"body": "", "version": "1"},
        "This field is required.",
    ),
    Bad(
        "link-non-numeric-entry",
        "therapist_a",
        "rupture_link",
        "flag",
        lambda w: {"own_entry": "abc"},
        "Choose one of your own entries from this case.",
    ),
    Bad(
        "client-view-unknown",
        "client_a",
        "client_view",
        "entry",
        lambda w: {"client_view": "maybe"},
        invalid("maybe"),
    ),
    Bad(
        "check-in-no-answer",
        "client_a",
        "check_in",
        "session",
        lambda w: without(check_in_data(), "tension"),
        "Choose yes or no.",
    ),
    Bad(
        "check-in-tension-without-numbers",
        "client_a",
        "check_in",
        "session",
        lambda w: check_in_data(intensity="", resolution=""),
        "Choose a number from 1 to 5.",
    ),
    Bad(
        "check-in-intensity-9",
        "therapist_a",
        "check_in",
        "session",
        lambda w: check_in_data(intensity="9"),
        invalid("9"),
    ),
    Bad(
        "check-in-comment-of-281-characters",
        "client_a",
        "check_in",
        "session",
        lambda w: check_in_data(comment="x" * 281),
        "Ensure this value has at most 280 characters (it has 281).",
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=[bad.label for bad in BAD])
@MODES
def test_bad_input_gets_the_form_back_with_a_message_and_saves_nothing(
    db: None, module_world: World, bad: Bad, headers: dict[str, str]
) -> None:
    before = snapshot()
    response = module_world.login(bad.persona, **headers).post(
        bad.url(module_world), bad.data(module_world)
    )
    assert response.status_code == 200
    assert bad.message in text(response)
    assert snapshot() == before


def test_a_failed_inline_save_is_shown_in_the_cards_slot(world: World) -> None:
    response = world.login("therapist_a", HTTP_HX_REQUEST="true").post(
        reverse("rupture_edit", args=[world.entry.pk]), entry_data(version="1", account="")
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#slot-{world.entry.pk}"
    assert response["HX-Reswap"] == "innerHTML"


def test_a_failed_save_keeps_what_was_typed(world: World) -> None:
    response = world.login("therapist_a").post(
        reverse("rupture_new", args=[world.cast.session_a.pk]),
        entry_data(account="Half a thought that must not be lost.", minute="99"),
    )
    assert "Half a thought that must not be lost." in text(response)


def test_a_marker_sent_twice_is_stored_once(world: World) -> None:
    data = QueryDict(mutable=True)
    for key, value in entry_data(markers=[]).items():
        data.setlist(key, value if isinstance(value, list) else [value])
    data.setlist("markers", ["denial", "denial"])
    response = world.login("therapist_a").post(
        reverse("rupture_new", args=[world.cast.session_a.pk]),
        data.urlencode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 303
    rupture = Rupture.objects.latest("pk")
    assert list(rupture.codes.filter(kind="marker").values_list("code", flat=True)) == ["denial"]
