"""What happens in each case of the demo practice: its moments, their codes and repair.

A moment is reported by the client, the therapist or both (two linked entries), then
repaired over the next sessions or not; notes, inbox notices and the sessions' check-ins
follow (`follow_ups.py`). Everything is drawn from the practice's one `random.Random`, in a
fixed order: reordering two draws here changes every row after them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from repairs.codes import (
    CONFRONTATION_MARKERS,
    WITHDRAWAL_MARKERS,
    ClientView,
    CodeKind,
    Family,
    InboxKind,
    Outcome,
    Recognised,
    Status,
    Strategy,
    Visibility,
)
from repairs.demo.cases import DemoCase, DemoSession, SessionMood
from repairs.demo.content import (
    AGREEMENTS,
    CAUSE_WEIGHTS,
    FEELING_WEIGHTS,
    REPAIR_TEXTS,
    ROUGHLY_WHEN,
    STRATEGY_WEIGHTS,
    TASKS,
    TOPICS,
)
from repairs.demo.draws import (
    before_now,
    client_account,
    therapist_account,
    weighted,
    weighted_distinct,
)
from repairs.demo.follow_ups import FollowUps
from repairs.demo.loader import Table
from sessions.models import RespondentRole

# (strategy, outcome, session index, initiated by) of one repair step.
PlannedStep = tuple[str, str, int, str]


# How many repair steps a moment has, by where it ended up (weights).
STEPS_BY_STATUS: dict[str, dict[int, int]] = {
    Status.REPAIRING: {1: 60, 2: 40},
    Status.RESOLVED: {1: 25, 2: 40, 3: 25, 4: 10},
    Status.UNRESOLVED: {1: 40, 2: 40, 3: 20},
}


@dataclass
class _Moment:
    """One moment while it is drawn: what happened, then who wrote it down, when, and how
    it was repaired. Filled in step by step by `CaseHistory._moment`."""

    index: int
    session: DemoSession
    topic_client: str
    topic_therapist: str
    task: str
    family: str
    intensity: int
    minute: int
    by_client: bool
    by_therapist: bool
    draft: bool
    therapist_private: bool
    during: bool
    status: str = ""
    steps: list[PlannedStep] = field(default_factory=list)
    agreement: str = ""
    therapist_id: int | None = None
    client_id: int | None = None
    therapist_created: datetime | None = None
    client_created: datetime | None = None
    shared_at: datetime | None = None
    step_times: list[datetime] = field(default_factory=list)
    version: int = 1


class CaseHistory:
    """Adds everything that happened in a case to the practice's tables (nothing is written
    here: the practice writes all tables at the end)."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        *,
        ruptures: Table,
        codes: Table,
        steps: Table,
        notes: Table,
        check_ins: Table,
        inbox: Table,
    ) -> None:
        self.rng = rng
        self.now = now
        self.ruptures = ruptures
        self.codes = codes
        self.steps = steps
        self.follow_ups = FollowUps(rng, now, notes=notes, check_ins=check_ins, inbox=inbox)

    def add(self, case: DemoCase) -> None:
        """Every moment of the case, session by session, then each session's check-ins
        (which reflect what happened in it)."""
        rng = self.rng
        moods = [SessionMood() for _ in case.sessions]
        last = len(case.sessions) - 1
        for index in range(len(case.sessions)):
            draw = rng.random()
            if draw < case.rupture_rate * 0.15:
                moments = 2
            elif draw < case.rupture_rate:
                moments = 1
            else:
                moments = 0
            for _ in range(moments):
                self._moment(case, index, moods)
        if case.showcase:
            # The demo client's own case always shows the main client-side states: a moment
            # seen by both and resolved, a private draft, and a fresh flag still unanswered.
            self._moment(case, last - 4, moods, sides="both", status=Status.RESOLVED)
            self._moment(case, last - 1, moods, sides="client", draft=True)
            self._moment(case, last, moods, sides="client", draft=False, reply=False)
        for index, session in enumerate(case.sessions):
            self.follow_ups.check_ins_after(case, session, moods[index], last_session=index == last)

    def _before_now(self, moment: datetime) -> datetime:
        return before_now(moment, self.now)

    # One moment ---------------------------------------------------------------------------

    def _moment(
        self,
        case: DemoCase,
        index: int,
        moods: list[SessionMood],
        *,
        sides: str | None = None,
        draft: bool | None = None,
        status: str | None = None,
        reply: bool | None = None,
    ) -> None:
        """One moment in one session, reported by the client, the therapist, or both."""
        moment = self._draw_moment(case, index, sides=sides, draft=draft)
        self._plan_repair(case, moment, status)
        self._report_times(case, moment)
        mood = moods[index]
        if moment.therapist_id is not None and moment.therapist_created is not None:
            self._therapist_entry(case, moment, mood)
        if moment.client_id is not None and moment.client_created is not None:
            self._client_flag(case, moment, mood)
        self._repair_steps(case, moment, mood)
        self.follow_ups.notes_on_moment(
            case,
            moment.session,
            therapist_id=moment.therapist_id,
            therapist_private=moment.therapist_private,
            client_id=moment.client_id if not moment.draft else None,
            client_shared_at=moment.shared_at,
            therapist_created=moment.therapist_created,
            reply=reply,
            task=moment.task,
        )

    def _draw_moment(
        self, case: DemoCase, index: int, *, sides: str | None, draft: bool | None
    ) -> _Moment:
        """What happened, and who noticed: the draws every moment starts with."""
        rng = self.rng
        session = case.sessions[index]
        topic_client, topic_therapist = rng.choice(TOPICS)
        task = rng.choice(TASKS)
        family = weighted(
            rng,
            {Family.WITHDRAWAL: 30, Family.CONFRONTATION: 45, Family.MIXED: 25}
            if case.confrontational
            else {Family.WITHDRAWAL: 52, Family.CONFRONTATION: 30, Family.MIXED: 18},
        )
        intensity = weighted(rng, {1: 12, 2: 28, 3: 32, 4: 19, 5: 9})
        minute = rng.randint(3, session.minutes - 3)
        if sides is None:
            # Clients report fewer moments than therapists, and many only to themselves.
            sides = weighted(rng, {"both": 35, "therapist": 45, "client": 20})
        by_client = sides in ("both", "client")
        by_therapist = sides in ("both", "therapist")
        if draft is None:
            draft = sides == "client" and rng.random() < 0.2
        therapist_private = sides == "therapist" and rng.random() < 0.15
        during = by_therapist and rng.random() < 0.55
        return _Moment(
            index=index,
            session=session,
            topic_client=topic_client,
            topic_therapist=topic_therapist,
            task=task,
            family=family,
            intensity=intensity,
            minute=minute,
            by_client=by_client,
            by_therapist=by_therapist,
            draft=draft,
            therapist_private=therapist_private,
            during=during,
        )

    def _plan_repair(self, case: DemoCase, moment: _Moment, status: str | None) -> None:
        """Where the moment ended up, the repair steps that got it there, any agreement."""
        # Repair can begin in this session if the therapist saw it in the room, else later.
        first_step_index = moment.index if moment.during else moment.index + 1
        step_sessions = list(range(first_step_index, min(first_step_index + 4, len(case.sessions))))
        status = status or self._status(moment.session.sessions_ago, case.closed)
        if moment.draft or not step_sessions:
            status = Status.OPEN
        moment.status = status
        moment.steps = self._plan_steps(
            status,
            moment.family,
            step_sessions,
            client_first=moment.by_client and not moment.during,
        )
        moment.agreement = self.rng.choice(AGREEMENTS) if status == Status.RESOLVED else ""

    def _report_times(self, case: DemoCase, moment: _Moment) -> None:
        """When each side wrote it down (their ids too), then when each step followed."""
        rng = self.rng
        session = moment.session
        reported_at = session.ends_at
        if moment.by_therapist:
            moment.therapist_created = session.ends_at + (
                timedelta(minutes=rng.randint(10, 120))
                if moment.during
                else timedelta(hours=rng.randint(3, 72))
            )
            moment.therapist_id = self.ruptures.take_id()
            reported_at = moment.therapist_created
        if moment.by_client:
            moment.client_id = self.ruptures.take_id()
            moment.client_created = session.ends_at + timedelta(hours=rng.randint(1, 96))
            reported_at = max(reported_at, moment.client_created)

        # Steps and status changes come after both reports.
        moment.step_times = self._step_times(case, moment.steps, reported_at)
        settled = moment.status in (Status.RESOLVED, Status.UNRESOLVED)
        moment.version = 1 + (1 if moment.steps else 0) + (1 if settled else 0)

    def _therapist_entry(self, case: DemoCase, moment: _Moment, mood: SessionMood) -> None:
        rng = self.rng
        session = moment.session
        therapist_id = moment.therapist_id
        assert therapist_id is not None and moment.therapist_created is not None
        changed_at = moment.step_times[-1] if moment.step_times else None
        visibility = Visibility.PRIVATE if moment.therapist_private else Visibility.SHARED
        client_view = ""
        if not moment.therapist_private:
            views: dict[str, int] = (
                {ClientView.SAME: 60, ClientView.DIFFERENT: 40}
                if moment.by_client
                else {
                    "": 55,
                    ClientView.NOT_NOTICED: 25,
                    ClientView.SAME: 12,
                    ClientView.DIFFERENT: 8,
                }
            )
            client_view = weighted(rng, views)
        moment.therapist_created = created = self._before_now(moment.therapist_created)
        self.ruptures.add(
            id=therapist_id,
            author_id=case.therapist_id,
            created_at=created,
            updated_at=self._before_now(changed_at or created),
            version=moment.version,
            case_id=case.id,
            therapy_session_id=session.id,
            author_role=RespondentRole.THERAPIST,
            minute=None
            if rng.random() < 0.08
            else max(0, min(session.minutes, moment.minute + rng.randint(-2, 2))),
            recognised=Recognised.DURING if moment.during else Recognised.AFTER,
            family=moment.family,
            intensity=moment.intensity,
            account=therapist_account(rng, moment.family, moment.topic_therapist, moment.task),
            status=moment.status,
            agreement=moment.agreement,
            visibility=visibility,
            shared_at=None if moment.therapist_private else created,
            client_view=str(client_view),
            counterpart_id=moment.client_id,
        )
        self._therapist_codes(therapist_id, moment.family)
        if visibility == Visibility.SHARED:
            self.follow_ups.notify(
                case.client_id, InboxKind.SHARED_ENTRY, session, therapist_id, created
            )
            if client_view:
                answered = self._before_now(created + timedelta(hours=rng.randint(4, 60)))
                self.follow_ups.notify(
                    case.therapist_id, InboxKind.CLIENT_VIEW, session, therapist_id, answered
                )
        mood.therapist_intensity = max(mood.therapist_intensity, moment.intensity)

    def _client_flag(self, case: DemoCase, moment: _Moment, mood: SessionMood) -> None:
        rng = self.rng
        session = moment.session
        client_id = moment.client_id
        assert client_id is not None and moment.client_created is not None
        changed_at = moment.step_times[-1] if moment.step_times else None
        moment.client_created = client_created = self._before_now(moment.client_created)
        shared_at = None
        if not moment.draft:
            # Some flags sat as a private draft for a while before the client shared them.
            shared_at = client_created
            if rng.random() < 0.15:
                shared_at = self._before_now(client_created + timedelta(hours=rng.randint(6, 48)))
        moment.shared_at = shared_at
        self.ruptures.add(
            id=client_id,
            author_id=case.client_id,
            created_at=client_created,
            updated_at=self._before_now(changed_at or shared_at or client_created),
            version=moment.version + (1 if shared_at and shared_at != client_created else 0),
            case_id=case.id,
            therapy_session_id=session.id,
            author_role=RespondentRole.CLIENT,
            minute=self._client_minute(session.minutes, moment.minute),
            # The client form records every flag as noticed after the session.
            recognised=Recognised.AFTER,
            family=Family.UNCLASSIFIED,
            intensity=None
            if rng.random() < 0.15
            else max(1, min(5, moment.intensity + rng.randint(-1, 1))),
            account=client_account(rng, moment.family, moment.topic_client, moment.task),
            status=moment.status,
            agreement=moment.agreement,
            visibility=Visibility.PRIVATE if moment.draft else Visibility.SHARED,
            shared_at=shared_at,
            counterpart_id=moment.therapist_id,
        )
        for feeling in weighted_distinct(rng, FEELING_WEIGHTS, rng.choice([1, 1, 2, 2, 3])):
            self.codes.add(rupture_id=client_id, kind=CodeKind.FEELING, code=str(feeling))
        if shared_at is not None:
            self.follow_ups.notify(
                case.therapist_id, InboxKind.CLIENT_FLAG, session, client_id, shared_at
            )
        mood.client_intensity = max(mood.client_intensity, moment.intensity)

    def _repair_steps(self, case: DemoCase, moment: _Moment, mood: SessionMood) -> None:
        # Steps hang off the therapist's entry when there is one: that is where the
        # therapist records the repair work.
        owner = moment.therapist_id if moment.therapist_id is not None else moment.client_id
        assert owner is not None
        for position, ((strategy, outcome, session_index, initiated_by), at) in enumerate(
            zip(moment.steps, moment.step_times, strict=True), start=1
        ):
            self.steps.add(
                author_id=case.therapist_id,
                created_at=at,
                updated_at=at,
                rupture_id=owner,
                therapy_session_id=case.sessions[session_index].id,
                position=position,
                initiated_by=initiated_by,
                strategy=str(strategy),
                description=self.rng.choice(REPAIR_TEXTS[strategy]).format(
                    topic=moment.topic_therapist, task=moment.task
                ),
                outcome=str(outcome),
            )
            if session_index == moment.index and outcome == Outcome.HELPED:
                mood.settled_in_session = True

    # Its status and repair ----------------------------------------------------------------

    def _status(self, sessions_ago: int, closed: bool) -> str:
        if sessions_ago == 0:
            weights = {Status.OPEN: 70, Status.REPAIRING: 30}
        elif sessions_ago <= 2:
            weights = {Status.OPEN: 25, Status.REPAIRING: 35, Status.RESOLVED: 33}
            weights[Status.UNRESOLVED] = 7
        else:
            weights = {Status.OPEN: 7, Status.REPAIRING: 10, Status.RESOLVED: 66}
            weights[Status.UNRESOLVED] = 17
        status = weighted(self.rng, weights)
        if closed and status in (Status.OPEN, Status.REPAIRING):
            # A course that has ended leaves nothing in progress.
            status = Status.UNRESOLVED
        return status

    def _plan_steps(
        self, status: str, family: str, step_sessions: list[int], *, client_first: bool
    ) -> list[PlannedStep]:
        """(strategy, outcome, session index, initiated by) for each repair step, in order."""
        rng = self.rng
        if status == Status.OPEN:
            return []
        count = weighted(rng, STEPS_BY_STATUS[status])
        if family == Family.UNCLASSIFIED:
            family = Family.MIXED
        strategies: list[str] = []
        if client_first and rng.random() < 0.5:
            strategies.append(Strategy.CLIENT_RAISED)
        closing = status == Status.RESOLVED and count >= 2 and rng.random() < 0.65
        while len(strategies) < count - (1 if closing else 0):
            strategies.append(weighted(rng, STRATEGY_WEIGHTS[family]))
        if closing:
            strategies.append(Strategy.AGREE_PREVENTION)
        indexes = sorted(
            [step_sessions[0]] + [rng.choice(step_sessions[:3]) for _ in strategies[1:]]
        )
        steps = []
        for number, (strategy, session_index) in enumerate(zip(strategies, indexes, strict=True)):
            outcome = self._step_outcome(status, is_last=number == len(strategies) - 1)
            initiated_by = self._step_initiated_by(strategy)
            steps.append((strategy, outcome, session_index, initiated_by))
        return steps

    def _step_outcome(self, status: str, *, is_last: bool) -> str:
        # Steps before the last are mixed; the last one matches where the moment ended up.
        if not is_last:
            weights = {Outcome.HELPED: 35, Outcome.PARTLY: 40, Outcome.DID_NOT_HELP: 25}
        elif status == Status.RESOLVED:
            weights = {Outcome.HELPED: 80, Outcome.PARTLY: 20}
        elif status == Status.REPAIRING:
            weights = {Outcome.NOT_KNOWN_YET: 45, Outcome.PARTLY: 35, Outcome.DID_NOT_HELP: 20}
        else:
            weights = {Outcome.DID_NOT_HELP: 65, Outcome.PARTLY: 35}
        return weighted(self.rng, weights)

    def _step_initiated_by(self, strategy: str) -> str:
        if strategy == Strategy.CLIENT_RAISED:
            return str(RespondentRole.CLIENT)
        if strategy == Strategy.AGREE_PREVENTION:
            weights = {RespondentRole.CLIENT: 30, RespondentRole.THERAPIST: 70}
        else:
            weights = {RespondentRole.CLIENT: 8, RespondentRole.THERAPIST: 92}
        return str(weighted(self.rng, weights))

    def _step_times(
        self, case: DemoCase, steps: list[PlannedStep], reported_at: datetime
    ) -> list[datetime]:
        times: list[datetime] = []
        previous = reported_at
        for _, _, session_index, _ in steps:
            session = case.sessions[session_index]
            at = max(session.ends_at, previous) + timedelta(minutes=self.rng.randint(15, 600))
            times.append(self._before_now(at))
            previous = at
        return times

    # Its codes ----------------------------------------------------------------------------

    def _client_minute(self, minutes: int, minute: int) -> int | None:
        rng = self.rng
        answer = weighted(rng, {"roughly": 55, "minute": 15, "not_sure": 30})
        if answer == "not_sure":
            return None
        if answer == "minute":
            return max(0, min(minutes, round(minute / 5) * 5 + rng.choice([-5, 0, 0, 5])))
        return round(minutes * min(ROUGHLY_WHEN, key=lambda share: abs(share * minutes - minute)))

    def _therapist_codes(self, rupture_id: int, family: str) -> None:
        rng = self.rng
        markers: list[str] = []
        if family in (Family.WITHDRAWAL, Family.MIXED):
            markers += rng.sample(
                WITHDRAWAL_MARKERS, 1 if family == Family.MIXED else rng.choice([1, 1, 2])
            )
        if family in (Family.CONFRONTATION, Family.MIXED):
            markers += rng.sample(
                CONFRONTATION_MARKERS, 1 if family == Family.MIXED else rng.choice([1, 1, 2])
            )
        for marker in markers:
            self.codes.add(rupture_id=rupture_id, kind=CodeKind.MARKER, code=str(marker))
        for cause in weighted_distinct(rng, CAUSE_WEIGHTS, 2 if rng.random() < 0.3 else 1):
            self.codes.add(rupture_id=rupture_id, kind=CodeKind.CAUSE, code=str(cause))
