"""Several people saving the same item at the same moment, for real: separate threads, each
with its own database connection, released together by a barrier, round after round.

In every round all writers load the same version of the item, then all save their own text
with that version at once. Exactly one save may be accepted; every other writer must get the
409 conflict view (showing the winner's text as what is saved now) and change nothing. After
the round the row holds the winner's text at exactly one version higher. No save is answered
with success and then lost, and none is refused yet written.

"Every accepted write is kept" is checked against the row itself after each round, against
the version history (PostgreSQL's triggers write it: every accepted save is there exactly
once, at its version, and no refused save is there at all), and against the other traces a
write leaves: the case revision and the access log's "change" event.

Only PostgreSQL runs the writers in parallel; SQLite serialises writers on one file lock, so
there the test is skipped.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from repairs import history, services
from repairs.models import Note, RepairStep, Rupture
from repairs.services import EditConflict, RuptureData
from rupturelog.audit.models import AccessEvent, Action
from sessions.models import Case
from tests.conftest import Cast
from tests.repairs.conftest import (
    HTMX,
    World,
    build_world,
    entry_data,
    flag_edit_data,
    form_version,
    step_data,
    text,
    textarea,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): concurrent writers need separate "
        "connections writing in parallel, which SQLite's single file lock does not allow",
    ),
]

WRITERS = 6
ROUNDS = 30
BARRIER_TIMEOUT = 30.0  # seconds; a hung round fails the test instead of hanging the suite
CONFLICT = "Someone else saved this"
STATUSES = ["repairing", "resolved", "unresolved"]


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def words(round_: int, writer: int) -> str:
    """Each writer's own text: distinct, and no one's is a substring of anyone else's."""
    return f"Round {round_:03d}, writer {writer:02d}: this is how I saw it."


# --- The race ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the app said to one save."""

    outcome: str  # "accepted", "refused", or a description of anything else
    shown: str  # refused: the conflict view (HTTP body, or the EditConflict's saved text)
    shown_version: int | None  # refused: the version the conflict view offers to save over


@dataclass(frozen=True)
class Attempt:
    writer: int
    text: str
    loaded: int  # the version the writer's form was loaded at
    answer: Answer
    started: float  # time.monotonic() around the save
    finished: float


class Writer(Protocol):
    def load(self) -> int:
        """Open the editor; the version it was loaded at."""
        ...

    def save(self, loaded: int, text: str) -> Answer: ...


@dataclass
class Race:
    attempts: list[list[Attempt]]  # [round][writer]
    saved: list[tuple[str, int]]  # [round]: the stored value and version once all had answered


def race(
    open_writer: Callable[[int], Writer],
    saved: Callable[[], tuple[str, int]],
    *,
    writers: int = WRITERS,
    rounds: int = ROUNDS,
) -> Race:
    """Run `rounds` rounds of `writers` threads saving at once; collect every answer."""
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool") or {}
    # Each writer holds a connection, and so does this thread: a smaller pool would make
    # writers wait for one (and time out) instead of racing.
    assert pool.get("max_size", writers + 1) > writers, (
        f"DB_POOL_MAX_SIZE must be at least {writers + 1} for {writers} concurrent writers"
    )
    attempts: list[list[Attempt | None]] = [[None] * writers for _ in range(rounds)]
    after: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    # Everyone has loaded the form: go. Then everyone has an answer: look at the row (the
    # barrier's action runs once, in the last thread to arrive, before any is released).
    loaded_all = threading.Barrier(writers, timeout=BARRIER_TIMEOUT)
    answered_all = threading.Barrier(
        writers, action=lambda: after.append(saved()), timeout=BARRIER_TIMEOUT
    )

    def work(index: int) -> None:
        try:
            writer = open_writer(index)
            for round_ in range(rounds):
                loaded = writer.load()
                loaded_all.wait()
                own = words(round_, index)
                started = time.monotonic()
                answer = writer.save(loaded, own)
                attempts[round_][index] = Attempt(
                    index, own, loaded, answer, started, time.monotonic()
                )
                answered_all.wait()
        except BaseException as error:
            errors.append(error)
            loaded_all.abort()
            answered_all.abort()
        finally:
            connections.close_all()  # this thread's connections, back to the pool

    threads = [threading.Thread(target=work, args=(i,), name=f"writer-{i}") for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=rounds * BARRIER_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a writer thread hung"
    if errors:
        # The first real failure, not the broken barriers it left the other threads at.
        raise next(
            (e for e in errors if not isinstance(e, threading.BrokenBarrierError)), errors[0]
        )
    complete = [[attempt for attempt in row if attempt is not None] for row in attempts]
    assert all(len(row) == writers for row in complete)
    assert len(after) == rounds
    return Race(attempts=complete, saved=after)


@dataclass(frozen=True)
class Tally:
    rounds: int
    writers: int
    accepted: int
    refused: int
    lost: int  # accepted saves the row does not hold at their version (the loaded one + 1)
    other: int  # answers that were neither a success nor a conflict
    together: int  # rounds in which every writer's save was in flight at the same moment

    def line(self, label: str, refusal: str) -> str:
        return (
            f"concurrent edits ({label}): {self.rounds} rounds x {self.writers} writers, "
            f"{self.accepted} accepted, {self.refused} refused with {refusal}, {self.lost} lost"
            + (f", {self.other} other answers" if self.other else "")
            + f" (all {self.writers} saves in flight at once in {self.together} rounds)"
        )


def check(
    result: Race,
    capsys: pytest.CaptureFixture[str],
    label: str,
    *,
    initial_version: int,
    expected: Callable[[Attempt], str] = lambda attempt: attempt.text,
    refusal: str = "409",
) -> Tally:
    """Every round: all loaded the same version, one save won and is what the row holds,
    one version later; every other save was refused, shown the winner's, and wrote nothing.
    Prints the summary line (whatever the outcome) before asserting."""
    outcomes: Counter[str] = Counter()
    lost = together = 0
    problems: list[str] = []
    for round_, (row, (stored, version)) in enumerate(
        zip(result.attempts, result.saved, strict=True)
    ):
        # The version the round started from: where the previous round left the row.
        before = result.saved[round_ - 1][1] if round_ else initial_version
        outcomes.update(attempt.answer.outcome for attempt in row)
        together += max(a.started for a in row) < min(a.finished for a in row)
        if {attempt.loaded for attempt in row} != {before}:
            problems.append(f"round {round_}: loaded versions {[a.loaded for a in row]}")
        winners = [attempt for attempt in row if attempt.answer.outcome == "accepted"]
        lost += sum(1 for w in winners if (expected(w), w.loaded + 1) != (stored, version))
        if len(winners) != 1:
            problems.append(
                f"round {round_}: {len(winners)} accepted: {[a.answer.outcome for a in row]}"
            )
            continue
        if version != before + 1:
            problems.append(f"round {round_}: version went from {before} to {version}")
        winner = winners[0]
        for attempt in row:
            answer = attempt.answer
            if attempt is winner:
                continue
            if answer.outcome != "refused":
                problems.append(f"round {round_}, writer {attempt.writer}: {answer.outcome}")
            elif winner.text not in answer.shown or answer.shown_version != before + 1:
                problems.append(
                    f"round {round_}, writer {attempt.writer}: the conflict view did not "
                    f"show the winner's save (it offered version {answer.shown_version})"
                )
    tally = Tally(
        rounds=len(result.attempts),
        writers=len(result.attempts[0]),
        accepted=outcomes["accepted"],
        refused=outcomes["refused"],
        lost=lost,
        other=sum(n for outcome, n in outcomes.items() if outcome not in {"accepted", "refused"}),
        together=together,
    )
    with capsys.disabled():
        print(f"\n{tally.line(label, refusal)}")
    assert not problems, "\n".join(problems[:20])
    assert tally.lost == 0
    assert tally.other == 0
    assert tally.accepted == tally.rounds
    assert tally.refused == tally.rounds * (tally.writers - 1)
    assert result.saved[-1][1] == initial_version + tally.rounds
    assert tally.together > 0, "the saves never overlapped: this run tested no race"
    return tally


# --- Through the pages: each writer a logged-in browser, half of them with htmx ---------


@dataclass(frozen=True)
class Scenario:
    label: str
    persona: str  # who edits (every writer is this same person, in their own browser)
    url_name: str
    target: Callable[[World], Rupture | RepairStep | Note]
    payload: Callable[[World, int, int, str], dict[str, Any]]  # world, writer, version, text
    field: str  # the textarea that holds the writer's text
    saved: Callable[[Any], tuple[str, int]]  # the stored value and version of the target
    history_fields: tuple[str, ...]  # the fields `saved` joins, as the history stores them
    expected: Callable[[Attempt], str] = lambda attempt: attempt.text
    rounds: int = ROUNDS

    def model(self, world: World) -> type:
        return type(self.target(world))


def _rupture_saved(pk: int) -> tuple[str, int]:
    return Rupture.objects.values_list("account", "version").get(pk=pk)


def _status_saved(pk: int) -> tuple[str, int]:
    status, agreement, version = Rupture.objects.values_list("status", "agreement", "version").get(
        pk=pk
    )
    return f"{status} / {agreement}", version


# Rupture edits, note edits and the status form race for ROUNDS rounds each. The client's
# flag and the repair step go through the same view code as the entry and the note, so they
# run fewer rounds, to keep the whole file near 20 seconds.
SCENARIOS = [
    Scenario(
        label="therapist edits their entry",
        persona="therapist_a",
        url_name="rupture_edit",
        target=lambda w: w.entry,
        payload=lambda w, writer, version, words: entry_data(version=str(version), account=words),
        field="account",
        saved=_rupture_saved,
        history_fields=("account",),
    ),
    Scenario(
        label="client edits their note",
        persona="client_a",
        url_name="note_edit",
        target=lambda w: w.client_note,
        payload=lambda w, writer, version, words: {"body": words, "version": str(version)},
        field="body",
        saved=lambda pk: Note.objects.values_list("body", "version").get(pk=pk),
        history_fields=("body",),
    ),
    Scenario(
        # The whole form is one write: the winner's status *and* agreement, never a mix.
        label="therapist sets where things stand",
        persona="therapist_a",
        url_name="rupture_status",
        target=lambda w: w.flag,
        payload=lambda w, writer, version, words: {
            "status": STATUSES[writer % len(STATUSES)],
            "agreement": words,
            "version": str(version),
        },
        field="agreement",
        saved=_status_saved,
        history_fields=("status", "agreement"),
        expected=lambda attempt: f"{STATUSES[attempt.writer % len(STATUSES)]} / {attempt.text}",
    ),
    Scenario(
        label="client edits their flag",
        persona="client_a",
        url_name="rupture_edit",
        target=lambda w: w.flag,
        payload=lambda w, writer, version, words: flag_edit_data(
            w.flag, version=str(version), account=words
        ),
        field="account",
        saved=_rupture_saved,
        history_fields=("account",),
        rounds=10,
    ),
    Scenario(
        label="therapist edits a repair step",
        persona="therapist_a",
        url_name="step_edit",
        target=lambda w: w.step,
        payload=lambda w, writer, version, words: step_data(
            w.cast.session_a, version=str(version), description=words
        ),
        field="description",
        saved=lambda pk: RepairStep.objects.values_list("description", "version").get(pk=pk),
        history_fields=("description",),
        rounds=10,
    ),
]


class BrowserWriter:
    """One person's browser tab: its own session, its own connection (its own thread)."""

    def __init__(self, world: World, scenario: Scenario, index: int) -> None:
        self.world = world
        self.scenario = scenario
        self.index = index
        self.htmx = index % 2 == 1
        self.client = Client(**(HTMX if self.htmx else {}))
        self.client.force_login(world.cast.persona(scenario.persona))
        self.url = reverse(scenario.url_name, args=[scenario.target(world).pk])

    def load(self) -> int:
        response = self.client.get(self.url)
        assert response.status_code == 200, f"GET {self.url}: {response.status_code}"
        return form_version(response)

    def save(self, loaded: int, text_: str) -> Answer:
        payload = self.scenario.payload(self.world, self.index, loaded, text_)
        response = self.client.post(self.url, payload)
        success = 200 if self.htmx else 303
        if response.status_code == success:
            return Answer("accepted", "", None)
        body = text(response)
        if response.status_code == 409 and CONFLICT in body:
            # The refused writer keeps their own words in the form, ready to save on purpose.
            assert textarea(response, self.scenario.field) == text_
            return Answer("refused", body, form_version(response))
        return Answer(f"HTTP {response.status_code}", body[:200], None)


def _last_event(model: type) -> int:
    return (
        history.event_model(model)
        .objects.order_by("-pgh_id")
        .values_list("pgh_id", flat=True)
        .first()
        or 0
    )


def check_history(
    result: Race,
    model: type,
    pk: int,
    fields: tuple[str, ...],
    since: int,
    expected: Callable[[Attempt], str] = lambda attempt: attempt.text,
) -> None:
    """The version history since event `since` holds every accepted save exactly once, at
    the version it was accepted as, in order, and nothing any refused save sent."""
    kept = [
        (" / ".join(str(row[f]) for f in fields), row["version"], row["pgh_label"])
        for row in history.event_model(model)
        .objects.filter(pgh_obj_id=pk, pgh_id__gt=since)
        .order_by("pgh_id")
        .values("pgh_label", "version", *fields)
    ]
    accepted = [
        (expected(attempt), attempt.loaded + 1, "update")
        for row in result.attempts
        for attempt in row
        if attempt.answer.outcome == "accepted"
    ]
    assert kept == accepted, "the history is not exactly the accepted saves, in order"
    refused = {
        attempt.text
        for row in result.attempts
        for attempt in row
        if attempt.answer.outcome != "accepted"
    }
    assert not [value for value, _, _ in kept if any(text_ in value for text_ in refused)]


def _revision(case: Case) -> int:
    return Case.objects.values_list("revision", flat=True).get(pk=case.pk)


def _change_events(url_name: str, pk: int) -> int:
    return AccessEvent.objects.filter(page=url_name, object_id=pk, action=Action.CHANGE).count()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.label.replace(" ", "-") for s in SCENARIOS])
def test_of_several_people_saving_the_same_form_at_once_exactly_one_wins_and_no_save_is_lost(
    world: World, scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    target = scenario.target(world)
    initial_version = scenario.saved(target.pk)[1]
    revision_before = _revision(world.cast.case_a)
    changes_before = _change_events(scenario.url_name, target.pk)
    events_before = _last_event(scenario.model(world))

    result = race(
        lambda index: BrowserWriter(world, scenario, index),
        lambda: scenario.saved(target.pk),
        rounds=scenario.rounds,
    )
    tally = check(
        result, capsys, scenario.label, initial_version=initial_version, expected=scenario.expected
    )

    # Each accepted save, and no refused one, moved the case on and was logged as a change.
    assert _revision(world.cast.case_a) == revision_before + tally.accepted
    assert _change_events(scenario.url_name, target.pk) == changes_before + tally.accepted
    check_history(
        result,
        scenario.model(world),
        target.pk,
        scenario.history_fields,
        events_before,
        scenario.expected,
    )


# --- Through the service function: the conditional UPDATE with nothing in front of it ------


class ServiceWriter:
    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.rupture: Rupture | None = None

    def load(self) -> int:
        self.rupture = Rupture.objects.get(pk=self.pk)
        return self.rupture.version

    def save(self, loaded: int, text_: str) -> Answer:
        rupture = self.rupture
        assert rupture is not None
        data = RuptureData(
            minute=rupture.minute,
            account=text_,
            intensity=rupture.intensity,
            recognised=rupture.recognised,
            family=rupture.family,
            visibility=rupture.visibility,
        )
        try:
            services.rupture_update(rupture, expected_version=loaded, data=data)
        except EditConflict as conflict:
            current = conflict.current
            return Answer("refused", current.account, current.version)
        return Answer("accepted", "", None)


def test_of_several_threads_calling_rupture_update_at_once_one_wins_and_the_rest_get_edit_conflict(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    pk = world.entry.pk
    initial_version = Rupture.objects.get(pk=pk).version
    revision_before = _revision(world.cast.case_a)
    events_before = _last_event(Rupture)

    result = race(lambda index: ServiceWriter(pk), lambda: _rupture_saved(pk))
    tally = check(
        result,
        capsys,
        "services.rupture_update",
        initial_version=initial_version,
        refusal="EditConflict",
    )

    assert _revision(world.cast.case_a) == revision_before + tally.accepted
    check_history(result, Rupture, pk, ("account",), events_before)
