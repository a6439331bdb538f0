"""Browser tests: headless Chromium (Debian's, at /usr/bin/chromium) driving the live
server that pytest-django runs on the test database.

No browser is ever downloaded: Playwright launches the system Chromium. Without it the
tests are skipped locally, and fail on CI, where a skipped browser suite would look green.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, Page, Response, expect, sync_playwright

from rupturelog.accounts.models import User
from tests.browser.support import (
    DESKTOP,
    PHONE,
    OneRequestAtATime,
    log_in,
    screenshot,
    server_idle,
)

# Playwright's sync API runs an asyncio event loop in the test's thread, and Django refuses
# ORM calls from a thread with a running loop (SynchronousOnlyOperation): the factories in
# a test body and the test database's flush after it would raise. The test code is plain
# synchronous code that only *looks* async to Django, so the check is switched off. Django
# reads the variable on every ORM call; setting it when this conftest is imported covers
# every browser test (and, being process-wide, the rest of a run that collects this folder).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The machine may have no network; without these Chromium stalls on refused
    # connections to Google's update and sync services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Long enough for a loaded CI machine, short enough that a real failure is reported soon.
expect.set_options(timeout=10_000)

FAILED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    # Registered here, not in pyproject.toml, so the browser suite is self-contained.
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium against the live server (-m 'not browser')"
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # Remember a failed test body, so its fixtures can screenshot the pages on teardown.
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


def missing_chromium_message(path: Path) -> str:
    return f"Chromium not found at {path}; install Debian's chromium package to run browser tests"


def require_chromium(path: Path | None = None, environ: Mapping[str, str] | None = None) -> None:
    """Skip without Chromium, except on CI (CI=true), where a silently skipped browser suite
    would look like a passing one: there it is a failure."""
    path = CHROMIUM if path is None else path
    environ = os.environ if environ is None else environ
    if path.exists():
        return
    message = missing_chromium_message(path)
    if environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole browser suite; each test gets fresh contexts (cookies,
    storage) from `open_as`, so tests do not share a login."""
    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def _fast_live_updates(settings) -> None:
    # Pages ask "anything new?" every LIVE_POLL_SECONDS (15 s in production); the templates
    # read it at render time through the context processor, so this reaches the live server.
    settings.LIVE_POLL_SECONDS = 1


@pytest.fixture
def _serialized_live_server(live_server) -> Iterator[None]:
    """On in-memory SQLite, the live server takes one request at a time (see support.py);
    shut again, after waiting out a request in progress, when the test ends."""
    if not live_server.thread.connections_override:
        yield  # PostgreSQL: a connection per thread, the threaded server as it is
        return
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    if not isinstance(app, OneRequestAtATime):
        app = OneRequestAtATime(app)
        httpd.set_app(app)
    app.open = True
    yield
    with server_idle():
        app.open = False


class OpenAs(Protocol):
    def __call__(
        self, user: User, *, viewport: dict[str, int] = ..., javascript: bool = ...
    ) -> Page: ...


@pytest.fixture
def open_as(
    browser: Browser, live_server, _serialized_live_server: None, request: pytest.FixtureRequest
) -> Iterator[OpenAs]:
    """`open_as(user)` gives a page in a new browser context, logged in through the real
    login form. A phone-sized viewport also gets a touch, mobile browser.

    On teardown: screenshots of every page if the test failed, then every context is
    closed (before the database is flushed, so no poller hits an emptied database), and any
    5xx the server sent during the test fails it, even one only a background poll saw.
    """
    contexts = []
    server_errors: list[str] = []

    def record(response: Response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def open_(user: User, *, viewport: dict[str, int] = DESKTOP, javascript: bool = True) -> Page:
        phone = viewport == PHONE
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            java_script_enabled=javascript,
            is_mobile=phone,
            has_touch=phone,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        contexts.append(context)
        # The app has no favicon; answering the browser's automatic request here keeps a
        # "Not Found: /favicon.ico" warning out of every test's captured log.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page = context.new_page()
        page.on("response", record)
        log_in(page, user)
        return page

    yield open_

    failed = request.node.stash.get(FAILED, False)
    for n, context in enumerate(contexts):
        if failed:
            for m, page in enumerate(context.pages):
                screenshot(page, f"FAILED-{request.node.name}-{n}-{m}")
        context.close()
    assert not server_errors, "the server answered with an error:\n" + "\n".join(server_errors)
