"""The bulk practice's hot loop: one case and everything in it, as rows in column order.

Written for speed (about ten rows per rupture, millions of rows): ready-made texts, plain
strings rather than enum members, tuples in each table's column order (`bulk_tables`), ids
counted here. Every draw comes from the chunk's own `random.Random`, in a fixed order:
reordering two draws changes every row after them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as clock

from repairs.codes import (
    CONFRONTATION_MARKERS,
    WITHDRAWAL_MARKERS,
    AuthorRole,
    CodeKind,
    Family,
    Outcome,
    Recognised,
    Status,
    Strategy,
    Visibility,
)
from repairs.demo.content import (
    AGREEMENTS,
    CAUSE_WEIGHTS,
    FEELING_WEIGHTS,
    REPAIR_TEXTS,
    STRATEGY_WEIGHTS,
    SUPERVISOR_NOTES,
    TASKS,
    THERAPIST_REPLIES,
    TOPICS,
)
from repairs.demo.draws import client_account, therapist_account
from repairs.demo.loader import Table
from repairs.models import Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import Supervision, User
from sessions.models import Case, CheckIn, RespondentRole, SessionFormat, TherapySession

# Plain strings (not enum members) in the hot loop: cheaper to compare and to write.
_W_MARKERS = [str(m) for m in WITHDRAWAL_MARKERS]
_C_MARKERS = [str(m) for m in CONFRONTATION_MARKERS]
_CAUSES = [str(c) for c in CAUSE_WEIGHTS]
_CAUSE_W = list(CAUSE_WEIGHTS.values())
_FEELINGS = [str(f) for f in FEELING_WEIGHTS]
_FEELING_W = list(FEELING_WEIGHTS.values())
_THERAPIST_STRATEGIES = [str(s) for s in STRATEGY_WEIGHTS[Family.MIXED]]
_STRATEGY_W = list(STRATEGY_WEIGHTS[Family.MIXED].values())
_FORMATS = [str(f) for f in SessionFormat]

_CLIENT, _THERAPIST = str(RespondentRole.CLIENT), str(RespondentRole.THERAPIST)
_SUPERVISOR = str(AuthorRole.SUPERVISOR)
_SHARED, _PRIVATE = str(Visibility.SHARED), str(Visibility.PRIVATE)
_DURING, _AFTER = str(Recognised.DURING), str(Recognised.AFTER)
_UNCLASSIFIED = str(Family.UNCLASSIFIED)
_WITHDRAWAL, _CONFRONTATION = str(Family.WITHDRAWAL), str(Family.CONFRONTATION)
_MIXED = str(Family.MIXED)
_FAMILY_DRAW = (_WITHDRAWAL, _WITHDRAWAL, _CONFRONTATION, _CONFRONTATION, _MIXED)
_OPEN, _REPAIRING = str(Status.OPEN), str(Status.REPAIRING)
_RESOLVED, _UNRESOLVED = str(Status.RESOLVED), str(Status.UNRESOLVED)
_MARKER, _CAUSE, _FEELING = str(CodeKind.MARKER), str(CodeKind.CAUSE), str(CodeKind.FEELING)
_HELPED, _PARTLY = str(Outcome.HELPED), str(Outcome.PARTLY)
_DID_NOT_HELP, _NOT_KNOWN = str(Outcome.DID_NOT_HELP), str(Outcome.NOT_KNOWN_YET)
_CLIENT_RAISED, _AGREE = str(Strategy.CLIENT_RAISED), str(Strategy.AGREE_PREVENTION)
_WEEK = timedelta(weeks=1)
_HOUR = timedelta(hours=1)


class BulkTexts:
    """Ready-made texts, so that a million rows cost a choice each rather than a format."""

    def __init__(self, rng: random.Random) -> None:
        families = (Family.WITHDRAWAL, Family.CONFRONTATION, Family.MIXED)
        self.client: dict[str, list[str]] = {
            family: [
                client_account(rng, family, *_pick_topic_task(rng, client_side=True))
                for _ in range(300)
            ]
            for family in families
        }
        self.therapist: dict[str, list[str]] = {
            family: [
                therapist_account(rng, family, *_pick_topic_task(rng, client_side=False))
                for _ in range(300)
            ]
            for family in families
        }
        self.steps: dict[str, list[str]] = {
            strategy: [
                rng.choice(texts).format(topic=rng.choice(TOPICS)[1], task=rng.choice(TASKS))
                for _ in range(20)
            ]
            for strategy, texts in REPAIR_TEXTS.items()
        }


def _pick_topic_task(rng: random.Random, *, client_side: bool) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    return topic[0] if client_side else topic[1], rng.choice(TASKS)


@dataclass
class BulkTables:
    """One chunk's tables, each with the columns its rows are built in (the rest default)."""

    users: Table = field(
        default_factory=lambda: Table(
            User, ["id", "password", "email", "display_name", "role", "pseudonym", "date_joined"]
        )
    )
    supervisions: Table = field(
        default_factory=lambda: Table(
            Supervision, ["id", "supervisor_id", "therapist_id", "started_on"]
        )
    )
    cases: Table = field(
        default_factory=lambda: Table(
            Case, ["id", "client_id", "therapist_id", "opened_on", "closed_on"]
        )
    )
    sessions: Table = field(
        default_factory=lambda: Table(
            TherapySession, ["id", "case_id", "number", "starts_at", "minutes", "format"]
        )
    )
    ruptures: Table = field(
        default_factory=lambda: Table(
            Rupture,
            # Rupture tuples are built in this order: see BulkCases._therapist_report().
            [
                "id",
                "author_id",
                "created_at",
                "updated_at",
                "version",
                "case_id",
                "therapy_session_id",
                "author_role",
                "minute",
                "recognised",
                "family",
                "intensity",
                "account",
                "status",
                "agreement",
                "visibility",
                "shared_at",
                "counterpart_id",
            ],
        )
    )
    codes: Table = field(
        default_factory=lambda: Table(RuptureCode, ["id", "rupture_id", "kind", "code"])
    )
    steps: Table = field(
        default_factory=lambda: Table(
            RepairStep,
            [
                "id",
                "author_id",
                "created_at",
                "updated_at",
                "rupture_id",
                "therapy_session_id",
                "position",
                "initiated_by",
                "strategy",
                "description",
                "outcome",
            ],
        )
    )
    notes: Table = field(
        default_factory=lambda: Table(
            Note,
            ["id", "author_id", "created_at", "updated_at", "rupture_id", "author_role", "body"],
        )
    )
    check_ins: Table = field(
        default_factory=lambda: Table(
            CheckIn,
            [
                "id",
                "therapy_session_id",
                "respondent_id",
                "respondent_role",
                "tension",
                "intensity",
                "resolution",
                "created_at",
                "updated_at",
            ],
        )
    )

    @property
    def all(self) -> list[Table]:
        """Every table, referenced ones first (the order they are written in)."""
        return [
            self.users,
            self.supervisions,
            self.cases,
            self.sessions,
            self.ruptures,
            self.codes,
            self.steps,
            self.notes,
            self.check_ins,
        ]


class _Case:
    """One bulk case while its rows are drawn."""

    __slots__ = (
        "client_id",
        "count",
        "ends",
        "first_session",
        "id",
        "minutes",
        "moods",
        "ongoing",
        "starts",
        "supervisor_id",
        "therapist_id",
    )

    def __init__(
        self, case_id: int, client_id: int, therapist_id: int, supervisor_id: int, count: int
    ) -> None:
        self.id = case_id
        self.client_id = client_id
        self.therapist_id = therapist_id
        self.supervisor_id = supervisor_id
        self.count = count
        self.ongoing = False
        self.minutes = 50
        self.ends = timedelta()
        self.first_session = 0
        self.starts: list[datetime] = []
        # Session index -> the highest intensity the therapist saw there, for check-ins.
        self.moods: dict[int, int] = {}


def _status(draw: float, *, ongoing: bool, sessions_ago: int) -> str:
    """Recent moments are still open; older ones mostly settled; an ended course leaves
    nothing in progress."""
    if ongoing and sessions_ago == 0:
        return _OPEN if draw < 0.7 else _REPAIRING
    if ongoing and sessions_ago <= 2:
        return _OPEN if draw < 0.3 else _REPAIRING if draw < 0.65 else _RESOLVED
    if not ongoing:
        return _RESOLVED if draw < 0.75 else _UNRESOLVED
    if draw < 0.06:
        return _OPEN
    if draw < 0.14:
        return _REPAIRING
    if draw < 0.8:
        return _RESOLVED
    return _UNRESOLVED


class _Moment:
    """One bulk moment while its rows are drawn: a therapist entry, a client flag or both.
    Set field by field by `BulkCases._draw_moment`."""

    __slots__ = (
        "agreement",
        "both",
        "by_client",
        "client_row",
        "created",
        "draft",
        "family",
        "first_step",
        "index",
        "intensity",
        "minute",
        "seen_during",
        "session_id",
        "status",
        "therapist_row",
    )
    agreement: str
    both: bool
    by_client: bool
    client_row: int | None
    created: datetime
    draft: bool
    family: str
    first_step: int
    index: int
    intensity: int
    minute: int
    seen_during: bool
    session_id: int
    status: str
    therapist_row: int | None


class BulkCases:
    """Adds bulk cases, each with its sessions, ruptures, codes, steps, notes and check-ins,
    to one chunk's tables."""

    def __init__(
        self,
        rng: random.Random,
        texts: BulkTexts,
        tables: BulkTables,
        *,
        today: date,
        now: datetime,
        tz: tzinfo,
    ) -> None:
        self.rng = rng
        self.texts = texts
        self.tables = tables
        self.today = today
        self.latest = now - timedelta(minutes=1)
        self.tz = tz
        self.rand, self.randint, self.choice = rng.random, rng.randint, rng.choice
        self.choices = rng.choices

    def add_case(self, client_id: int, therapist_id: int, supervisor_id: int, room: int) -> int:
        """One case of 16 to 64 weekly sessions with at most `room` ruptures; returns how
        many it has."""
        case = self._case_and_sessions(client_id, therapist_id, supervisor_id)
        wanted = min(room, max(1, round(case.count * self.rng.uniform(0.2, 0.6))))
        made = 0
        while made < wanted:
            made += self._moment(case, wanted - made)
        self._check_ins(case)
        return made

    def _case_and_sessions(self, client_id: int, therapist_id: int, supervisor_id: int) -> _Case:
        rand, randint = self.rand, self.randint
        sessions = self.tables.sessions
        count = randint(16, 64)
        # A third of cases are ongoing (last session this past week); the rest ended at
        # some point in the last two years.
        ongoing = rand() < 0.35
        days_since_last = randint(1, 7) if ongoing else randint(22, 730)
        last_day = self.today - timedelta(days=days_since_last)
        first_day = last_day - timedelta(weeks=count - 1)
        closed_on = None if ongoing else last_day + timedelta(days=randint(0, 6))
        case_id = self.tables.cases.add(
            client_id=client_id,
            therapist_id=therapist_id,
            opened_on=first_day - timedelta(days=randint(3, 14)),
            closed_on=closed_on,
        )
        case = _Case(case_id, client_id, therapist_id, supervisor_id, count)
        case.ongoing = ongoing
        case.minutes = minutes = 60 if rand() < 0.15 else 50
        case.ends = timedelta(minutes=minutes)
        session_format = self.choice(_FORMATS)
        first_start = datetime.combine(first_day, clock(randint(8, 18)), tzinfo=self.tz)
        case.first_session = first_session = sessions.next_id
        sessions.next_id += count
        case.starts = starts = [first_start + _WEEK * k for k in range(count)]
        session_rows = sessions.rows
        for k in range(count):
            session_rows.append(
                (first_session + k, case_id, k + 1, starts[k], minutes, session_format)
            )
        return case

    def _moment(self, case: _Case, left: int) -> int:
        """One moment in a random session of the case; returns its rupture count (1 or 2)."""
        moment = self._draw_moment(case, left)
        if moment.therapist_row is not None:
            self._therapist_report(case, moment)
        if moment.client_row is not None:
            self._client_report(case, moment)
        # Steps hang off the therapist's entry when there is one.
        owner = moment.therapist_row if moment.therapist_row is not None else moment.client_row
        assert owner is not None
        if moment.status != _OPEN:
            self._steps(case, moment, owner)
        if self.rand() < 0.08 and not moment.draft:
            self._note(case, moment, owner)
        return 2 if moment.both else 1

    def _draw_moment(self, case: _Case, left: int) -> _Moment:
        """Where and how it happened, who reported it, where it ended up; the rows' ids."""
        rand, randint, choice = self.rand, self.randint, self.choice
        ruptures = self.tables.ruptures
        moment = _Moment()
        moment.index = index = randint(0, case.count - 1)
        moment.session_id = case.first_session + index
        ended = case.starts[index] + case.ends
        moment.both = both = left >= 2 and rand() < 0.2
        by_therapist = both or rand() < 0.7
        moment.by_client = by_client = both or not by_therapist
        status = _status(rand(), ongoing=case.ongoing, sessions_ago=case.count - 1 - index)
        moment.draft = draft = by_client and not both and rand() < 0.1
        moment.seen_during = seen_during = by_therapist and rand() < 0.55
        moment.first_step = first_step = index if seen_during else index + 1
        if draft or first_step >= case.count:
            status = _OPEN
        moment.status = status
        moment.agreement = choice(AGREEMENTS) if status == _RESOLVED else ""
        moment.family = choice(_FAMILY_DRAW)
        moment.intensity = randint(1, 5)
        moment.minute = randint(3, case.minutes - 3)
        created = ended + _HOUR * randint(1, 72)
        moment.created = min(created, self.latest)
        moment.therapist_row = ruptures.take_id() if by_therapist else None
        moment.client_row = ruptures.take_id() if by_client else None
        return moment

    def _therapist_report(self, case: _Case, moment: _Moment) -> None:
        """The therapist's entry (columns as in BulkTables.ruptures), its markers and causes."""
        rand, choice, choices = self.rand, self.choice, self.choices
        code_rows, take_code_id = self.tables.codes.rows, self.tables.codes.take_id
        row, family, created = moment.therapist_row, moment.family, moment.created
        is_private = not moment.both and rand() < 0.12
        self.tables.ruptures.rows.append(
            (
                row,
                case.therapist_id,
                created,
                created,
                1,
                case.id,
                moment.session_id,
                _THERAPIST,
                moment.minute,
                _DURING if moment.seen_during else _AFTER,
                family,
                moment.intensity,
                choice(self.texts.therapist[family]),
                moment.status,
                moment.agreement,
                _PRIVATE if is_private else _SHARED,
                None if is_private else created,
                moment.client_row,
            )
        )
        if family == _MIXED:
            picked = [choice(_W_MARKERS), choice(_C_MARKERS)]
        else:
            picked = [choice(_W_MARKERS if family == _WITHDRAWAL else _C_MARKERS)]
        for code in picked:
            code_rows.append((take_code_id(), row, _MARKER, code))
        first_cause = choices(_CAUSES, _CAUSE_W)[0]
        code_rows.append((take_code_id(), row, _CAUSE, first_cause))
        if rand() < 0.3:
            second = choice(_CAUSES)
            if second != first_cause:
                code_rows.append((take_code_id(), row, _CAUSE, second))
        case.moods[moment.index] = max(case.moods.get(moment.index, 0), moment.intensity)

    def _client_report(self, case: _Case, moment: _Moment) -> None:
        """The client's flag (columns as in BulkTables.ruptures) and its feeling words."""
        rand, choice, choices = self.rand, self.choice, self.choices
        code_rows, take_code_id = self.tables.codes.rows, self.tables.codes.take_id
        row, created, draft = moment.client_row, moment.created, moment.draft
        self.tables.ruptures.rows.append(
            (
                row,
                case.client_id,
                created,
                created,
                1,
                case.id,
                moment.session_id,
                _CLIENT,
                None if rand() < 0.3 else moment.minute,
                _AFTER,
                _UNCLASSIFIED,
                moment.intensity,
                choice(self.texts.client[moment.family]),
                moment.status,
                moment.agreement,
                _PRIVATE if draft else _SHARED,
                None if draft else created,
                moment.therapist_row,
            )
        )
        first_feeling = choices(_FEELINGS, _FEELING_W)[0]
        code_rows.append((take_code_id(), row, _FEELING, first_feeling))
        if rand() < 0.5:
            second = choice(_FEELINGS)
            if second != first_feeling:
                code_rows.append((take_code_id(), row, _FEELING, second))

    def _steps(self, case: _Case, moment: _Moment, owner: int) -> None:
        """One or two repair steps, in the sessions after the moment (or in it, if seen)."""
        rand, choice, choices = self.rand, self.choice, self.choices
        step_rows, take_step_id = self.tables.steps.rows, self.tables.steps.take_id
        status, latest, starts, ends = moment.status, self.latest, case.starts, case.ends
        step_count = 1 if status == _REPAIRING or rand() < 0.55 else 2
        at = moment.created
        for position in range(1, step_count + 1):
            step_index = min(case.count - 1, moment.first_step + position - 1)
            at = max(at, starts[step_index] + ends) + _HOUR
            if at > latest:
                at = latest
            is_last = position == step_count
            if position == 1 and moment.by_client and not moment.seen_during and rand() < 0.4:
                strategy, initiated_by = _CLIENT_RAISED, _CLIENT
            elif is_last and status == _RESOLVED and step_count > 1:
                strategy, initiated_by = _AGREE, _THERAPIST
            else:
                strategy = choices(_THERAPIST_STRATEGIES, _STRATEGY_W)[0]
                initiated_by = _THERAPIST
            if not is_last:
                outcome = choice((_HELPED, _PARTLY, _DID_NOT_HELP))
            elif status == _RESOLVED:
                outcome = _HELPED if rand() < 0.8 else _PARTLY
            elif status == _REPAIRING:
                outcome = choice((_NOT_KNOWN, _PARTLY, _DID_NOT_HELP))
            else:
                outcome = choice((_DID_NOT_HELP, _PARTLY))
            step_rows.append(
                (
                    take_step_id(),
                    case.therapist_id,
                    at,
                    at,
                    owner,
                    case.first_session + step_index,
                    position,
                    initiated_by,
                    strategy,
                    choice(self.texts.steps[strategy]),
                    outcome,
                )
            )

    def _note(self, case: _Case, moment: _Moment, owner: int) -> None:
        """A therapist's reply on a client's flag, else a supervisor's comment."""
        at = min(moment.created + _HOUR * self.randint(2, 100), self.latest)
        if moment.client_row is not None:
            note = (case.therapist_id, at, at, moment.client_row, _THERAPIST)
            body = self.choice(THERAPIST_REPLIES)
        else:
            note = (case.supervisor_id, at, at, owner, _SUPERVISOR)
            body = self.choice(SUPERVISOR_NOTES)
        self.tables.notes.rows.append((self.tables.notes.take_id(), *note, body))

    def _check_ins(self, case: _Case) -> None:
        """Check-ins for the sessions where the therapist saw something happen."""
        rand, randint = self.rand, self.randint
        check_ins = self.tables.check_ins
        rows, take_id = check_ins.rows, check_ins.take_id
        for index, intensity in case.moods.items():
            at = min(case.starts[index] + case.ends + _HOUR, self.latest)
            session_id = case.first_session + index
            if rand() < 0.6:
                rows.append(
                    (
                        take_id(),
                        session_id,
                        case.therapist_id,
                        _THERAPIST,
                        True,
                        intensity,
                        randint(1, 5),
                        at,
                        at,
                    )
                )
            if rand() < 0.45:
                tension = rand() < 0.7
                rating = randint(1, 5) if tension else None
                rows.append(
                    (
                        take_id(),
                        session_id,
                        case.client_id,
                        _CLIENT,
                        tension,
                        intensity if tension else None,
                        rating,
                        at,
                        at,
                    )
                )
