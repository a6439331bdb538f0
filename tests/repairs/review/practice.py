"""A small practice whose review figures are worked out by hand.

People
    Sabine Ward (supervisor) supervises Tobias Fenn (T1) and Una Garrick (T2).
    Rhea Quint (second supervisor) supervises T1 and Vera Holt (T3), whom Sabine does NOT
    supervise: nothing of T3's may reach Sabine's figures.
    Clients: Amara Lindqvist (case A, T1), Bruno Castellane (case B, T1),
    Celia Moorcroft (case C, T2), Dmitri Okonkwo (case D, T3).

The review range is 1 March - 30 April 2025 (Europe/London). Sessions sit mid-month at
10:00, so no time zone can move one into another month.

Sessions (in range marked *)
    case A (T1): #1 12 Feb, #2* 12 Mar, #3* 19 Mar, #4* 9 Apr, #5 14 May
    case B (T1): #1* 13 Mar, #2* 10 Apr
    case C (T2): #1* 14 Mar, #2* 21 Mar, #3* 11 Apr, #4 16 May
    case D (T3): #1* 12 Mar, #2* 9 Apr, #3 14 May, #4 11 Jun, #5 9 Jul
    In range for Sabine: T1 3 + 2 = 5, T2 3  ->  8 sessions (March 5, April 3).

Ruptures in range, visible to Sabine (author: T1/T2 the therapist, C1/C2/C3 the client of
case A/B/C; W withdrawal, C confrontation, M mixed, U unclassified; the session where each
repair step happened in brackets)
    R1  A#2 T1   W  resolved   markers minimal_response, topic_shift; cause
                               unmet_expectation; step clarify (A#2)                -> 0
    R2  A#2 T1   C  resolved   marker complains_therapist; steps invite_feelings
                               (A#2), acknowledge_part (A#3)                         -> 1
    R3  A#3 C1   U  open       client-only flag; therapist's shared note 5 hours
                               after it was shared                            (within a day)
    R4  A#3 T1   W  repairing  linked with R5; marker minimal_response; step clarify (A#4)
    R5  A#3 C1   U  open       client flag linked with R4
    R6  A#4 T1   C  resolved   marker rejects_intervention; step invite_feelings (A#5,
                               a session after the range)                            -> 1
    R7  B#1 C2   U  open       client-only flag; a repair step (clarify) 3 days after
                               sharing, a shared therapist note 4 days after  (within a week)
    R8  B#2 T1   M  unresolved the therapist's PRIVATE entry (a supervisor sees it)
    R9  C#1 T2   W  resolved   marker minimal_response; steps clarify (C#1),
                               agree_prevention (C#3)                                -> 2
    R10 C#2 C3   U  open       client-only; a withdrawn shared note 1 hour after, a shared
                               note 10 days after                                    (later)
    R11 C#2 C3   U  open       client-only; only a PRIVATE therapist note and the client's
                               own note                                            (not yet)
    R12 C#3 T2   C  open       its one repair step (redirect) is withdrawn
    R13 C#3 T2   W  resolved   linked with R14; step give_rationale (C#3)            -> 0
    R14 C#3 C3   U  open       client flag linked with R13
    (-> n: sessions from the rupture to its last repair step, for resolved ruptures)

Never counted: a client's private draft (A#3), a withdrawn T1 entry (A#2), X1 (A#1, Feb,
T1, W, open) and X2 (A#5, May, T1, C, open) outside the dates, and everything in case D.

Check-ins (client / therapist: tension, resolution)
    A#2 yes 4 / yes 4 agree        A#3 yes / no  disagree      A#4 yes 1 / yes 3 disagree
    B#1 yes 2 / yes 3 agree        B#2 client only (no pair)  C#1 no / no  agree
    C#2 therapist only (no pair)   A#5 (May) yes 1 / yes 4 disagree, outside the range
    case D: D#4 and D#5 disagree (not Sabine's)

Sabine's codings of the family (therapist's -> Sabine's)
    T1: R1 W->W, R2 C->C, R4 W->C, R6 C->C, R8 M->W      T2: R9 W->W, R12 C->C, R13 W->W
    Not counted: her coding of the client's flag R3, of X1 (outside the dates), and
    Rhea's codings (another supervisor).

Reviewed by Sabine: R1 and R9 (Rhea's mark on R2 does not count for Sabine).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from pytest_django import DjangoDbBlocker

from repairs.codes import Family, Status, Strategy, Visibility
from repairs.models import Note, RepairStep, Rupture, RuptureReview, SupervisorCoding
from repairs.review import ReviewScope
from rupturelog.accounts.models import User
from sessions.models import Case, TherapySession
from tests import factories
from tests.conftest import (
    client_with_session,
    fresh_copy,
    rolled_back_at_the_end,
    sign_everyone_in,
)

LONDON = ZoneInfo("Europe/London")
START, END = date(2025, 3, 1), date(2025, 4, 30)
RANGE = {"start": START.isoformat(), "end": END.isoformat()}

W, C, M, U = Family.WITHDRAWAL, Family.CONFRONTATION, Family.MIXED, Family.UNCLASSIFIED

CLIENT_NAMES = ("Amara Lindqvist", "Bruno Castellane", "Celia Moorcroft", "Dmitri Okonkwo")


def london(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


@dataclass
class People:
    supervisor: User  # Sabine Ward: T1 and T2
    other_supervisor: User  # Rhea Quint: T1 and T3
    t1: User
    t2: User
    t3: User  # not supervised by Sabine


@dataclass
class Caseload:
    """One copy of cases A-D with their sessions and records."""

    clients: dict[str, User]
    cases: dict[str, Case]
    sessions: dict[str, TherapySession]  # "A2" is session 2 of case A
    r: dict[str, Rupture]  # "R1".."R14", "X1", "X2", "draft", "withdrawn", "D1"...
    steps: list[RepairStep] = field(default_factory=list)


@dataclass
class Practice:
    people: People
    load: Caseload
    # Everyone logged in once for a whole module (see `module_practice`): user id -> session
    # key. Empty for a practice built in the test, whose clients log in afresh.
    session_keys: dict[int, str] = field(default_factory=dict)

    @property
    def supervisor(self) -> User:
        return self.people.supervisor

    @property
    def r(self) -> dict[str, Rupture]:
        return self.load.r

    def scope(self, viewer: User | None = None, **extra: Any) -> ReviewScope:
        """The hand-computed range over the viewer's therapists (Sabine's by default)."""
        viewer = viewer or self.supervisor
        if viewer.role == "therapist":
            therapists = [viewer]
        elif viewer == self.people.other_supervisor:
            therapists = [self.people.t1, self.people.t3]
        else:
            therapists = [self.people.t1, self.people.t2]
        extra.setdefault("therapists", therapists)
        extra.setdefault("start", START)
        extra.setdefault("end", END)
        return ReviewScope(**extra)

    def login(self, user: User) -> Client:
        if user.pk in self.session_keys:
            return client_with_session(self.session_keys[user.pk])
        client = Client()
        client.force_login(user)
        return client

    def everyone(self) -> list[User]:
        people = self.people
        return [
            people.supervisor,
            people.other_supervisor,
            people.t1,
            people.t2,
            people.t3,
            *self.load.clients.values(),
        ]

    def ids(self, *names: str) -> set[int]:
        return {self.r[name].pk for name in names}


def build_people() -> People:
    t1 = factories.make_therapist(display_name="Tobias Fenn")
    t2 = factories.make_therapist(display_name="Una Garrick")
    t3 = factories.make_therapist(display_name="Vera Holt")
    return People(
        supervisor=factories.make_supervisor(t1, t2, display_name="Sabine Ward"),
        other_supervisor=factories.make_supervisor(t1, t3, display_name="Rhea Quint"),
        t1=t1,
        t2=t2,
        t3=t3,
    )


SESSION_DATES = {
    "A": [london(2025, m, d) for m, d in ((2, 12), (3, 12), (3, 19), (4, 9), (5, 14))],
    "B": [london(2025, m, d) for m, d in ((3, 13), (4, 10))],
    "C": [london(2025, m, d) for m, d in ((3, 14), (3, 21), (4, 11), (5, 16))],
    "D": [london(2025, m, d) for m, d in ((3, 12), (4, 9), (5, 14), (6, 11), (7, 9))],
}


def _at(model: type, pk: int, when: datetime) -> None:
    """created_at is auto_now_add: set it after the row exists."""
    model.objects.filter(pk=pk).update(created_at=when)


def build_caseload(people: People, copy: int = 0) -> Caseload:
    """Cases A-D as in the module docstring. Copies after the first get fresh clients, so a
    bigger practice is the same pattern several times over."""
    suffix = f" {copy}" if copy else ""
    clients = {
        key: factories.make_client(display_name=name + suffix)
        for key, name in zip("ABCD", CLIENT_NAMES, strict=True)
    }
    therapist_of = {"A": people.t1, "B": people.t1, "C": people.t2, "D": people.t3}
    cases = {
        key: factories.make_case(clients[key], therapist_of[key], opened_on=date(2025, 2, 1))
        for key in "ABCD"
    }
    sessions = {
        f"{key}{n}": factories.make_session(cases[key], n, starts_at=when)
        for key, dates in SESSION_DATES.items()
        for n, when in enumerate(dates, start=1)
    }
    load = Caseload(clients=clients, cases=cases, sessions=sessions, r={})
    s, r = sessions, load.r

    def entry(name: str, at: str, family: str, status: str = Status.OPEN, **extra: Any) -> Rupture:
        therapist = therapist_of[at[0]]
        extra.setdefault("agreement", f"AGREED-{name}" if status == Status.RESOLVED else "")
        r[name] = factories.make_rupture(
            s[at], therapist, family=family, status=status, account=f"ACCOUNT-{name}", **extra
        )
        return r[name]

    def flag(name: str, at: str, **extra: Any) -> Rupture:
        extra.setdefault("shared_at", s[at].starts_at + timedelta(hours=2))
        r[name] = factories.make_rupture(
            s[at], clients[at[0]], family=U, account=f"ACCOUNT-{name}", minute=None, **extra
        )
        factories.add_codes(r[name], feeling=["unheard"])
        return r[name]

    def step(rupture: Rupture, at: str, strategy: str, created: datetime | None = None) -> None:
        made = factories.make_step(
            rupture,
            therapist_of[at[0]],
            therapy_session=s[at],
            strategy=strategy,
            description=f"STEP-TEXT-{rupture.account}",
        )
        if created is not None:
            _at(RepairStep, made.pk, created)
        load.steps.append(made)

    def note(rupture: Rupture, author: User, after: timedelta, **extra: Any) -> Note:
        made = factories.make_note(rupture, author, "NOTE-TEXT", **extra)
        _at(Note, made.pk, rupture.shared_at + after)
        return made

    def link(one: Rupture, other: Rupture) -> None:
        Rupture.objects.filter(pk=one.pk).update(counterpart=other)
        Rupture.objects.filter(pk=other.pk).update(counterpart=one)

    hours, days = timedelta(hours=1), timedelta(days=1)

    # Case A (T1, Amara)
    entry("X1", "A1", W)
    factories.add_codes(r["X1"], marker=["denial"])
    step(entry("R1", "A2", W, Status.RESOLVED), "A2", Strategy.CLARIFY)
    factories.add_codes(
        r["R1"], marker=["minimal_response", "topic_shift"], cause=["unmet_expectation"]
    )
    entry("R2", "A2", C, Status.RESOLVED)
    factories.add_codes(r["R2"], marker=["complains_therapist"])
    step(r["R2"], "A2", Strategy.INVITE_FEELINGS)
    step(r["R2"], "A3", Strategy.ACKNOWLEDGE_PART)
    entry("withdrawn", "A2", C)
    factories.withdraw(r["withdrawn"])
    flag("R3", "A3")
    note(r["R3"], people.t1, 5 * hours)
    entry("R4", "A3", W, Status.REPAIRING)
    factories.add_codes(r["R4"], marker=["minimal_response"])
    step(r["R4"], "A4", Strategy.CLARIFY)
    flag("R5", "A3")
    link(r["R4"], r["R5"])
    r["draft"] = factories.make_rupture(
        s["A3"], clients["A"], family=U, visibility=Visibility.PRIVATE, account="DRAFT-TEXT"
    )
    entry("R6", "A4", C, Status.RESOLVED)
    factories.add_codes(r["R6"], marker=["rejects_intervention"])
    step(r["R6"], "A5", Strategy.INVITE_FEELINGS)
    entry("X2", "A5", C)

    # Case B (T1, Bruno)
    flag("R7", "B1")
    step(r["R7"], "B1", Strategy.CLARIFY, created=r["R7"].shared_at + 3 * days)
    note(r["R7"], people.t1, 4 * days)
    entry("R8", "B2", M, Status.UNRESOLVED, visibility=Visibility.PRIVATE)

    # Case C (T2, Celia)
    entry("R9", "C1", W, Status.RESOLVED)
    factories.add_codes(r["R9"], marker=["minimal_response"])
    step(r["R9"], "C1", Strategy.CLARIFY)
    step(r["R9"], "C3", Strategy.AGREE_PREVENTION)
    flag("R10", "C2")
    factories.withdraw(note(r["R10"], people.t2, 1 * hours))
    note(r["R10"], people.t2, 10 * days)
    flag("R11", "C2")
    note(r["R11"], people.t2, 2 * hours, visibility=Visibility.PRIVATE)
    note(r["R11"], clients["C"], 1 * hours)
    entry("R12", "C3", C)
    factories.make_step(r["R12"], people.t2, strategy=Strategy.REDIRECT)
    factories.withdraw(r["R12"].repair_steps.get())
    entry("R13", "C3", W, Status.RESOLVED)
    step(r["R13"], "C3", Strategy.GIVE_RATIONALE)
    flag("R14", "C3")
    link(r["R13"], r["R14"])

    # Case D (T3, Dmitri): data Sabine must never see or count.
    entry("D1", "D1", C)
    step(r["D1"], "D1", Strategy.CLARIFY)
    flag("D2", "D2")
    for n in (3, 4, 5):
        entry(f"D{n}", f"D{n}", C)

    # Check-ins: (client tension, client resolution, therapist tension, therapist resolution)
    check_ins = {
        "A2": (True, 4, True, 4),
        "A3": (True, 3, False, None),
        "A4": (True, 1, True, 3),
        "A5": (True, 1, True, 4),
        "B1": (True, 2, True, 3),
        "B2": (True, 2, None, None),
        "C1": (False, None, False, None),
        "C2": (None, None, True, 2),
        "D4": (True, 1, False, None),
        "D5": (True, 1, False, None),
    }
    for at, (c_tension, c_resolution, t_tension, t_resolution) in check_ins.items():
        if c_tension is not None:
            factories.make_check_in(
                s[at], clients[at[0]], tension=c_tension, resolution=c_resolution
            )
        if t_tension is not None:
            factories.make_check_in(
                s[at], therapist_of[at[0]], tension=t_tension, resolution=t_resolution
            )

    sabine, rhea = people.supervisor, people.other_supervisor
    codings = {"R1": W, "R2": C, "R4": C, "R6": C, "R8": W, "R9": W, "R12": C, "R13": W}
    codings |= {"R3": C, "X1": C}  # neither counts: a client's flag, outside the dates
    for name, family in codings.items():
        SupervisorCoding.objects.create(rupture=r[name], supervisor=sabine, family=family)
    for name in ("R1", "R2", "R4"):
        SupervisorCoding.objects.create(rupture=r[name], supervisor=rhea, family=M)
    for name in ("R1", "R9"):
        RuptureReview.objects.create(rupture=r[name], supervisor=sabine)
    RuptureReview.objects.create(rupture=r["R2"], supervisor=rhea)
    for rupture in r.values():
        rupture.refresh_from_db()
    return load


def build_practice() -> Practice:
    people = build_people()
    return Practice(people=people, load=build_caseload(people))


@pytest.fixture(scope="module")
def module_practice(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Practice]:
    """The practice built once for a module, everyone in it already logged in, in a
    transaction rolled back when the module ends (tests/conftest.py)."""
    with rolled_back_at_the_end(django_db_blocker):
        practice = build_practice()
        practice.session_keys = sign_everyone_in(practice.everyone())
        yield practice


@pytest.fixture
def practice(db: None, module_practice: Practice) -> Practice:
    """Each test's own copy of the module's practice; what it writes is rolled back after
    it. Modules with transactional tests build theirs per test instead (test_replica.py)."""
    return fresh_copy(module_practice)
