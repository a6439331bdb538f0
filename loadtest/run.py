"""`make loadtest`: gunicorn and PostgreSQL on loopback, under load and under a restart.

What it does, in order:

1. Creates (or reuses) its own database, `rupturelog_load` unless LOADTEST_DATABASE_URL says
   otherwise, migrates it, seeds the demo practice into it when empty, collects static files
   into a temporary STATIC_ROOT, and starts gunicorn with gunicorn.conf.py on a free port of
   127.0.0.1 with production settings (DEBUG off, a random SECRET_KEY, plain-HTTP cookies).
2. Logs in demo therapists and some of their clients through the login form, and builds the
   list of URLs each of them sees: session timelines, the home page with the inbox, the inbox
   badge and the timeline's "anything new?" poll (both answer 204 when nothing changed).
3. Run 1: 60 s of that mix at 16 connections; then, in alternating turns, timeline pages
   only, the minimal authenticated page only (the account page: the site layout and the
   signed-in person's own details), and the inbox badge only (the cheapest authenticated
   request, a 204), to give the ratio timeline ÷ minimal page (and ÷ badge, for reference).
4. Run 2: the mix again for 60 s, with clients posting replies alongside, while PostgreSQL
   is restarted 20 s in. Errors are split into before / during / after the restart window,
   and every reply the server accepted is then looked up in the database.
5. Prints one table and writes it to bench-output/loadtest.md.

The load generator is wrk (C, epoll) with loadtest/mixed.lua: on a 2-core machine shared
with gunicorn and PostgreSQL, a generator written in Python would take a large share of the
CPU it is trying to measure, and cap the cheap endpoint's throughput first, which would flatter
the ratio. wrk uses a few per cent of one core; mixed.lua times every request itself and
records when each failed one was sent, which is what splits errors around the restart.

PostgreSQL is restarted with pg_ctlcluster, so this needs the machine's local cluster and
root (or the postgres user); it is started again whatever happens.
"""

# Every subprocess below gets a fixed argument list built here: no shell, no outside input;
# wrk, git and PostgreSQL's tools are found on PATH, as make finds them.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection, HTTPException
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    # `python loadtest/run.py` puts loadtest/ on the path, not the project.
    sys.path.insert(0, str(BASE_DIR))

import psycopg  # noqa: E402 - needs the path above when run as a script
from psycopg import sql  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rupturelog_load"
HOST = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LUA_SCRIPT = Path(__file__).with_name("mixed.lua")
OUTPUT_DIR = BASE_DIR / "bench-output"
VENV_PYTHON = Path(sys.executable)
TARGET_RATIO = 0.35
# Share of each kind of request in the mixed load. Open timelines and the inbox poll far more
# often than people open pages; this still keeps half the requests full page renders.
MIX = {"timeline": 30, "home": 20, "changes": 30, "badge": 20}
# A few seconds suffice for what the warm-up is for: imports done, templates compiled, pools full.
WARMUP_SECONDS = 5
RATIO_SLICE_SECONDS = 5
RUN_NUMBERS = itertools.count(1)
# Settings a developer's shell may carry that would change what is measured.
DROPPED_ENV = (
    "DATABASE_REPLICA_URL",
    "SQLITE_PATH",
    "PLAIN_STATIC_STORAGE",
    "BEHIND_TLS_PROXY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
)


# --- Set-up ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str

    def ctl(self, action: str) -> list[str]:
        # --skip-systemctl-redirect: there is no systemd here; pg_ctlcluster must act itself.
        # The default stop mode is "fast": open connections are cut, as in a real failover.
        return ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action]


def find_cluster(port: int) -> Cluster:
    """The local cluster listening on the database URL's port (pg_lsclusters knows)."""
    if override := os.environ.get("LOADTEST_PG_CLUSTER"):
        version, _, name = override.partition("/")
        return Cluster(version, name or "main")
    lines = subprocess.run(
        ["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and parts[2] == str(port):
            return Cluster(parts[0], parts[1])
    raise SystemExit(f"No local PostgreSQL cluster on port {port} (pg_lsclusters).")


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def wait_for_database(url: str, timeout: float) -> float | None:
    """Poll until a new connection succeeds; the time it did, or None."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if database_answers(url):
            return time.time()
        time.sleep(0.05)
    return None


def ensure_postgres_running(cluster: Cluster, url: str) -> None:
    """Whatever happened during the run, leave PostgreSQL up: others use it."""
    if database_answers(url):
        return
    log("PostgreSQL is not answering; starting it again")
    subprocess.run(cluster.ctl("start"), check=False, timeout=120)
    if wait_for_database(url, 60) is None:
        log("WARNING: PostgreSQL still does not answer; check `pg_lsclusters`")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def app_environment(database_url: str, static_root: Path, port: int, workers: int) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env.update(
        # Production settings, with STATIC_ROOT in the temporary directory (loadtest/settings.py).
        DJANGO_SETTINGS_MODULE="loadtest.settings",
        LOADTEST_STATIC_ROOT=str(static_root),
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        # Plain HTTP on loopback: Secure/__Host- cookies would never come back from wrk.
        SECURE_COOKIES="0",
        DATABASE_URL=database_url,
        # No mail server here; a client's reply may send a notice, and SMTP would only
        # add a connection-refused warning per write.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        GUNICORN_BIND=f"{HOST}:{port}",
        GUNICORN_WORKERS=str(workers),
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [str(VENV_PYTHON), "manage.py", *args], cwd=BASE_DIR, env=env, check=True, timeout=900
    )


def start_gunicorn(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    log_file = log_path.open("w")
    server = subprocess.Popen(
        [str(VENV_PYTHON), "-m", "gunicorn", "-c", "gunicorn.conf.py", "rupturelog.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        # Its own process group, so stopping it reaches every worker and nothing else.
        start_new_session=True,
    )
    log_file.close()
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            status, _, _ = Browser(port).request("GET", "/healthz", timeout=2)
        except (OSError, HTTPException):
            status = 0
        if status == 200:
            return server
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {log_path}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=40)  # longer than graceful_timeout in gunicorn.conf.py
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- People and what they look at -------------------------------------------------------------


class Browser:
    """One person's cookies over one keep-alive connection, for the login and the writes."""

    def __init__(self, port: int, *, keep: tuple[str, ...] = ("sessionid", "csrftoken")) -> None:
        self.port = port
        # Only the session and CSRF cookies are kept: the writers never follow the redirect
        # that would show (and consume) the flash message, so its cookie would only grow.
        self.keep = keep
        self.cookies: dict[str, str] = {}
        self.connection: HTTPConnection | None = None

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in sorted(self.cookies.items()))

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        *,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], str]:
        if self.connection is None:
            self.connection = HTTPConnection(HOST, self.port, timeout=timeout)
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, HTTPException):
            self.close()
            raise
        for raw in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                if name not in self.keep:
                    continue
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return response.status, dict(response.headers.items()), text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Person:
    email: str
    role: str
    # (session id, its case's revision now) for the session's timeline and "anything new?".
    timelines: list[tuple[int, int]]
    unread: int
    # A shared moment a client may reply to (the run 2 writes), if any.
    reply_to: int | None
    browser: Browser | None = None

    @property
    def cookie(self) -> str:
        assert self.browser is not None
        return self.browser.cookie_header()


def choose_people(therapist_count: int, clients_each: int) -> list[Person]:
    """Demo therapists and the clients of their first cases, with the URLs each may open.

    Asked of the app's own access rules (repairs.access), so every URL is one the person
    really reaches, and the revisions and unread counts are the current ones.
    """
    import django

    django.setup()
    from django.utils import timezone

    from repairs import access
    from repairs.codes import Visibility
    from repairs.demo import DEMO_DOMAIN
    from rupturelog.accounts.models import Role, User

    now = timezone.now()

    def person(user: User) -> Person:
        recent = list(
            access.sessions_for(user).filter(starts_at__lte=now).order_by("-starts_at")[:3]
        )
        reply_to = None
        if user.role == Role.CLIENT:
            reply_to = (
                access.ruptures_for(user)
                .filter(therapy_session__starts_at__lte=now)
                .exclude(visibility=Visibility.PRIVATE)
                .order_by("-therapy_session__starts_at", "-pk")
                .values_list("pk", flat=True)
                .first()
            )
        return Person(
            email=user.email,
            role=user.role,
            timelines=[(s.pk, s.case.revision) for s in recent],
            unread=access.inbox_for(user).filter(read_at__isnull=True).count(),
            reply_to=reply_to,
        )

    people = []
    therapists = User.objects.filter(
        role=Role.THERAPIST, is_active=True, email__endswith=f"@{DEMO_DOMAIN}"
    ).order_by("email")[:therapist_count]
    for therapist in therapists:
        people.append(person(therapist))
        cases = access.cases_for(therapist).filter(client__is_active=True).order_by("pk")
        for case in cases.select_related("client")[:clients_each]:
            people.append(person(case.client))
    close_database_connections()
    return [p for p in people if p.timelines]


def close_database_connections() -> None:
    """This process's own connections and pool, closed: they would only go stale during the
    restart, and the next query opens a fresh one."""
    from django.db import connections

    for connection in connections.all():
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()


def log_in(person: Person, port: int, password: str) -> None:
    browser = Browser(port)
    status, _, page = browser.request("GET", "/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or match is None:
        raise SystemExit(f"GET /login/ gave {status} without a CSRF token")
    form = {"username": person.email, "password": password, "csrfmiddlewaretoken": match[1]}
    status, _, _ = browser.request("POST", "/login/", form)
    if status != 302 or "sessionid" not in browser.cookies or "csrftoken" not in browser.cookies:
        raise SystemExit(f"Logging in {person.email} gave {status}, not a redirect with cookies")
    code = two_step_code(person.email)
    if code is not None:
        status, _, page = browser.request("GET", "/two-step/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise SystemExit(f"GET /two-step/ for {person.email} gave {status} without a form")
        form = {"code": code, "next": "/", "csrfmiddlewaretoken": match[1]}
        status, headers, _ = browser.request("POST", "/two-step/", form)
        if status != 302 or headers.get("Location") != "/":
            raise SystemExit(f"The two-step code of {person.email} gave {status}, not a redirect")
    browser.close()
    person.browser = browser


def two_step_code(email: str) -> str | None:
    """The code the person's authenticator app would show now, read from the database this
    script runs next to; None for someone who does not use two-step sign-in. A clinician
    seeded without an app (production settings enrol nobody) gets one here, in the load
    test's own database."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rupturelog.accounts.models import User
    from rupturelog.mfa import services

    user = User.objects.get(email=email)
    if not services.is_required(user) and not services.has_two_step(user):
        return None
    device = services.app_device(user) or TOTPDevice.objects.create(
        user=user, name=services.APP_DEVICE_NAME, confirmed=True
    )
    # A code logs in once: after a login in this time step, wait for the next one.
    while int(time.time() - device.t0) // device.step + device.drift <= device.last_t:
        time.sleep(1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def urls(person: Person) -> dict[str, list[str]]:
    return {
        "timeline": [f"/sessions/{sid}/" for sid, _ in person.timelines],
        "home": ["/"],
        "changes": [f"/sessions/{sid}/changes/?rev={rev}" for sid, rev in person.timelines],
        "badge": [f"/inbox/badge/?n={person.unread}"],
        "account": ["/account/"],
    }


def write_requests(path: Path, people: list[Person], mix: dict[str, int], count: int) -> None:
    """`count` requests for wrk, drawn by `mix` over people and their URLs, seeded."""
    pick = random.Random(20260)  # noqa: S311 - a repeatable mix, not a secret
    kinds = list(mix)
    lines = []
    for kind in pick.choices(kinds, weights=[mix[k] for k in kinds], k=count):
        person = pick.choice(people)
        lines.append(f"{pick.choice(urls(person)[kind])}\t{person.cookie}")
    path.write_text("\n".join(lines) + "\n")


# --- Load -----------------------------------------------------------------------------------


@dataclass
class WrkResult:
    seconds: float
    requests: int
    # Microseconds → requests that took that long (measured in mixed.lua), so that runs can
    # be added up and percentiles taken of the total.
    latency_us: Counter[int]
    status_errors: int
    socket_errors: Counter[str]
    statuses: Counter[str]
    # Second since the epoch → answers that were not errors (from mixed.lua).
    ok_seconds: Counter[int]
    # Every error answer: (sent, received) in epoch seconds, and its status.
    error_events: list[tuple[float, float, int]]

    @classmethod
    def total(cls, results: list[WrkResult]) -> WrkResult:
        def add(counters: list[Counter]) -> Counter:
            return sum(counters, Counter())

        return cls(
            seconds=sum(r.seconds for r in results),
            requests=sum(r.requests for r in results),
            latency_us=add([r.latency_us for r in results]),
            status_errors=sum(r.status_errors for r in results),
            socket_errors=add([r.socket_errors for r in results]),
            statuses=add([r.statuses for r in results]),
            ok_seconds=add([r.ok_seconds for r in results]),
            error_events=[event for r in results for event in r.error_events],
        )

    def percentile_ms(self, percent: float) -> float:
        """The latency that `percent` % of requests did not exceed (nearest rank)."""
        rank = max(1, math.ceil(percent / 100 * sum(self.latency_us.values())))
        seen = 0
        for microseconds in sorted(self.latency_us):
            seen += self.latency_us[microseconds]
            if seen >= rank:
                return microseconds / 1000
        return math.nan

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        return self.status_errors + sum(self.socket_errors.values())

    def summary(self) -> str:
        return (
            f"{self.rate:.0f} req/s, p50 {self.percentile_ms(50):.1f} ms, "
            f"p99 {self.percentile_ms(99):.1f} ms, {self.errors} errors, "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


def start_wrk(
    port: int, requests_file: Path, result_file: Path, seconds: int, connections: int
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            "wrk",
            # One thread per connection: mixed.lua can then pair each answer with the time
            # its request was sent. The threads mostly wait in epoll; wrk stays at a few per
            # cent of a core either way.
            f"--threads={connections}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            # Past the pool's wait (DB_POOL_TIMEOUT, 10 s), so a request stuck behind the
            # restart ends as the server's answer, not as wrk giving up on it.
            "--timeout=30s",
            f"--script={LUA_SCRIPT}",
            f"http://{HOST}:{port}",
            "--",
            str(requests_file),
            str(result_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_wrk(process: subprocess.Popen, result_file: Path, seconds: int) -> WrkResult:
    try:
        output, _ = process.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    if process.returncode != 0 or not result_file.exists():
        raise SystemExit(f"wrk failed ({process.returncode}):\n{output}")
    data = json.loads(result_file.read_text())
    return WrkResult(
        seconds=data["duration_us"] / 1e6,
        requests=data["requests"],
        latency_us=Counter({int(k): v for k, v in data["latency_us"].items()}),
        status_errors=data["status_errors"],
        socket_errors=Counter(data["socket_errors"]),
        statuses=Counter(data["statuses"]),
        ok_seconds=Counter({int(k): v for k, v in data["ok_seconds"].items()}),
        error_events=[
            (int(sent) / 1000, int(received) / 1000, int(status))
            for sent, received, status in (event.split(",") for event in data["error_events"])
        ],
    )


def run_wrk(
    port: int, workdir: Path, label: str, requests_file: Path, seconds: int, connections: int
) -> WrkResult:
    result_file = workdir / f"wrk-{next(RUN_NUMBERS)}.json"
    log(f"{label}: {seconds} s at {connections} connections")
    process = start_wrk(port, requests_file, result_file, seconds, connections)
    result = finish_wrk(process, result_file, seconds)
    log(f"  {result.summary()}")
    return result


def run_alternating(
    port: int, workdir: Path, loads: dict[str, Path], seconds: int, connections: int
) -> dict[str, WrkResult]:
    """Each load for `seconds` in all, taken in turns of RATIO_SLICE_SECONDS.

    Taking turns keeps a change in the machine's other work (it is shared) from landing on
    one side of the ratio only.
    """
    turns = max(1, round(seconds / RATIO_SLICE_SECONDS))
    slices: dict[str, list[WrkResult]] = {name: [] for name in loads}
    log(f"{' and '.join(loads)} in turns: {turns} x {RATIO_SLICE_SECONDS} s each")
    for _ in range(turns):
        for name, requests_file in loads.items():
            result_file = workdir / f"wrk-{next(RUN_NUMBERS)}.json"
            process = start_wrk(port, requests_file, result_file, RATIO_SLICE_SECONDS, connections)
            slices[name].append(finish_wrk(process, result_file, RATIO_SLICE_SECONDS))
    totals = {name: WrkResult.total(results) for name, results in slices.items()}
    for name, result in totals.items():
        log(f"  {name}: {result.summary()}")
    return totals


@dataclass
class Write:
    marker: str
    sent: float
    received: float
    status: int | None  # None: no HTTP answer (connection refused, reset, timed out)
    error: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == 303  # the redirect back to the timeline after a saved reply


@dataclass
class Writers:
    """Clients posting replies, one thread each, until stopped."""

    people: list[Person]
    run_id: str
    interval: float
    writes: list[Write] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for number, person in enumerate(self.people, start=1):
            thread = threading.Thread(target=self._write, args=(number, person), daemon=True)
            thread.start()
            self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=40)

    def _write(self, number: int, person: Person) -> None:
        assert person.browser is not None
        browser = person.browser
        path = f"/ruptures/{person.reply_to}/notes/new/"
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            marker = f"[loadtest:{self.run_id}:{number}:{sequence}]"
            form = {
                # The CSRF cookie's secret is a valid form token too (Django unmasks either).
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                "body": f"{marker} Thank you for coming back to this; it helped.",
            }
            sent = time.time()
            try:
                status, _, _ = browser.request("POST", path, form)
                write = Write(marker, sent, time.time(), status)
            except (OSError, HTTPException) as error:
                write = Write(marker, sent, time.time(), None, type(error).__name__)
            self.writes.append(write)  # list.append is atomic under the GIL
            self.stop.wait(self.interval)


def stored_markers(run_id: str) -> set[str]:
    """Markers of this run's replies that are in the database (a fresh connection)."""

    from repairs.models import Note

    pattern = re.compile(r"^\[loadtest:[^\]]+\]")
    try:
        bodies = Note.objects.filter(body__startswith=f"[loadtest:{run_id}:").values_list(
            "body", flat=True
        )
        return {match[0] for body in bodies if (match := pattern.match(body))}
    finally:
        close_database_connections()


# --- Report ---------------------------------------------------------------------------------


@dataclass
class FaultRun:
    load: WrkResult
    restart_at: float  # seconds after the start of the run
    window_start: float  # epoch seconds: the restart command began
    back: float | None  # epoch seconds: the first new connection succeeded after it
    started: float  # epoch seconds
    writes: list[Write]
    stored: set[str]

    def phase(self, sent: float, received: float) -> str:
        """ "before": answered before the restart began; "after": sent once PostgreSQL
        answered again; "during": in flight at some point of the restart window."""
        if received < self.window_start:
            return "before"
        if self.back is not None and sent >= self.back:
            return "after"
        return "during"

    def load_errors(self) -> Counter[str]:
        return Counter(self.phase(sent, received) for sent, received, _ in self.load.error_events)

    def write_errors(self) -> Counter[str]:
        return Counter(self.phase(w.sent, w.received) for w in self.writes if not w.accepted)

    @property
    def accepted(self) -> set[str]:
        return {w.marker for w in self.writes if w.accepted}

    @property
    def lost(self) -> set[str]:
        return self.accepted - self.stored

    def answers_per_second(self) -> dict[int, int]:
        """Requests answered without error, by the second of the run, around the restart."""
        first = int(self.window_start - self.started) - 1
        last = int((self.back or self.window_start) - self.started) + 3
        by_second: Counter[int] = Counter()
        for second, count in self.load.ok_seconds.items():
            by_second[second - int(self.started)] += count
        return {s: by_second[s] for s in range(first, last + 1)}

    def errors_per_second(self) -> dict[int, int]:
        """Errors by the second of the run their request was sent in."""
        seconds: Counter[int] = Counter()
        for sent, _, _ in self.load.error_events:
            seconds[int(sent - self.started)] += 1
        for write in self.writes:
            if not write.accepted:
                seconds[int(write.sent - self.started)] += 1
        return dict(sorted(seconds.items()))


def milliseconds(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(
    mixed: WrkResult,
    timeline: WrkResult,
    minimal: WrkResult,
    badge: WrkResult,
    fault: FaultRun,
    minimal_url: str,
) -> str:
    ratio = timeline.rate / minimal.rate
    rows = [
        "| run | load | s | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]

    def row(run: str, what: str, result: WrkResult, errors: str | None = None) -> str:
        latencies = " | ".join(milliseconds(result.percentile_ms(p)) for p in (50, 95, 99))
        return (
            f"| {run} | {what} | {result.seconds:.0f} | {result.requests} | {result.rate:.0f} "
            f"| {latencies} | {errors or result.errors} |"
        )

    rows.append(row("1", "mixed: timeline, inbox, badge, anything new", mixed))
    rows.append(row("1", "timeline pages only", timeline))
    rows.append(row("1", f"minimal authenticated page: `{minimal_url}`", minimal))
    rows.append(row("1", "cheapest authenticated request: inbox badge (204, no body)", badge))
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    rows.append(
        f"| 1 | **timeline ÷ minimal page = {ratio:.2f}** ({verdict} the ≥ {TARGET_RATIO} "
        "target) | | | | | | | |"
    )
    rows.append(
        f"| 1 | timeline ÷ badge = {timeline.rate / badge.rate:.2f} (for reference) | | | | | | | |"
    )
    load_errors = fault.load_errors()
    socket = sum(fault.load.socket_errors.values())
    window = f"{fault.back - fault.window_start:.1f} s" if fault.back else "never back"
    rows.append(
        row(
            "2",
            f"mixed, PostgreSQL restarted at {fault.restart_at:.0f} s (down for {window})",
            fault.load,
            f"{fault.load.errors}: {load_errors['before']} before, "
            f"{load_errors['during']} during, **{load_errors['after']} after**"
            + (f", {socket} socket errors (no time known)" if socket else ""),
        )
    )
    write_errors = fault.write_errors()
    accepted = len(fault.accepted)
    rows.append(
        f"| 2 | writes: clients' replies, {len(fault.writes)} posted | | {len(fault.writes)} "
        f"| {len(fault.writes) / fault.load.seconds:.1f} | | | "
        f"| {sum(write_errors.values())}: {write_errors['before']} before, "
        f"{write_errors['during']} during, **{write_errors['after']} after**; "
        f"{accepted} accepted, **{len(fault.lost)} lost** |"
    )
    return "\n".join(rows)


# --- Main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="mixed runs 1 and 2")
    parser.add_argument("--ratio-seconds", type=int, default=30, help="timeline / minimal runs")
    parser.add_argument("--restart-at", type=int, default=20, help="seconds into run 2")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--therapists", type=int, default=4)
    parser.add_argument("--clients-each", type=int, default=2, help="clients per therapist")
    parser.add_argument("--writers", type=int, default=3, help="clients posting in run 2")
    parser.add_argument("--write-interval", type=float, default=0.2, help="seconds per writer")
    parser.add_argument(
        "--workers",
        type=int,
        # gthread workers with 4 threads each: one process per core keeps both cores busy
        # despite the GIL, and one more covers the time workers wait on PostgreSQL.
        default=int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 2) + 1)),
    )
    args = parser.parse_args()
    if not 0 < args.restart_at < args.seconds:
        parser.error("--restart-at must fall inside the run")
    return args


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (`make loadtest` installs Debian's package).")
    database_url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlsplit(database_url)
    if parts.hostname not in LOOPBACK:
        # The run restarts the database it uses: only ever the local one.
        raise SystemExit(f"LOADTEST_DATABASE_URL must be on loopback, not {parts.hostname}")
    cluster = find_cluster(parts.port or 5432)
    OUTPUT_DIR.mkdir(exist_ok=True)
    gunicorn_log = OUTPUT_DIR / "loadtest-gunicorn.log"

    with tempfile.TemporaryDirectory(prefix="rupturelog-load-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = app_environment(database_url, workdir / "static", port, args.workers)
        ensure_database(database_url)
        log("migrating, seeding the demo practice (if empty), collecting static files")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--if-empty")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        # The same settings in this process, for choosing people and checking writes.
        os.environ.update(env)
        people = choose_people(args.therapists, args.clients_each)
        from repairs.demo import DEMO_PASSWORD

        server: subprocess.Popen | None = None
        writers: Writers | None = None
        wrk_process: subprocess.Popen | None = None
        try:
            log(f"starting gunicorn on {HOST}:{port}, {args.workers} workers (log: {gunicorn_log})")
            server = start_gunicorn(env, port, gunicorn_log)
            for person in people:
                log_in(person, port, DEMO_PASSWORD)
            close_database_connections()  # the two-step codes were read through them
            roles = Counter(p.role for p in people)
            log(f"logged in {roles['therapist']} therapists and {roles['client']} clients")

            mixed_file = workdir / "mixed.tsv"
            write_requests(mixed_file, people, MIX, 4000)
            timeline_file = workdir / "timeline.tsv"
            write_requests(timeline_file, people, {"timeline": 1}, 1000)
            # The minimal authenticated page: the account page (the site's layout, the signed-in
            # person's name and email, no clinical data) through the same middleware. The inbox
            # badge (204, no body) is measured too, as the cheapest authenticated request.
            minimal_file = workdir / "minimal.tsv"
            write_requests(minimal_file, people, {"account": 1}, 1000)
            badge_file = workdir / "badge.tsv"
            write_requests(badge_file, people, {"badge": 1}, 1000)

            c = args.connections
            # The machine may be shared: its load average goes into the report.
            load_average = {"run 1": os.getloadavg()[0]}
            run_wrk(port, workdir, "warm-up (not reported)", mixed_file, WARMUP_SECONDS, c)
            mixed = run_wrk(port, workdir, "run 1 mixed", mixed_file, args.seconds, c)
            compared = run_alternating(
                port,
                workdir,
                {"timeline": timeline_file, "minimal": minimal_file, "badge": badge_file},
                args.ratio_seconds,
                c,
            )
            timeline, minimal = compared["timeline"], compared["minimal"]
            badge = compared["badge"]

            # Run 2: the same mix, replies being posted, PostgreSQL restarted part-way.
            run_id = secrets.token_hex(4)
            writing = [p for p in people if p.role == "client" and p.reply_to][: args.writers]
            writers = Writers(writing, run_id, args.write_interval)
            result_file = workdir / "wrk-run-2.json"
            log(
                f"run 2: {args.seconds} s, {len(writing)} clients writing, restart at "
                f"{args.restart_at} s"
            )
            load_average["run 2"] = os.getloadavg()[0]
            started = time.time()
            wrk_process = start_wrk(port, mixed_file, result_file, args.seconds, c)
            writers.start()
            time.sleep(max(0.0, started + args.restart_at - time.time()))
            window_start = time.time()
            log(f"restarting PostgreSQL {cluster.version}/{cluster.name}")
            subprocess.run(cluster.ctl("restart"), check=True, timeout=120)
            # pg_ctl waits for the server to start; "back" is when a new connection works.
            back = wait_for_database(database_url, 60)
            log(
                f"  PostgreSQL answers again after {back - window_start:.1f} s"
                if back
                else "  PostgreSQL did not come back within 60 s"
            )
            load = finish_wrk(wrk_process, result_file, args.seconds)
            wrk_process = None
            writers.finish()
        finally:
            if writers is not None:
                writers.finish()
            if wrk_process is not None and wrk_process.poll() is None:
                wrk_process.kill()
                wrk_process.wait()
            ensure_postgres_running(cluster, database_url)
            if server is not None:
                stop_gunicorn(server)

        fault = FaultRun(
            load=load,
            restart_at=args.restart_at,
            window_start=window_start,
            back=back,
            started=started,
            writes=list(writers.writes),
            stored=stored_markers(run_id),
        )

    minimal_url = "/account/"
    report = table(mixed, timeline, minimal, badge, fault, minimal_url)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=BASE_DIR, capture_output=True, text=True
    ).stdout.strip()
    per_second = ", ".join(f"{s} s: {n}" for s, n in fault.errors_per_second().items())
    around = ", ".join(f"{s} s: {n}" for s, n in fault.answers_per_second().items())
    outcomes = Counter(str(w.status or w.error) for w in fault.writes)
    stored_anyway = len(fault.stored - fault.accepted)
    notes = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, commit "
        f"{head}{' with uncommitted changes' if dirty else ''}; gunicorn.conf.py with "
        f"{args.workers} workers x {os.environ.get('GUNICORN_THREADS', '4')} threads, "
        f"PostgreSQL {cluster.version} on loopback, wrk with {args.connections} connections "
        f"after a {WARMUP_SECONDS} s warm-up. Errors are non-2xx/3xx answers plus socket "
        "errors. Mix: "
        + ", ".join(f"{k} {v}%" for k, v in MIX.items())
        + ". Timeline-only, minimal-page and badge loads ran in alternating "
        + f"{RATIO_SLICE_SECONDS} s turns. "
        + "1-minute load average before each run (other work on the machine included): "
        + ", ".join(f"{run} {value:.1f}" for run, value in load_average.items())
        + ".",
        f"Run 2: responses by status {dict(sorted(fault.load.statuses.items()))}; "
        f"errors by the second of the run their request was sent in (load and writes): "
        f"{per_second or 'none'}; answered requests per second around the restart: {around}.",
        f"Writes: answers {dict(sorted(outcomes.items()))}; "
        f"{len(fault.accepted)} accepted (303), all looked up in the database "
        f"afterwards; {stored_anyway} more were stored although their answer was an error.",
    ]
    text = "# make loadtest\n\n" + report + "\n\n" + "\n\n".join(notes) + "\n"
    print("\n" + text)
    (OUTPUT_DIR / "loadtest.md").write_text(text)
    log(f"written to {OUTPUT_DIR / 'loadtest.md'}")
    load_errors = fault.load_errors()
    socket = sum(fault.load.socket_errors.values())
    healthy = (
        fault.back is not None
        and load_errors["after"] == 0
        and socket == 0
        and fault.write_errors()["after"] == 0
        and not fault.lost
    )
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
