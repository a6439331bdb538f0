"""Plain helper functions that create test objects with sensible defaults.

Each takes the objects it hangs off and keyword overrides for anything a test cares about;
everything else gets a valid default, so a test only spells out what it is about.
"""

from __future__ import annotations

import itertools
import time
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from repairs.codes import AuthorRole, CodeKind, Outcome, Strategy, Visibility
from repairs.history import capture
from repairs.models import Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.invitations import hash_token
from rupturelog.accounts.models import INVITATION_LIFETIME, Invitation, Role, Supervision, User
from rupturelog.mfa import services as mfa_services
from sessions.models import Case, CheckIn, TherapySession

PASSWORD = "correct horse battery staple"
FIRST_SESSION_AT = timezone.make_aware(datetime(2025, 3, 3, 10, 0))

_serial = itertools.count(1)


def _kept(item: Any) -> Any:
    """Keep the history event PostgreSQL's triggers write for this row on SQLite too, so
    that history pages show the same on both databases (a no-op on PostgreSQL)."""
    capture.snapshot(type(item), [item.pk], "insert")
    return item


def make_user(role: str = Role.CLIENT, *, two_step: bool | None = None, **extra: Any) -> User:
    """`two_step`: give the person a confirmed authenticator app. By default clinicians and
    administrators have one (they cannot use the app without it) and clients do not."""
    n = next(_serial)
    extra.setdefault("display_name", f"{role.title()} {n}")
    email = extra.pop("email", f"{role}{n}@example.org")
    user = User.objects.create_user(email, PASSWORD, role=role, **extra)
    if two_step if two_step is not None else mfa_services.is_required(user):
        add_authenticator(user)
    return user


def add_authenticator(user: User) -> TOTPDevice:
    """A confirmed authenticator app; `totp_code(device)` gives its current code."""
    return TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the person's app shows now, or the next one when the current one was used
    (a code is good for one login; the server accepts the next step's code too)."""
    device.refresh_from_db()
    current = int(time.time()) // device.step
    step = max(current, device.last_t + 1)
    if step > current + 1:
        time.sleep(device.step - time.time() % device.step + 0.05)
        return totp_code(device)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, step - current):06d}"


def make_client(**extra: Any) -> User:
    return make_user(Role.CLIENT, **extra)


def make_therapist(**extra: Any) -> User:
    return make_user(Role.THERAPIST, **extra)


def make_supervisor(*therapists: User, **extra: Any) -> User:
    supervisor = make_user(Role.SUPERVISOR, **extra)
    for therapist in therapists:
        Supervision.objects.create(supervisor=supervisor, therapist=therapist)
    return supervisor


def make_admin(**extra: Any) -> User:
    extra.setdefault("is_staff", True)
    return make_user(Role.ADMIN, **extra)


def make_invitation(
    therapist: User | None, token: str | None = None, **extra: Any
) -> tuple[Invitation, str]:
    """An invitation sent now (for a client of `therapist`, unless a role is given), and the
    token its emailed link would carry."""
    n = next(_serial)
    token = token or f"test-invitation-token-{n}"
    now = timezone.now()
    extra.setdefault("email", f"invited{n}@example.org")
    extra.setdefault("display_name", f"Invited Person {n}")
    extra.setdefault("role", Role.CLIENT)
    extra.setdefault("invited_by", therapist)
    extra.setdefault("created_at", now)
    extra.setdefault("sent_at", now)
    extra.setdefault("expires_at", now + INVITATION_LIFETIME)
    invitation = Invitation.objects.create(
        therapist=therapist if extra["role"] == Role.CLIENT else None,
        token_hash=hash_token(token),
        **extra,
    )
    return invitation, token


def make_case(client: User, therapist: User, **extra: Any) -> Case:
    extra.setdefault("opened_on", date(2025, 3, 1))
    return Case.objects.create(client=client, therapist=therapist, **extra)


def make_session(case: Case, number: int | None = None, **extra: Any) -> TherapySession:
    if number is None:
        number = case.therapy_sessions.count() + 1
    extra.setdefault("starts_at", FIRST_SESSION_AT + timedelta(weeks=number - 1))
    return TherapySession.objects.create(case=case, number=number, **extra)


def make_check_in(therapy_session: TherapySession, respondent: User, **extra: Any) -> CheckIn:
    extra.setdefault("respondent_role", respondent.role)
    extra.setdefault("tension", True)
    extra.setdefault("intensity", 3)
    extra.setdefault("resolution", 3)
    return _kept(
        CheckIn.objects.create(therapy_session=therapy_session, respondent=respondent, **extra)
    )


def make_rupture(therapy_session: TherapySession, author: User, **extra: Any) -> Rupture:
    extra.setdefault("author_role", author.role)
    extra.setdefault("account", "We talked past each other about homework.")
    extra.setdefault("minute", 20)
    extra.setdefault("intensity", 3)
    extra.setdefault("visibility", Visibility.SHARED)
    return _kept(Rupture.objects.create(therapy_session=therapy_session, author=author, **extra))


def add_code(rupture: Rupture, kind: str, code: str) -> RuptureCode:
    return _kept(RuptureCode.objects.create(rupture=rupture, kind=kind, code=code))


def add_codes(rupture: Rupture, **codes_by_kind: list[str]) -> None:
    """`add_codes(rupture, marker=["denial"], feeling=["unheard"])`."""
    for kind, codes in codes_by_kind.items():
        for code in codes:
            add_code(rupture, CodeKind(kind), code)


def make_step(rupture: Rupture, author: User, **extra: Any) -> RepairStep:
    extra.setdefault("therapy_session", rupture.therapy_session)
    if "position" not in extra:
        extra["position"] = rupture.repair_steps.count() + 1
    extra.setdefault("initiated_by", author.role)
    extra.setdefault("strategy", Strategy.CLARIFY)
    extra.setdefault("outcome", Outcome.HELPED)
    extra.setdefault("description", "We went back over what I meant.")
    return _kept(RepairStep.objects.create(rupture=rupture, author=author, **extra))


def make_note(rupture: Rupture, author: User, body: str = "Thank you.", **extra: Any) -> Note:
    extra.setdefault("author_role", AuthorRole(author.role))
    extra.setdefault("visibility", Visibility.SHARED)
    return _kept(Note.objects.create(rupture=rupture, author=author, body=body, **extra))


def withdraw(item: Rupture | RepairStep | Note) -> None:
    type(item).objects.filter(pk=item.pk).update(withdrawn_at=timezone.now())
    capture.snapshot(type(item), [item.pk], "update")


def make_full_rupture(therapy_session: TherapySession, **extra: Any) -> Rupture:
    """A therapist's rupture with everything a card shows: codes, a repair step and a note
    from each side of the case.
    """
    case = therapy_session.case
    rupture = make_rupture(therapy_session, case.therapist, **extra)
    add_codes(rupture, marker=["minimal_response"], cause=["unmet_expectation"])
    make_step(rupture, case.therapist)
    make_note(rupture, case.therapist, "I noticed you went quiet.")
    make_note(rupture, case.client, "I did.")
    return rupture
