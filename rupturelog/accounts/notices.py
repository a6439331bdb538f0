"""Telling people by email when their sign-in details change.

If someone else changed a password or a two-step setting, the account's owner hears of it
at once and can ask the practice to lock the account. The email says what changed and
when: never a password, code or key, and nothing clinical.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import PasswordChangeView, PasswordResetConfirmView
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.generic import FormView

from rupturelog.accounts.models import User
from rupturelog.mailing import send_plain

PASSWORD_CHANGED = "Your password was changed."  # noqa: S105 (a message, not a password)
APP_SET_UP = "An authenticator app was set up for two-step sign-in."
APP_REPLACED = (
    "A new authenticator app was set up for two-step sign-in; the old one no longer works."
)
BACKUP_CODES_REPLACED = "New backup codes were made; the old ones no longer work."
TWO_STEP_OFF = "Two-step sign-in was turned off."


def sign_in_changed(user: User, what: str) -> None:
    when = date_format(timezone.localtime(), "j F Y, H:i")
    # The change itself stands; a mail outage only loses the notice, which is logged.
    send_plain(
        "RuptureLog: your sign-in details changed",
        f"{what}\n\nThis happened on {when} ({settings.TIME_ZONE} time).\n\n"
        "If this was you, there is nothing to do. If it was not, contact your practice "
        "now so they can lock the account, and change your password: "
        f"{settings.SITE_URL}/password-reset/",
        user.email,
        what=f"a sign-in change notice to user {user.pk}",
    )


class _NoticeOnSuccess(FormView):
    """For Django's password views: once the new password is saved, tell its owner."""

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_changed(form.user, PASSWORD_CHANGED)
        return response


class NoticePasswordChangeView(_NoticeOnSuccess, PasswordChangeView):
    pass


class NoticePasswordResetConfirmView(_NoticeOnSuccess, PasswordResetConfirmView):
    pass
