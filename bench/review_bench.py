"""`make bench`: the supervisor review and its CSV export, measured at scale on PostgreSQL.

One run, against a database of its own (never the app's):

1. migrates it, seeds the demo practice and grows the bulk practice to 10,000 ruptures;
2. times the review page of one fixed supervisor (the demo's, whose data never changes);
3. grows the bulk practice to 1,000,000 ruptures and times the same page again: the ratio
   shows whether the page's cost follows the supervisor's own data or the database's size;
4. times the review page of a supervisor with about 100,000 ruptures in scope;
5. exports about 10,000 and about 1,000,000 rows as CSV, each in a process of its own, and
   compares their peak memory;
6. prints the EXPLAIN plan of the slowest aggregate query of the review page;
7. prints one table of every figure and writes it to bench-output/review_bench.md.

The database is BENCH_DATABASE_URL, else a `rupturelog_bench` database on DATABASE_URL's
server, else on postgres://postgres@127.0.0.1:5432. A database already grown past 10,000
bulk ruptures is dropped and built again, since the first measurement needs the small size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from rupturelog.accounts.models import User

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench-output" / "review_bench.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rupturelog_bench"
BENCH_DB_NAME = "rupturelog_bench"

SMALL = 10_000  # bulk ruptures for the first measurement
LARGE = 1_000_000  # ... and for the second
IN_SCOPE = 100_000  # the large supervisor's ruptures
EXPORT_SMALL = 10_000  # ruptures behind the small export; the large one exports them all
WARM_UPS = 2
REPEATS = 7
TIME_RATIO_TARGET = 1.5
MEMORY_RATIO_TARGET = 1.3
RETRIES = 3  # a shared server may restart under us (the load test restarts PostgreSQL)

# The demo practice spans about six months; 200 days back covers all of it.
DEMO_DAYS = 200
# The bulk practice spans about three and a half years; the review form accepts at most
# five (366 * 5 days), so this covers the whole history and stays valid.
FULL_HISTORY_DAYS = 5 * 365
BENCH_DOMAIN = "bench.rupturelog.test"

# A query is one of the page's aggregates when it groups, counts or windows.
AGGREGATE = re.compile(r"\bGROUP BY\b|\bCOUNT\(|\bSUM\(|\bMAX\(|\bMIN\(|\bOVER\s*\(", re.I)


# --- Set-up -------------------------------------------------------------------------------


def bench_database_url() -> str:
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    if url := os.environ.get("DATABASE_URL"):
        # The same server as the app's database, but never the app's database itself: the
        # benchmark adds a million ruptures and may drop what it finds.
        return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB_NAME}"))
    return DEFAULT_URL


def configure_django(url: str) -> None:
    """Production-like settings (DEBUG off: no query log, no debug rendering) on the
    benchmark's database, read from the primary only."""
    os.environ["DATABASE_URL"] = url
    os.environ["BENCH_DATABASE_URL"] = url  # what the export subprocesses inherit
    os.environ.pop("DATABASE_REPLICA_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "rupturelog.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-that-signs-nothing-real")
    # The in-process test client calls itself "testserver".
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Static files from their sources: no collectstatic (and no manifest) needed.
    os.environ["PLAIN_STATIC_STORAGE"] = "1"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # WhiteNoise warns that STATIC_ROOT was never collected; nothing here serves static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def _admin_url(url: str) -> tuple[str, str]:
    """The server's `postgres` database (to create or drop ours), and our database's name."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists is None:
            say(f"Creating database {name}.")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def bulk_ruptures_raw(url: str) -> int:
    """Bulk ruptures already there, read before Django's pool connects (so the database can
    still be dropped without closing the pool). Zero before the first migration."""
    import psycopg
    from psycopg import sql

    from repairs.demo import BULK_SUFFIX
    from repairs.models import Rupture
    from rupturelog.accounts.models import User
    from sessions.models import Case

    tables = [Rupture._meta.db_table, Case._meta.db_table, User._meta.db_table]
    with psycopg.connect(url) as conn:
        if any(conn.execute("SELECT to_regclass(%s)", [t]).fetchone()[0] is None for t in tables):
            return 0
        query = sql.SQL(
            "SELECT count(*) FROM {r} JOIN {c} ON {c}.id = {r}.case_id "
            "JOIN {u} ON {u}.id = {c}.therapist_id WHERE {u}.email LIKE %s"
        ).format(
            r=sql.Identifier(tables[0]), c=sql.Identifier(tables[1]), u=sql.Identifier(tables[2])
        )
        return conn.execute(query, [f"%{BULK_SUFFIX}"]).fetchone()[0]


def reset_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(url)
    # A safety catch for BENCH_DATABASE_URL pointing somewhere it should not.
    if "bench" not in name:
        sys.exit(
            f"Database {name!r} already holds more than {SMALL:,} bulk ruptures, and only a "
            "database whose name contains 'bench' is dropped automatically. Point "
            "BENCH_DATABASE_URL at a benchmark database."
        )
    say(f"Dropping {name}: it holds more than {SMALL:,} bulk ruptures; the run starts smaller.")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def vacuum_analyze(table: str | None = None) -> None:
    """Fresh planner statistics (and, for the whole database, the visibility map) after a
    bulk change, as autovacuum would give a real database some minutes later. Without them
    the plans are for the old sizes (and autovacuum may be off on a test server)."""
    from django.db import connection
    from psycopg import sql

    started = time.monotonic()
    statement = (
        sql.SQL("ANALYZE {}").format(sql.Identifier(table)) if table else sql.SQL("VACUUM ANALYZE")
    )
    with connection.cursor() as cursor:
        text = statement.as_string(cursor.connection)
        cursor.execute(text)
    say(f"{text} in {time.monotonic() - started:.1f} s.")


def retrying(what: str, action: Callable[[], T]) -> T:
    """Runs a step again when the server went away under it (a restart, a failover) rather
    than losing the whole run; a step that keeps failing still fails."""
    from django.db import OperationalError, connection

    for attempt in range(1, RETRIES + 1):
        try:
            return action()
        except (OperationalError, subprocess.CalledProcessError) as error:
            if attempt == RETRIES:
                raise
            say(f"{what} failed ({str(error).strip()[:120]}); again in 10 s.")
            connection.close()  # the pool checks connections, so the next one is fresh
            time.sleep(10)
    raise AssertionError("unreachable")


def load_average() -> float:
    # Shown next to each timing: on a shared machine other work is the first suspect.
    return os.getloadavg()[0]


def say(line: str) -> None:
    print(line, flush=True)


# --- The review page ------------------------------------------------------------------------


@dataclass
class Query:
    sql: str
    params: Any
    seconds: float


@dataclass
class PageTiming:
    label: str
    runs_ms: list[float]
    queries: list[Query]
    query_count: int
    ruptures_in_scope: int
    therapists: int
    load: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    def slowest_aggregate(self) -> Query:
        aggregates = [q for q in self.queries if AGGREGATE.search(q.sql)]
        return max(aggregates, key=lambda q: q.seconds)

    def cell(self) -> str:
        return (
            f"{self.median_ms:,.0f} ms (min {min(self.runs_ms):,.0f}, max "
            f"{max(self.runs_ms):,.0f}); {self.query_count} queries"
        )


@contextmanager
def recording_queries() -> Iterator[list[Query]]:
    """Every query with its SQL and parameters as sent, so the slowest can be explained
    exactly (CaptureQueriesContext keeps only the interpolated text)."""
    from django.db import connection

    queries: list[Query] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(Query(sql, params, time.perf_counter() - started))

    with connection.execute_wrapper(record):
        yield queries


def review_url(start: date, end: date) -> str:
    from django.urls import reverse

    return f"{reverse('review')}?{urlencode({'start': start, 'end': end})}"


def time_review_page(label: str, supervisor: User, start: date, end: date) -> PageTiming:
    """The page's server time in this process (middleware, queries, template), median of
    REPEATS after WARM_UPS; its queries counted and recorded in one more request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from repairs import access, review

    client = Client()
    client.force_login(supervisor)
    url = review_url(start, end)

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} as {supervisor.email}: {response.status_code}")

    for _ in range(WARM_UPS):
        get()
    runs_ms = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        get()
        runs_ms.append((time.perf_counter() - started) * 1000)
    load = load_average()
    # Counted apart from the timed runs, so recording costs nothing in the timings.
    with CaptureQueriesContext(connection) as captured, recording_queries() as queries:
        get()

    therapists = list(access.supervised_therapists(supervisor))
    scope = review.ReviewScope(therapists=therapists, start=start, end=end)
    in_scope = review.ruptures_in_scope(supervisor, scope).count()
    timing = PageTiming(label, runs_ms, queries, len(captured), in_scope, len(therapists), load)
    say(
        f"{label}: median {timing.median_ms:,.0f} ms (runs "
        f"{', '.join(f'{r:,.0f}' for r in runs_ms)} ms; load {load:.1f}), "
        f"{timing.query_count} queries, {in_scope:,} ruptures in scope."
    )
    return timing


def explain(query: Query) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        # The SQL is the ORM's own, captured a moment ago; only its parameters are bound.
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query.sql}", query.params)
        return [row[0] for row in cursor.fetchall()]


# --- Bench supervisors ----------------------------------------------------------------------


def bench_supervisor(name: str, ruptures: int | None) -> User:
    """A supervisor (created once) of the first bulk therapists whose ruptures add up to
    about `ruptures`, or of every bulk therapist when None. Running again re-links it to the
    same therapists."""
    from django.db.models import Count
    from django.utils import timezone

    from repairs.demo import BULK_SUFFIX
    from repairs.models import Rupture
    from rupturelog.accounts.models import Role, Supervision, User

    supervisor, _ = User.objects.get_or_create(
        email=f"bench-supervisor-{name}@{BENCH_DOMAIN}",
        defaults={"display_name": f"Bench Supervisor {name}", "role": Role.SUPERVISOR},
    )
    # One grouped query: each bulk therapist's rupture count, in the order they were added.
    # The loop below is over therapists (a few thousand), never over ruptures.
    per_therapist = (
        Rupture.objects.filter(case__therapist__email__endswith=BULK_SUFFIX)
        .values_list("case__therapist_id")
        .annotate(n=Count("id"))
        .order_by("case__therapist_id")
    )
    chosen: list[int] = []
    total = 0
    for therapist_id, n in per_therapist:
        if ruptures is not None and total >= ruptures:
            break
        chosen.append(therapist_id)
        total += n
    Supervision.objects.filter(supervisor=supervisor).exclude(therapist_id__in=chosen).delete()
    started_on = timezone.localdate() - timedelta(days=FULL_HISTORY_DAYS)
    Supervision.objects.bulk_create(
        [Supervision(supervisor=supervisor, therapist_id=t, started_on=started_on) for t in chosen],
        ignore_conflicts=True,
    )
    say(f"{supervisor.email}: {len(chosen):,} therapists, {total:,} ruptures in their cases.")
    return supervisor


# --- CSV export, in a process of its own ----------------------------------------------------


@dataclass
class ExportRun:
    rows: int
    megabytes: float
    seconds: float
    baseline_mb: float  # the process's peak RSS before the request: Django, the login
    peak_rss_mb: float
    traced_peak_mb: float
    traced_seconds: float
    load: float

    def cell(self) -> str:
        return (
            f"{self.rows:,} rows, {self.megabytes:,.1f} MB in {self.seconds:,.1f} s; peak RSS "
            f"{self.peak_rss_mb:.1f} MB ({self.baseline_mb:.1f} before the request); "
            f"tracemalloc peak {self.traced_peak_mb:.2f} MB"
        )


def export_in_subprocess(supervisor: User, start: date, end: date, *, trace: bool) -> dict:
    """Runs this file with --export in a fresh interpreter, so its peak memory is the
    export's alone, not this process's (which has just seeded a million ruptures)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--export", supervisor.email]
    command += [start.isoformat(), end.isoformat(), *(["--trace"] if trace else [])]
    # The command is this file with arguments built here, not outside input.
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_export(supervisor: User, start: date, end: date) -> ExportRun:
    """Twice: untraced for the time and the peak RSS, then under tracemalloc for the peak of
    Python allocations (tracemalloc slows allocation, so that run's time is not the export's
    and its RSS includes tracemalloc's own tables)."""
    plain = export_in_subprocess(supervisor, start, end, trace=False)
    load = load_average()
    traced = export_in_subprocess(supervisor, start, end, trace=True)
    run = ExportRun(
        rows=plain["rows"],
        megabytes=plain["bytes"] / 1e6,
        seconds=plain["seconds"],
        baseline_mb=plain["rss_before"] / 2**20,
        peak_rss_mb=plain["peak_rss"] / 2**20,
        traced_peak_mb=traced["traced_peak"] / 2**20,
        traced_seconds=traced["seconds"],
        load=load,
    )
    say(f"Export as {supervisor.email}: {run.cell()} (load {load:.1f}).")
    return run


def peak_rss() -> int:
    """This process's peak resident memory in bytes. VmHWM belongs to the process's own
    address space; ru_maxrss would carry over the peak of the parent it was forked from."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def export_worker(email: str, start: str, end: str, trace: bool) -> None:
    """The child: export the supervisor's ruptures through the real view and consume the
    stream chunk by chunk, keeping only counts. Prints one JSON line."""
    configure_django(bench_database_url())
    from django.test import Client
    from django.urls import reverse

    from rupturelog.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    url = f"{reverse('review_export_ruptures')}?{urlencode({'start': start, 'end': end})}"
    rss_before = peak_rss()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    result = {
        "rows": lines - 1,  # less the header; no free text is exported, so no inner newlines
        "bytes": size,
        "seconds": seconds,
        "rss_before": rss_before,
        "peak_rss": peak_rss(),
        "traced_peak": tracemalloc.get_traced_memory()[1] if trace else None,
    }
    print(json.dumps(result))


# --- The run --------------------------------------------------------------------------------


@dataclass
class Results:
    database: str
    started: float = field(default_factory=time.monotonic)
    seconds_to_grow: float = 0.0
    small: PageTiming | None = None
    large: PageTiming | None = None
    big_scope: PageTiming | None = None
    export_small: ExportRun | None = None
    export_large: ExportRun | None = None
    plans: list[tuple[str, Query, list[str]]] = field(default_factory=list)


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def summary(results: Results) -> str:
    small, large, big = results.small, results.large, results.big_scope
    ex_small, ex_large = results.export_small, results.export_large
    assert small and large and big and ex_small and ex_large
    time_ratio = large.median_ms / small.median_ms
    rss_ratio = ex_large.peak_rss_mb / ex_small.peak_rss_mb
    traced_ratio = ex_large.traced_peak_mb / ex_small.traced_peak_mb
    rows = [
        ("measure", "value", "target", "result"),
        (
            f"Review page, demo supervisor ({small.therapists} therapists, "
            f"{small.ruptures_in_scope:,} ruptures in scope), {SMALL:,} bulk ruptures in the "
            f"database (load {small.load:.1f})",
            small.cell(),
            "",
            "",
        ),
        (
            f"Same page, same supervisor and dates ({large.ruptures_in_scope:,} ruptures in "
            f"scope), {LARGE:,} bulk ruptures in the database (load {large.load:.1f})",
            large.cell(),
            "",
            "",
        ),
        (
            "Time ratio, median at 1,000,000 ÷ median at 10,000",
            f"{time_ratio:.2f}",
            f"≤ {TIME_RATIO_TARGET}",
            verdict(time_ratio <= TIME_RATIO_TARGET),
        ),
        (
            "Query count at 10,000 and at 1,000,000",
            f"{small.query_count} and {large.query_count}",
            "equal",
            verdict(small.query_count == large.query_count),
        ),
        (
            f"Review page, supervisor with {big.ruptures_in_scope:,} ruptures in scope "
            f"({big.therapists} therapists, full history; load {big.load:.1f})",
            big.cell(),
            "",
            "",
        ),
        (f"CSV export, small (load {ex_small.load:.1f})", ex_small.cell(), "", ""),
        (f"CSV export, large (load {ex_large.load:.1f})", ex_large.cell(), "", ""),
        (
            "Export peak RSS, large ÷ small",
            f"{rss_ratio:.2f}",
            f"≤ {MEMORY_RATIO_TARGET}",
            verdict(rss_ratio <= MEMORY_RATIO_TARGET),
        ),
        (
            "Export peak of Python allocations (tracemalloc), large ÷ small",
            f"{traced_ratio:.2f}",
            f"≤ {MEMORY_RATIO_TARGET}",
            verdict(traced_ratio <= MEMORY_RATIO_TARGET),
        ),
    ]
    for label, query, _plan in results.plans:
        rows.append(
            (f"Slowest aggregate query, {label}", f"{query.seconds * 1000:,.1f} ms", "", "")
        )
    rows += [
        (
            f"Seeding {SMALL:,} → {LARGE:,} bulk ruptures",
            f"{results.seconds_to_grow:.0f} s",
            "",
            "",
        ),
        ("Whole run", f"{time.monotonic() - results.started:.0f} s", "", ""),
    ]
    lines = [
        "| " + " | ".join(rows[0]) + " |",
        "|" + "|".join("---" for _ in rows[0]) + "|",
        *("| " + " | ".join(row) + " |" for row in rows[1:]),
    ]
    return "\n".join(lines)


def report(results: Results, table: str) -> str:
    parts = [
        "# Review benchmark",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')}, database `{urlsplit(results.database).path[1:]}`, "
        f"`make bench`. Page times are server time in process (Django test client), median "
        f"of {REPEATS} after {WARM_UPS} warm-ups. Load is the 1-minute load average of the "
        f"machine ({os.cpu_count()} CPUs) at the time.",
        "",
        table,
    ]
    for label, query, plan in results.plans:
        parts += [
            "",
            f"## EXPLAIN (ANALYZE, BUFFERS): slowest aggregate query, {label}",
            "",
            "```sql",
            query.sql,
            "```",
            "",
            f"Parameters: `{query.params!r}`",
            "",
            "```",
            *plan,
            "```",
        ]
    return "\n".join(parts) + "\n"


def run() -> int:
    url = bench_database_url()
    configure_django(url)
    ensure_database(url)
    if bulk_ruptures_raw(url) > SMALL:
        reset_database(url)

    from django.core.management import call_command
    from django.utils import timezone

    from repairs.demo import DEMO_LOGINS
    from rupturelog.accounts.models import Supervision, User

    results = Results(database=url)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo")  # adds the demo practice once; then only prints its logins
    retrying("Seeding", lambda: call_command("seed_demo", ruptures=SMALL))
    vacuum_analyze()

    today = timezone.localdate()
    demo_start = today - timedelta(days=DEMO_DAYS)
    history_start = today - timedelta(days=FULL_HISTORY_DAYS)
    demo = User.objects.get(email=DEMO_LOGINS["supervisor"])
    results.small = retrying(
        "The review page",
        lambda: time_review_page(f"Demo supervisor at {SMALL:,}", demo, demo_start, today),
    )

    started = time.monotonic()
    retrying("Seeding", lambda: call_command("seed_demo", ruptures=LARGE))
    vacuum_analyze()
    results.seconds_to_grow = time.monotonic() - started

    results.large = retrying(
        "The review page",
        lambda: time_review_page(f"Demo supervisor at {LARGE:,}", demo, demo_start, today),
    )
    slowest = results.large.slowest_aggregate()
    plan = retrying("EXPLAIN", lambda: explain(slowest))
    results.plans.append((f"demo supervisor at {LARGE:,}", slowest, plan))

    big = bench_supervisor("100k", IN_SCOPE)
    exporter_small = bench_supervisor("export-10k", EXPORT_SMALL)
    exporter_large = bench_supervisor("export-all", None)
    # Thousands of new supervision rows: plans for them need statistics that know it.
    vacuum_analyze(Supervision._meta.db_table)

    results.big_scope = retrying(
        "The review page",
        lambda: time_review_page(
            f"Supervisor with ~{IN_SCOPE:,} ruptures", big, history_start, today
        ),
    )
    slowest = results.big_scope.slowest_aggregate()
    plan = retrying("EXPLAIN", lambda: explain(slowest))
    label = f"supervisor with {results.big_scope.ruptures_in_scope:,} ruptures"
    results.plans.append((label, slowest, plan))

    results.export_small = retrying(
        "The export", lambda: measure_export(exporter_small, history_start, today)
    )
    results.export_large = retrying(
        "The export", lambda: measure_export(exporter_large, history_start, today)
    )

    for label, query, plan in results.plans:
        say(f"\nEXPLAIN (ANALYZE, BUFFERS), slowest aggregate query, {label}:\n{query.sql}")
        say(f"Parameters: {query.params!r}\n" + "\n".join(plan))
    table = summary(results)
    say("\n" + table)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(report(results, table))
    say(f"\nWritten to {OUTPUT.relative_to(ROOT)}.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--export",
        nargs=3,
        metavar=("EMAIL", "START", "END"),
        help="(internal) export one supervisor's ruptures and print the figures as JSON",
    )
    parser.add_argument("--trace", action="store_true", help="(internal) with tracemalloc")
    args = parser.parse_args()
    if args.export:
        export_worker(*args.export, trace=args.trace)
        return 0
    return run()


if __name__ == "__main__":
    sys.exit(main())
