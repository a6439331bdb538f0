"""The bulk practice for benchmarks (`seed_demo --ruptures N`): its people, in chunks.

It grows until it holds N ruptures and never touches the demo practice. Each chunk is one
transaction with its own random seed (taken from how many ruptures were there before it),
so a practice grown in two runs is the same as one grown in one. What goes into each case
is `bulk_cases.py`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from repairs.demo import BULK_SUFFIX
from repairs.demo.bulk_cases import BulkCases, BulkTables, BulkTexts
from repairs.demo.content import DEMO_SEED
from repairs.demo.draws import pseudonym
from repairs.demo.loader import is_postgres, start_ids, write
from repairs.models import RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import Role, User
from sessions.models import Case, TherapySession

BULK_CHUNK = 50_000  # ruptures per transaction: bounded memory, and progress to report
BULK_CASES_PER_THERAPIST = 30
BULK_THERAPISTS_PER_SUPERVISOR = 8


def bulk_rupture_count() -> int:
    return Rupture.objects.filter(case__therapist__email__endswith=BULK_SUFFIX).count()


def _bulk_people_count(role: str) -> int:
    return User.objects.filter(role=role, email__endswith=BULK_SUFFIX).count()


class BulkPractice:
    """Grows the bulk practice (bulk-*@bulk.rupturelog.test) to a number of ruptures.

    Its shape follows the demo: weekly sessions (about 2.5 per rupture), some moments seen
    by both sides (linked), codes, repair steps (about one per rupture, many ruptures with
    none), a few notes and check-ins. Thirty cases per therapist and eight therapists per
    supervisor, so one supervisor's review covers a realistic few thousand ruptures.
    """

    def __init__(self, password_hash: str, write_line: Callable[[str], object]) -> None:
        self.password_hash = password_hash
        self.write_line = write_line
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()

    def grow_to(self, target: int) -> int:
        """Add ruptures until there are `target`; returns how many were added."""
        started = time.monotonic()
        have = bulk_rupture_count()
        if have >= target:
            self.write_line(f"Bulk practice already has {have:,} ruptures; nothing to add.")
            return 0
        self.write_line(f"Bulk practice: adding {target - have:,} ruptures to the {have:,} there.")
        self.used_pseudonyms = set(
            User.objects.exclude(pseudonym=None).values_list("pseudonym", flat=True)
        )
        self.texts = BulkTexts(random.Random(DEMO_SEED + 1))
        added = 0
        while have + added < target:
            with transaction.atomic():
                if is_postgres():
                    with connection.cursor() as cursor:
                        # Commits need not wait for the disk: a crash could lose the last
                        # chunks, and the next run would count them missing and add them.
                        cursor.execute("SET LOCAL synchronous_commit = off")
                added += self._chunk(min(BULK_CHUNK, target - have - added), have + added)
            elapsed = time.monotonic() - started
            self.write_line(
                f"  {have + added:>10,} / {target:,} ruptures  ({elapsed:6.1f} s, "
                f"{added / elapsed:,.0f} ruptures/s)"
            )
        if is_postgres():
            _analyze()
        self.write_line(
            f"Bulk practice: added {added:,} ruptures in {time.monotonic() - started:.1f} s."
        )
        return added

    def _chunk(self, wanted: int, have: int) -> int:
        """Add cases until `wanted` more ruptures exist; returns how many were added."""
        rng = random.Random(f"rupturelog-bulk-{have}")
        tables = BulkTables()
        start_ids(tables.all)

        # Numbering continues from earlier runs; each chunk starts a fresh therapist.
        therapist_number = _bulk_people_count(Role.THERAPIST)
        client_number = _bulk_people_count(Role.CLIENT)
        supervisor_ids = dict(
            User.objects.filter(role=Role.SUPERVISOR, email__endswith=BULK_SUFFIX).values_list(
                "email", "id"
            )
        )
        joined = self.now - timedelta(days=800)
        therapist_id = 0
        supervisor_id = 0
        cases_left_for_therapist = 0
        added = 0

        cases = BulkCases(rng, self.texts, tables, today=self.today, now=self.now, tz=self.tz)
        while added < wanted:
            if cases_left_for_therapist == 0:
                therapist_number += 1
                therapist_id, supervisor_id = self._therapist(
                    tables, therapist_number, supervisor_ids, joined
                )
                cases_left_for_therapist = BULK_CASES_PER_THERAPIST
            client_number += 1
            client_id = tables.users.add(
                password=self.password_hash,
                email=f"bulk-client-{client_number:06d}{BULK_SUFFIX}",
                display_name=f"Bulk Client {client_number}",
                role=Role.CLIENT,
                pseudonym=pseudonym(rng, self.used_pseudonyms),
                date_joined=joined,
            )
            added += cases.add_case(client_id, therapist_id, supervisor_id, wanted - added)
            cases_left_for_therapist -= 1

        write(tables.all)
        return added

    def _therapist(
        self, tables: BulkTables, number: int, supervisor_ids: dict[str, int], joined: datetime
    ) -> tuple[int, int]:
        """A new bulk therapist and their supervisor (added when the therapist is the first
        of a new group of eight): both ids."""
        therapist_id = tables.users.add(
            password=self.password_hash,
            email=f"bulk-therapist-{number:05d}{BULK_SUFFIX}",
            display_name=f"Bulk Therapist {number}",
            role=Role.THERAPIST,
            pseudonym=None,
            date_joined=joined,
        )
        wanted_supervisor = (number - 1) // BULK_THERAPISTS_PER_SUPERVISOR + 1
        email = f"bulk-supervisor-{wanted_supervisor:05d}{BULK_SUFFIX}"
        if email in supervisor_ids:
            supervisor_id = supervisor_ids[email]
        else:
            supervisor_id = supervisor_ids[email] = tables.users.add(
                password=self.password_hash,
                email=email,
                display_name=f"Bulk Supervisor {wanted_supervisor}",
                role=Role.SUPERVISOR,
                pseudonym=None,
                date_joined=joined,
            )
        tables.supervisions.add(
            supervisor_id=supervisor_id,
            therapist_id=therapist_id,
            started_on=self.today - timedelta(days=790),
        )
        return therapist_id, supervisor_id


def _analyze() -> None:
    # Fresh planner statistics, so benchmark queries are planned for the real sizes.
    with connection.cursor() as cursor:
        for model in (User, Case, TherapySession, Rupture, RuptureCode, RepairStep):
            cursor.cursor.execute(
                sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table))
            )
