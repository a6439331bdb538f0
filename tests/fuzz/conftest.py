"""Fixtures for the fuzz tests, and the line they add to the terminal summary."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from tests.conftest import Cast
from tests.fuzz.support import TALLY, FuzzWorld, build_fuzz_world, logged_in_clients


def pytest_configure(config: pytest.Config) -> None:
    # test_xss_in_browser.py borrows the browser suite's fixtures and marker; the marker is
    # registered there only when that folder is collected.
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium against the live server (-m 'not browser')"
    )


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    # The issue asks for the number of examples with 0 server errors; print it every run.
    if TALLY.examples or TALLY.requests:
        terminalreporter.write_line(
            f"hypothesis examples: {TALLY.examples}, server errors: {len(TALLY.server_errors)} "
            f"({TALLY.requests} requests; {TALLY.accepted_writes} examples saved a change "
            "their sender was allowed to make)"
        )
        for line, n in Counter(TALLY.server_errors).most_common(20):
            terminalreporter.write_line(f"  server error ({n}x): {line}")


@pytest.fixture
def fuzz_world(cast: Cast) -> FuzzWorld:
    return build_fuzz_world(cast)


@pytest.fixture
def clients(fuzz_world: FuzzWorld) -> dict[str, Client]:
    return logged_in_clients(fuzz_world)
