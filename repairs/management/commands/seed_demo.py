"""`manage.py seed_demo`: a fictional demo practice, and on request a large one for benchmarks.

The demo practice is built from a fixed random seed, with dates anchored to today so that it
always looks current. Running the command again changes nothing; `--if-empty` (what
`make run` calls) seeds only an empty database. `--ruptures N` adds a separate "bulk"
practice until it holds N ruptures, for measuring pages and the supervisor review at scale.
How both are built is in the `repairs.demo` package; this module only reads the command line
and prints.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from repairs.demo import DEMO_DOMAIN, DEMO_LOGINS, DEMO_PASSWORD
from repairs.demo.bulk import BulkPractice
from repairs.demo.practice import DemoPractice, demo_exists
from rupturelog.accounts.models import User
from rupturelog.mfa.demo import demo_secret, enrol_demo_staff
from rupturelog.mfa.services import secret_for_typing


class Command(BaseCommand):
    help = (
        "Load the fictional demo practice and print its logins. Running it again changes "
        "nothing. With --ruptures N, also grow a separate bulk practice to N ruptures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only if the database has no users at all (what `make run` uses).",
        )
        parser.add_argument(
            "--ruptures",
            type=int,
            metavar="N",
            help="Also grow the separate bulk practice (for benchmarks) to N ruptures.",
        )

    def handle(self, *args: Any, if_empty: bool, ruptures: int | None, **options: Any) -> None:
        if ruptures is not None and ruptures < 0:
            raise CommandError("--ruptures must be zero or more.")
        if if_empty and User.objects.exists():
            if demo_exists():
                self._enrol_demo_staff()
                self._print_logins()
            else:
                self.stdout.write("The database already has data; the demo practice was not added.")
            return
        add_demo = not demo_exists()
        # One hash for every account created here: Argon2 is slow by design.
        password_hash = make_password(DEMO_PASSWORD) if add_demo or ruptures else ""
        if add_demo:
            self._seed_demo(password_hash)
        if ruptures:
            BulkPractice(password_hash, self.stdout.write).grow_to(ruptures)
        self._enrol_demo_staff()
        self._print_logins()

    def _seed_demo(self, password_hash: str) -> None:
        started = time.monotonic()
        with transaction.atomic():
            counts = DemoPractice(password_hash).build_and_write()
        if counts:
            summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
            self.stdout.write(
                f"Seeded the demo practice in {time.monotonic() - started:.1f} s: {summary}."
            )

    def _enrol_demo_staff(self) -> None:
        # Under DEBUG only: the demo's clinicians get an authenticator app with a fixed,
        # public key, so a newcomer can pass two-step sign-in (rupturelog/mfa/demo.py).
        if settings.DEBUG:
            enrol_demo_staff(DEMO_DOMAIN)

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        for role, email in DEMO_LOGINS.items():
            self.stdout.write(f"  {role:<12} {email}")
        if settings.DEBUG:
            self.stdout.write(
                "\nClinicians and the administrator also need a two-step code. Add the key to "
                "an authenticator app\n(time-based, 6 digits), or print the current code from "
                "another terminal with\n`make demo-code` (the therapist) or "
                "`make demo-code DEMO_EMAIL=<login>`:"
            )
            for role, email in DEMO_LOGINS.items():
                if role != "client":
                    self.stdout.write(f"  {role:<12} {secret_for_typing(demo_secret(email))}")
