"""The fictional demo practice, and on request a large one for benchmarks (`manage.py seed_demo`).

The demo practice (1 admin, 2 supervisors, 6 therapists, 36 clients, about six months of
weekly sessions with ruptures, repair, notes and check-ins) is built from a fixed random
seed, with dates anchored to today so that it always looks current (`practice.py`, with what
happens in each case in `moments.py`).

The bulk practice grows a separate set of people to a number of ruptures, for measuring pages
and the supervisor review at scale (`bulk.py`, its hot loop in `bulk_cases.py`). It never
touches the demo practice, so a demo supervisor's figures stay the same however large the
rest of the database grows.

Both write rows with ids chosen up front (`loader.py`); their texts and fixed lists are in
`content.py`, the random draws they share in `draws.py`.

This module holds only what other code (the command, README, tests, benchmarks) relies on,
and imports nothing, so it can be read before Django is set up.
"""

from __future__ import annotations

# Public on purpose: printed by the command and written in the README; demo data only.
DEMO_PASSWORD = "demo-practice-2026"  # noqa: S105
DEMO_DOMAIN = "demo.rupturelog.test"
BULK_DOMAIN = "bulk.rupturelog.test"
# Every bulk login ends with this; benchmarks select the bulk practice by it.
BULK_SUFFIX = f"@{BULK_DOMAIN}"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
# One login per role: a supervisor, a therapist they supervise, and a client of that
# therapist. Spelled out (not derived) because the README copies them.
DEMO_LOGINS: dict[str, str] = {
    "admin": DEMO_ADMIN_EMAIL,
    "supervisor": f"miriam.okafor@{DEMO_DOMAIN}",
    "therapist": f"priya.raman@{DEMO_DOMAIN}",
    "client": f"jonah.whitfield@{DEMO_DOMAIN}",
}
