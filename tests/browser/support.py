"""Plain helpers shared by the browser tests: logging in, screenshots, axe reports.

Kept out of conftest.py so test modules can import them by name.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rupturelog.accounts.models import User
from tests import factories

# git-ignored (see .gitignore); a human looks here after a run.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Live updates arrive on the next poll (LIVE_POLL_SECONDS is shortened for these tests);
# 15 s leaves room for a slow CI machine without making a real failure slow to report.
LIVE_TIMEOUT_MS = 15_000

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


# --- One database connection, many threads (SQLite only) -------------------------------
#
# On SQLite the test database lives in memory, and Django hands the live server the test's
# own connection: every request thread and the test thread then share ONE sqlite3
# connection. Django documents that simultaneous queries through it "may sometimes randomly
# cause the tests to fail", and they did here ("database table is locked" as a 500 from a
# live refresh racing a save, about one run in six under load). Open pages poll every
# second, so requests overlap all the time. The live server therefore serves one request at
# a time on SQLite, and test code that reads the database while pages are open takes the
# same lock. PostgreSQL gives each thread its own connection and keeps the threaded server.

_SHARED_CONNECTION = threading.RLock()


@contextmanager
def server_idle() -> Iterator[None]:
    """Hold the live server between requests while the test itself queries the database."""
    with _SHARED_CONNECTION:
        yield


class OneRequestAtATime:
    """WSGI wrapper for the live server on in-memory SQLite: runs each request, body and
    close() included (close() sends request_finished, which touches connections), under
    the shared lock. Between tests it is shut, so a request still on its way from a closed
    page cannot race the database flush."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.open = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with _SHARED_CONNECTION:
            if not self.open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"The test that opened this page has finished."]
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()


def screenshot(page: Page, name: str) -> None:
    """Save a full-page PNG for a human to look at. Never fails the test: a screenshot is
    a courtesy, not an assertion."""
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
        page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True, timeout=10_000)
    except Exception as error:  # any failure to save is only reported
        print(f"screenshot {name!r} not saved: {error}", file=sys.stderr)


def log_in(page: Page, user: User) -> None:
    """Log in through the real form, as a person would (no session cookie forging), then
    the code step with the code the person's authenticator app would show."""
    page.goto("/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    with server_idle():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        code = factories.totp_code(device) if device is not None else None
    if code is not None:
        expect(page.get_by_role("heading", name="Two-step sign-in", exact=True)).to_be_visible()
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Continue").click()
    # The home page greets every role with its own first heading; the log-out button is
    # the one thing all of them share.
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def mark_page(page: Page) -> None:
    """Put a marker on the window; a full page load would wipe it."""
    page.evaluate("() => { window.__noReload = 1; }")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("() => window.__noReload") == 1, (
        "the page was fully reloaded; the change should have arrived in place through htmx"
    )


# --- Accessibility ----------------------------------------------------------------------

BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class AxeViolation:
    id: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:8])
        more = f" (+{len(self.targets) - 8} more)" if len(self.targets) > 8 else ""
        return f"[{self.impact}] {self.id}: {self.help} -> {shown}{more}"


def run_axe(page: Page, name: str) -> list[AxeViolation]:
    """Run axe-core on the page as it is now; save the raw violations beside the
    screenshots and return them, most severe first."""
    response: dict[str, Any] = Axe().run(page).response
    violations = [
        AxeViolation(
            id=v["id"],
            impact=v.get("impact") or "unknown",
            help=v["help"],
            targets=[" ".join(map(str, node["target"])) for node in v["nodes"]],
        )
        for v in response["violations"]
    ]
    order = ["critical", "serious", "moderate", "minor", "unknown"]
    violations.sort(key=lambda v: (order.index(v.impact) if v.impact in order else 9, v.id))
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"axe-{name}.json").write_text(
            json.dumps(
                {
                    "url": page.url,
                    "axe": response.get("testEngine", {}).get("version"),
                    "rules_passed": len(response.get("passes", [])),
                    # "Needs review": axe could not decide (e.g. contrast over an image).
                    "incomplete": {
                        item["id"]: [
                            {
                                "target": " ".join(map(str, node["target"])),
                                "why": [check["message"] for check in node.get("any", [])],
                            }
                            for node in item["nodes"]
                        ]
                        for item in response.get("incomplete", [])
                    },
                    "violations": [v.__dict__ for v in violations],
                },
                indent=2,
            )
        )
    except OSError as error:
        print(f"axe report {name!r} not saved: {error}", file=sys.stderr)
    return violations


def axe_report(name: str, violations: list[AxeViolation]) -> str:
    if not violations:
        return f"axe on {name}: no violations"
    lines = [f"axe on {name}: {len(violations)} violation(s)"]
    lines += [f"  {v}" for v in violations]
    return "\n".join(lines)
