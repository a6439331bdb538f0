"""Log lines for logging in and out: who (by id) and what the second step will be. No
email address, password, secret or code is ever logged."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from rupturelog.mfa import services

log = logging.getLogger("rupturelog.mfa")


@receiver(user_logged_in, dispatch_uid="mfa_log_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if services.has_two_step(user):
        step = "code required"
    elif services.is_required(user):
        step = "app set-up required"
    else:
        step = "not in use"
    log.info("login: user %s passed the password step; two-step sign-in %s", user.pk, step)


@receiver(user_logged_out, dispatch_uid="mfa_log_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log.info("logout: user %s", user.pk)
