"""The demo practice: its people, supervisions, cases and weekly sessions, then their history.

Built from a fixed random seed with dates anchored to now, so it always looks current and
only the clock changes it. Every row is built in memory first and written in one go
(`loader.py`); what happens in each case is `moments.py`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.utils import timezone

from repairs.demo import DEMO_ADMIN_EMAIL
from repairs.demo.cases import DemoCase, DemoSession
from repairs.demo.content import (
    ADMIN_NAME,
    CLIENT_NAMES,
    DEMO_SEED,
    SUPERVISOR_NAMES,
    THERAPIST_NAMES,
)
from repairs.demo.draws import demo_email, last_weekday_before, pseudonym, weighted
from repairs.demo.loader import Table, start_ids, write
from repairs.demo.moments import CaseHistory
from repairs.models import InboxItem, Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import Role, Supervision, User
from sessions.models import Case, CheckIn, SessionFormat, TherapySession


def demo_exists() -> bool:
    return User.objects.filter(email=DEMO_ADMIN_EMAIL).exists()


class DemoPractice:
    """Builds every row of the demo practice in memory, then writes them in one go."""

    def __init__(self, password_hash: str) -> None:
        self.rng = random.Random(DEMO_SEED)
        self.password_hash = password_hash
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.users = Table(User)
        self.supervisions = Table(Supervision)
        self.cases = Table(Case)
        self.sessions = Table(TherapySession)
        self.ruptures = Table(Rupture)
        self.codes = Table(RuptureCode)
        self.steps = Table(RepairStep)
        self.notes = Table(Note)
        self.check_ins = Table(CheckIn)
        self.inbox = Table(InboxItem)
        self.tables = [
            self.users,
            self.supervisions,
            self.cases,
            self.sessions,
            self.ruptures,
            self.codes,
            self.steps,
            self.notes,
            self.check_ins,
            self.inbox,
        ]

    def build_and_write(self) -> dict[str, int] | None:
        """Write the demo; its row counts, or None if another run wrote it meanwhile."""
        start_ids(self.tables)
        if demo_exists():
            return None
        cases = self._people_and_cases()
        history = CaseHistory(
            self.rng,
            self.now,
            ruptures=self.ruptures,
            codes=self.codes,
            steps=self.steps,
            notes=self.notes,
            check_ins=self.check_ins,
            inbox=self.inbox,
        )
        for case in cases:
            history.add(case)
        counts = {str(t.model._meta.verbose_name_plural): len(t.rows) for t in self.tables}
        write(self.tables)
        return counts

    # People ---------------------------------------------------------------------------------

    def _user(self, email: str, name: str, role: str, **extra: Any) -> int:
        return self.users.add(
            email=email,
            display_name=name,
            role=role,
            password=self.password_hash,
            date_joined=self.now - timedelta(days=self.rng.randint(200, 400)),
            **extra,
        )

    def _people_and_cases(self) -> list[DemoCase]:
        supervisors, therapists, clients = self._people()
        for index, therapist in enumerate(therapists):
            self.supervisions.add(
                supervisor_id=supervisors[index // 3],
                therapist_id=therapist,
                started_on=self.today - timedelta(days=self.rng.randint(300, 900)),
            )
        return self._cases(supervisors, therapists, clients)

    def _people(self) -> tuple[list[int], list[int], list[int]]:
        """The administrator, then the supervisors', therapists' and clients' ids, in order."""
        self._user(DEMO_ADMIN_EMAIL, ADMIN_NAME, Role.ADMIN, is_staff=True, is_superuser=True)
        supervisors = [
            self._user(demo_email(first, last), f"{first} {last}", Role.SUPERVISOR)
            for first, last in SUPERVISOR_NAMES
        ]
        therapists = [
            self._user(demo_email(first, last), f"{first} {last}", Role.THERAPIST)
            for first, last in THERAPIST_NAMES
        ]
        used = set(User.objects.exclude(pseudonym=None).values_list("pseudonym", flat=True))
        clients = [
            self._user(
                demo_email(first, last),
                f"{first} {last}",
                Role.CLIENT,
                pseudonym=pseudonym(self.rng, used),
            )
            for first, last in CLIENT_NAMES
        ]
        return supervisors, therapists, clients

    # Cases and sessions ---------------------------------------------------------------------

    def _cases(
        self, supervisors: list[int], therapists: list[int], clients: list[int]
    ) -> list[DemoCase]:
        """Six clients per therapist, three therapists per supervisor, in the names' order."""
        rng = self.rng
        # A few courses of therapy have ended; never the demo client's.
        closed = set(rng.sample(range(1, len(clients)), 4))
        cases: list[DemoCase] = []
        for t_index, therapist in enumerate(therapists):
            # Each therapist keeps a weekly slot per client: weekday and hour.
            slots = rng.sample(
                [(d, h) for d in range(5) for h in (9, 10, 11, 12, 14, 15, 16, 17)], 6
            )
            for c_index, (weekday, hour) in enumerate(slots):
                number = t_index * 6 + c_index
                cases.append(
                    self._case(
                        client=clients[number],
                        therapist=therapist,
                        supervisor=supervisors[t_index // 3],
                        weekday=weekday,
                        hour=hour,
                        closed=number in closed,
                        showcase=number == 0,
                        long_sessions=t_index == 3,
                    )
                )
        return cases

    def _case(
        self,
        *,
        client: int,
        therapist: int,
        supervisor: int,
        weekday: int,
        hour: int,
        closed: bool,
        showcase: bool,
        long_sessions: bool,
    ) -> DemoCase:
        rng = self.rng
        if closed:
            weeks, weeks_since_end = rng.randint(10, 20), rng.randint(3, 9)
        else:
            weeks = 26 if showcase else rng.choice([26, 26, 26, 25, 24, 22, 18, 14, 10, 7])
            weeks_since_end = 0
        last_day = last_weekday_before(self.today, weekday) - timedelta(weeks=weeks_since_end)
        minutes = 60 if long_sessions or rng.random() < 0.12 else 50
        usual_format = weighted(
            rng, {SessionFormat.IN_PERSON: 55, SessionFormat.VIDEO: 35, SessionFormat.PHONE: 10}
        )
        # Holidays and illness: a few weeks without a session (never the first or last).
        weeks_held = [w for w in range(weeks) if w in (0, weeks - 1) or rng.random() > 0.08]
        first_day = last_day - timedelta(weeks=weeks - 1)
        case_id = self.cases.add(
            client_id=client,
            therapist_id=therapist,
            opened_on=first_day - timedelta(days=rng.randint(3, 14)),
            closed_on=last_day + timedelta(days=rng.randint(0, 6)) if closed else None,
        )
        case = DemoCase(
            id=case_id,
            client_id=client,
            therapist_id=therapist,
            supervisor_id=supervisor,
            closed=closed,
            rupture_rate=rng.uniform(0.25, 0.6),
            confrontational=rng.random() < 0.3,
            showcase=showcase,
        )
        self._sessions(case, first_day, weeks_held, hour=hour, minutes=minutes, usual=usual_format)
        return case

    def _sessions(
        self,
        case: DemoCase,
        first_day: date,
        weeks_held: list[int],
        *,
        hour: int,
        minutes: int,
        usual: str,
    ) -> None:
        """The case's weekly sessions at its slot, mostly in its usual format."""
        rng = self.rng
        for number, week in enumerate(weeks_held, start=1):
            session_format = usual
            if rng.random() < 0.15:
                session_format = rng.choice(SessionFormat.values)
            starts_at = datetime.combine(
                first_day + timedelta(weeks=week), clock(hour), tzinfo=self.tz
            )
            session_id = self.sessions.add(
                case_id=case.id,
                number=number,
                starts_at=starts_at,
                minutes=minutes,
                format=str(session_format),
            )
            sessions_ago = len(weeks_held) - number
            case.sessions.append(
                DemoSession(session_id, case.id, number, starts_at, minutes, sessions_ago)
            )
