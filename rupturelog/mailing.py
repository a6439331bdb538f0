"""Sending the app's few plain-text emails (notices, invitations, sign-in changes).

None of them carries clinical text. A mail outage never undoes what prompted the email:
the failure is logged (naming the email by ids only) and reported to the caller.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail

log = logging.getLogger(__name__)


def send_plain(subject: str, body: str, to: str, *, what: str) -> bool:
    """Send one email; False (and a log line naming `what`) if the mail server failed."""
    try:
        send_mail(subject, body, None, [to])
    except OSError:
        log.warning("Could not send %s", what)
        return False
    return True
