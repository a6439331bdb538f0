"""What follows a moment or a session in the demo: notes, inbox notices and check-ins.

Drawn from the practice's one `random.Random`, called by `moments.CaseHistory` at fixed
points of its own draws.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from repairs.codes import AuthorRole, InboxKind, Visibility
from repairs.demo.cases import DemoCase, DemoSession, SessionMood
from repairs.demo.content import (
    CHECK_IN_COMMENTS,
    CLIENT_REPLIES,
    SUPERVISOR_NOTES,
    THERAPIST_PRIVATE_NOTES,
    THERAPIST_REPLIES,
)
from repairs.demo.draws import before_now
from repairs.demo.loader import Table
from repairs.services import check_ins_disagree
from sessions.models import CheckIn, RespondentRole


class FollowUps:
    """Adds notes, inbox items and check-ins to the practice's tables."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        *,
        notes: Table,
        check_ins: Table,
        inbox: Table,
    ) -> None:
        self.rng = rng
        self.now = now
        self.notes = notes
        self.check_ins = check_ins
        self.inbox = inbox

    def notes_on_moment(
        self,
        case: DemoCase,
        session: DemoSession,
        *,
        therapist_id: int | None,
        therapist_private: bool,
        client_id: int | None,
        client_shared_at: datetime | None,
        therapist_created: datetime | None,
        reply: bool | None,
        task: str,
    ) -> None:
        """The conversation about a moment, and the therapist's and supervisor's notes on it.

        `client_id` is the client's shared flag (None for a draft or no flag); `reply`
        forces whether the therapist answered it (None: drawn)."""
        rng = self.rng
        if client_id is not None and client_shared_at is not None:
            # The conversation about a client's flag happens on the flag itself.
            if reply is None:
                reply = rng.random() < (0.35 if session.sessions_ago == 0 else 0.9)
            if reply:
                at = client_shared_at
                thread = [AuthorRole.THERAPIST]
                if rng.random() < 0.45:
                    thread.append(AuthorRole.CLIENT)
                    if rng.random() < 0.3:
                        thread.append(AuthorRole.THERAPIST)
                for role in thread:
                    at = at + timedelta(hours=rng.randint(2, 48))
                    self._note(case, session, client_id, role, at)
        elif therapist_created is not None and not therapist_private and rng.random() < 0.12:
            assert therapist_id is not None
            at = therapist_created + timedelta(hours=rng.randint(6, 72))
            self._note(case, session, therapist_id, AuthorRole.CLIENT, at)
        if therapist_id is not None and therapist_created is not None:
            if rng.random() < 0.15:
                at = therapist_created + timedelta(hours=rng.randint(1, 30))
                self._note(
                    case,
                    session,
                    therapist_id,
                    AuthorRole.THERAPIST,
                    at,
                    private=True,
                    task=task,
                )
            if rng.random() < 0.12:
                at = therapist_created + timedelta(days=rng.randint(3, 20))
                self._note(case, session, therapist_id, AuthorRole.SUPERVISOR, at)

    def _note(
        self,
        case: DemoCase,
        session: DemoSession,
        rupture_id: int,
        role: str,
        at: datetime,
        *,
        private: bool = False,
        task: str = "",
    ) -> None:
        rng = self.rng
        at = before_now(at, self.now)
        if role == AuthorRole.SUPERVISOR:
            author, body = case.supervisor_id, rng.choice(SUPERVISOR_NOTES)
        elif role == AuthorRole.CLIENT:
            author, body = case.client_id, rng.choice(CLIENT_REPLIES)
        elif private:
            author, body = case.therapist_id, rng.choice(THERAPIST_PRIVATE_NOTES).format(task=task)
        else:
            author, body = case.therapist_id, rng.choice(THERAPIST_REPLIES)
        self.notes.add(
            author_id=author,
            created_at=at,
            updated_at=at,
            rupture_id=rupture_id,
            author_role=str(role),
            body=body,
            visibility=Visibility.PRIVATE if private else Visibility.SHARED,
        )
        if not private and role != AuthorRole.SUPERVISOR:
            recipient = case.therapist_id if role == AuthorRole.CLIENT else case.client_id
            self.notify(recipient, InboxKind.REPLY, session, rupture_id, at)

    def notify(
        self, recipient: int, kind: str, session: DemoSession, rupture_id: int | None, at: datetime
    ) -> None:
        # Older items have been read; the last two sessions' news partly has not.
        read = session.sessions_ago >= 2 or self.rng.random() < 0.4
        self.inbox.add(
            recipient_id=recipient,
            kind=str(kind),
            case_id=session.case_id,
            therapy_session_id=session.id,
            rupture_id=rupture_id,
            created_at=at,
            read_at=before_now(at + timedelta(hours=self.rng.randint(1, 40)), self.now)
            if read
            else None,
        )

    def check_ins_after(
        self, case: DemoCase, session: DemoSession, mood: SessionMood, *, last_session: bool
    ) -> None:
        """Each side's check-in on a session (most sessions), and the therapist's notice
        when the two disagree."""
        rng = self.rng
        answers: dict[str, CheckIn] = {}
        for role, saw, chance, delay in (
            (
                RespondentRole.CLIENT,
                mood.client_intensity,
                0.5 if last_session else 0.78,
                (60, 1800),
            ),
            (RespondentRole.THERAPIST, mood.therapist_intensity, 0.88, (10, 480)),
        ):
            if rng.random() >= chance:
                continue
            tension = rng.random() < (0.88 if saw else 0.07)
            intensity = resolution = None
            if tension:
                intensity = max(1, min(5, (saw or 2) + rng.randint(-1, 1)))
                resolution = rng.randint(3, 5) if mood.settled_in_session else rng.randint(1, 4)
            comment = ""
            if rng.random() < 0.35:
                comment = rng.choice(CHECK_IN_COMMENTS[(role, tension)])
            at = before_now(session.ends_at + timedelta(minutes=rng.randint(*delay)), self.now)
            self.check_ins.add(
                therapy_session_id=session.id,
                respondent_id=case.client_id
                if role == RespondentRole.CLIENT
                else case.therapist_id,
                respondent_role=str(role),
                tension=tension,
                intensity=intensity,
                resolution=resolution,
                comment=comment,
                created_at=at,
                updated_at=at,
            )
            answers[role] = CheckIn(tension=tension, resolution=resolution, created_at=at)
        if len(answers) == 2:
            # The app's own rule decides when the therapist is told (repairs/services.py).
            client, therapist = answers[RespondentRole.CLIENT], answers[RespondentRole.THERAPIST]
            if check_ins_disagree(client, therapist):
                at = max(client.created_at, therapist.created_at)
                self.notify(case.therapist_id, InboxKind.CHECK_IN_DISAGREES, session, None, at)
