"""`manage.py demo_code <email>`: the current two-step code of a demo login (DEBUG only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from rupturelog.mfa.demo import current_code


class Command(BaseCommand):
    help = (
        "Print the current two-step sign-in code of a demo login, for trying the demo "
        "without an authenticator app. Works only with DJANGO_DEBUG on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The login, e.g. priya.raman@demo.rupturelog.test")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_code works only in development (DJANGO_DEBUG=1): in production a code "
                "comes from the person's own authenticator app."
            )
        device = (
            TOTPDevice.objects.filter(user__email=email.strip().lower(), confirmed=True)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        code, seconds = current_code(device)
        self.stdout.write(f"{code}  (changes in {seconds} s; each code logs in once)")
