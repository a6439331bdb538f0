"""Inviting people: the only way an account is made outside the admin's user form.

An invitation is sent by email with a single-use link that expires after 72 hours. The
link carries a random token; the database keeps only its SHA-256, so a copy of the
database (or of a backup) cannot be turned into working links. Resending makes a new
token, which kills the old link. Nothing here logs a token or an email address.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rupturelog.accounts.models import INVITATION_LIFETIME, Invitation, Role, User
from rupturelog.accounts.signals import client_joined
from rupturelog.mailing import send_plain

log = logging.getLogger(__name__)


class InvitationRefused(Exception):
    """The invitation cannot be made (or accepted); the message says why, for the page."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def find(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, or None for a forged, mistyped or replaced
    (resent) one."""
    return Invitation.objects.filter(token_hash=hash_token(token)).first()


def email_refusal(email: str) -> str | None:
    """Why this email cannot be invited now, or None if it can."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        return (
            "This email already belongs to an account. Ask the practice administrator to "
            "open a case with you, or to reactivate the account if it was closed."
        )
    pending = Invitation.objects.open().filter(email=email).first()
    if pending is not None and not pending.is_expired:
        return (
            "This email already has an invitation waiting. It can be resent from the list "
            "of pending invitations by whoever sent it."
        )
    return None


@dataclass
class Sent:
    invitation: Invitation
    emailed: bool  # False when the mail server refused; the invitation can be resent


def invite(
    *,
    email: str,
    display_name: str,
    role: str,
    invited_by: User,
    therapist: User | None = None,
) -> Sent:
    """Make an invitation and email its link. Raises InvitationRefused when the email
    already has an account or a live invitation."""
    email = email.strip().lower()
    if refusal := email_refusal(email):
        raise InvitationRefused(refusal)
    if role == Role.CLIENT and (therapist is None or therapist.role != Role.THERAPIST):
        raise InvitationRefused("A client is invited into a therapist's caseload: choose one.")
    if role != Role.CLIENT:
        therapist = None
    token, token_hash = _new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            # An expired invitation still holds the "one open invitation per email" place;
            # a new one replaces it.
            Invitation.objects.open().filter(email=email, expires_at__lte=now).update(
                revoked_at=now
            )
            invitation = Invitation.objects.create(
                email=email,
                display_name=display_name.strip(),
                role=role,
                therapist=therapist,
                invited_by=invited_by,
                token_hash=token_hash,
                created_at=now,
                sent_at=now,
                expires_at=now + INVITATION_LIFETIME,
            )
    except IntegrityError:
        # Two invitations for one email at the same moment: the other one won.
        raise InvitationRefused(
            "This email already has an invitation waiting. It can be resent from the list "
            "of pending invitations by whoever sent it."
        ) from None
    log.info("Invitation %s made by user %s for the role %s", invitation.pk, invited_by.pk, role)
    return Sent(invitation, _send(invitation, token))


def resend(invitation: Invitation) -> Sent:
    """A fresh link, valid for another 72 hours; the old link stops working."""
    token, token_hash = _new_token()
    now = timezone.now()
    invitation.token_hash = token_hash
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_LIFETIME
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    log.info("Invitation %s resent", invitation.pk)
    return Sent(invitation, _send(invitation, token))


def cancel(invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log.info("Invitation %s cancelled", invitation.pk)


def accept(invitation: Invitation, user: User) -> User:
    """Make the account from the invitation, with the password already set on `user` (an
    unsaved User built by `unsaved_user`), and have the client's case opened. Single use: the
    invitation row is locked, so two tabs submitting at once make one account."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None or locked.accepted_at or locked.revoked_at:
            raise InvitationRefused("This invitation has already been used.")
        if locked.is_expired:
            raise InvitationRefused("This invitation has expired.")
        if User.objects.filter(email=locked.email).exists():
            raise InvitationRefused(
                "An account with this email already exists. Log in, or reset its password."
            )
        user.save()
        if locked.role == Role.CLIENT:
            # The invitation_client_has_therapist constraint: a client's invitation names one.
            assert locked.therapist is not None
            # The case opens in the sessions app (sessions/receivers.py).
            client_joined.send(Invitation, client=user, therapist=locked.therapist)
        locked.accepted_at = timezone.now()
        locked.user = user
        locked.save(update_fields=["accepted_at", "user"])
    log.info("Invitation %s accepted: user %s (%s)", locked.pk, user.pk, user.role)
    return user


def unsaved_user(invitation: Invitation) -> User:
    """The account the invitation will make, not yet saved: the password form checks the
    new password against it (not too like the email or name)."""
    return User(
        email=invitation.email,
        display_name=invitation.display_name,
        role=invitation.role,
        # Practice administrators work in the Django admin, which needs staff status.
        is_staff=invitation.role == Role.ADMIN,
    )


def _send(invitation: Invitation, token: str) -> bool:
    # No name, no role, no practice detail and nothing clinical: an invitation email can be
    # seen by someone else, and being a client of a practice is itself sensitive.
    link = settings.SITE_URL + reverse("invite_accept", args=[token])
    expires = timezone.localtime(invitation.expires_at)
    return send_plain(
        "Your RuptureLog invitation",
        "You have been invited to make a RuptureLog account.\n\n"
        f"Choose your password here: {link}\n\n"
        f"The link works once and until {expires:%d %B %Y, %H:%M}. If it has expired, "
        "ask whoever invited you for a new one.\n\n"
        "If you were not expecting this email, you can ignore it.",
        invitation.email,
        what=f"invitation {invitation.pk}",
    )
