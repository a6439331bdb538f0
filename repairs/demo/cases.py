"""A demo case and its sessions as the practice plans them in memory, before rows are written.

The case's history (`moments.py`, `follow_ups.py`) reads these rather than the database:
ids are chosen up front and nothing is written until the whole practice is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class DemoSession:
    id: int
    case_id: int
    number: int
    starts_at: datetime
    minutes: int
    # 0 for the case's latest session: how fresh its events are (open, unread, ...).
    sessions_ago: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass
class DemoCase:
    id: int
    client_id: int
    therapist_id: int
    supervisor_id: int
    closed: bool
    # Cases differ in how often things go wrong and how: some clients push back more.
    rupture_rate: float
    confrontational: bool
    # The demo client's case (DEMO_LOGINS["client"]).
    showcase: bool
    sessions: list[DemoSession] = field(default_factory=list)


@dataclass
class SessionMood:
    """What each side experienced in one session, for that session's check-ins."""

    client_intensity: int = 0
    therapist_intensity: int = 0
    settled_in_session: bool = False
