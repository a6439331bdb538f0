"""In-process cost of the session timeline against a minimal layout page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/speed_demo .venv/bin/python \\
        bench/timeline_profile.py --seed

(or `SQLITE_PATH=/tmp/speed.sqlite3` instead of DATABASE_URL). It runs production settings
(DEBUG off, so the cached template loader; hashed static files collected into a temporary
directory, as the load test does) and sends requests through `django.test.Client` with the
whole middleware stack, the access log included. It prints, for the demo therapist's and
the demo client's busiest timeline (the session with the most cards: its own moments and
those still open from earlier sessions) and for the minimal page:

* ms per request, measured in rounds that take turns between the pages (so a busy machine
  disturbs each page alike): wall clock (the median round) and this process's CPU time (the
  best round; steadier when other work shares the machine, but without the database
  server's own work), each also as a multiple of the minimal page;
* the SQL query count and the response size;
* with --profile, cProfile's top functions for the therapist's timeline.

The load test's target, timeline throughput >= 0.35 x the minimal page's, needs a timeline
costing at most about 2.8 minimal pages.

The minimal page is the smallest real authenticated HTML page on the site layout: the account
page, `/account/`, served under the same middleware.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The account page: the site layout and the signed-in person's own details, no clinical data
# (the same page make loadtest uses as its minimal authenticated page).
MINIMAL_URL = "/account/"


def production_environment(static_root: str) -> None:
    """Production settings as the load test runs them, before Django is imported."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="loadtest.settings",
        LOADTEST_STATIC_ROOT=static_root,
        DJANGO_DEBUG="0",
        SECURE_COOKIES="0",
        ALLOWED_HOSTS="testserver",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="ERROR",
    )
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if not os.environ.get("DATABASE_URL") and not os.environ.get("SQLITE_PATH"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) or SQLITE_PATH: never the app's db.")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)  # noqa: S603


@dataclass
class Page:
    label: str
    url: str
    client: object
    times: list[float]
    cpu: list[float] = field(default_factory=list)
    queries: int = 0
    size: int = 0


def busiest_session(user) -> int:
    """The session of this user's with the most cards on its timeline."""
    from django.db.models import Count, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    from repairs import access

    visible = access.ruptures_for(user)
    carried = (
        visible.filter(
            case_id=OuterRef("case_id"),
            therapy_session__number__lt=OuterRef("number"),
            status__in=access.UNRESOLVED,
        )
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    own = visible.filter(therapy_session_id=OuterRef("pk")).order_by()
    own = own.values("therapy_session_id").annotate(n=Count("pk")).values("n")
    best = (
        access.sessions_for(user)
        .annotate(cards=Coalesce(Subquery(own), 0) + Coalesce(Subquery(carried), 0))
        .filter(~Q(cards=0))
        .order_by("-cards", "-number")
        .values_list("pk", "cards")
        .first()
    )
    if best is None:
        raise SystemExit(f"{user.email} has no session with any moment; seed the demo first.")
    return best[0]


def measure(pages: list[Page], rounds: int, per_round: int) -> None:
    for _ in range(rounds):
        for page in pages:
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(per_round):
                page.client.get(page.url)
            page.times.append((time.perf_counter() - start) * 1000 / per_round)
            page.cpu.append((time.process_time() - start_cpu) * 1000 / per_round)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed the demo first")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=20, help="requests per page per round")
    parser.add_argument("--profile", action="store_true", help="cProfile the therapist timeline")
    parser.add_argument("--profile-requests", type=int, default=100)
    parser.add_argument("--top", type=int, default=30, help="functions to list per ordering")
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="timeline-profile-static-")
    production_environment(static_root)
    manage("migrate", "--noinput", "-v0")
    if args.seed:
        manage("seed_demo")
    manage("collectstatic", "--noinput", "-v0")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from repairs.demo import DEMO_LOGINS
    from rupturelog.accounts.models import User

    def logged_in(email: str) -> Client:
        """Signed in and past the code step (a clinician needs an authenticator app; one is
        made here if the demo was seeded without DEBUG, as the load test does)."""
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from rupturelog.mfa import services

        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        if services.is_required(user) or services.has_two_step(user):
            device = services.app_device(user) or TOTPDevice.objects.create(
                user=user, name=services.APP_DEVICE_NAME, confirmed=True
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    therapist = User.objects.get(email=DEMO_LOGINS["therapist"])
    client_user = User.objects.get(email=DEMO_LOGINS["client"])
    therapist_client, client_client = logged_in(therapist.email), logged_in(client_user.email)
    minimal_client = logged_in(therapist.email)

    minimal_url = MINIMAL_URL
    pages = [
        Page(
            "therapist timeline", f"/sessions/{busiest_session(therapist)}/", therapist_client, []
        ),
        Page("client timeline", f"/sessions/{busiest_session(client_user)}/", client_client, []),
        Page(f"minimal page {minimal_url}", minimal_url, minimal_client, []),
    ]
    for page in pages:
        for _ in range(5):  # warm up: template cache, URL resolver, connection pool
            page.client.get(page.url)
        with CaptureQueriesContext(connection) as captured:
            response = page.client.get(page.url)
        if response.status_code != 200:
            raise SystemExit(f"{page.url} answered {response.status_code}")
        page.queries, page.size = len(captured), len(response.content)

    measure(pages, args.rounds, args.per_round)
    print(f"\n{connection.vendor}, {args.rounds} rounds x {args.per_round} requests per page")
    print("wall: ms per request, the median round; cpu: this process's CPU ms per request, the")
    print("best round (steadier on a busy machine; the database server's own work excluded)\n")
    print(
        f"{'page':<34} {'wall':>6} {'÷ min':>6} {'cpu':>6} {'÷ min':>6} {'queries':>7} {'bytes':>7}"
    )
    minimal_wall, minimal_cpu = statistics.median(pages[-1].times), min(pages[-1].cpu)
    for page in pages:
        wall, cpu = statistics.median(page.times), min(page.cpu)
        print(
            f"{page.label:<34} {wall:6.2f} {wall / minimal_wall:6.2f} {cpu:6.2f} "
            f"{cpu / minimal_cpu:6.2f} {page.queries:7d} {page.size:7d}"
        )
    for page in pages[:2]:
        print(f"{page.label} is {page.url}")
    print("A throughput ratio >= 0.35 (load test) needs a timeline under ~2.8 minimal pages.")

    if args.profile:
        profiler = cProfile.Profile()
        page = pages[0]
        profiler.enable()
        for _ in range(args.profile_requests):
            page.client.get(page.url)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.strip_dirs()
        print(f"\ncProfile, {args.profile_requests} x {page.label}, by cumulative time:")
        stats.sort_stats("cumulative").print_stats(args.top)
        print("by own time:")
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
