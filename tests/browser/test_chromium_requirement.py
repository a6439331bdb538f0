"""The rule for a missing browser: skipped on a developer's machine, a failure on CI.

These tests need no browser themselves, so they are not marked `browser`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import require_chromium

MISSING = Path("/nonexistent/chromium")
EXPECTED = (
    "Chromium not found at /nonexistent/chromium; "
    "install Debian's chromium package to run browser tests"
)


def test_a_missing_chromium_skips_the_browser_tests_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match=EXPECTED):
        require_chromium(MISSING, environ={})


@pytest.mark.parametrize("ci", ["false", "0", ""])
def test_a_ci_variable_other_than_true_still_skips(ci: str) -> None:
    with pytest.raises(pytest.skip.Exception, match=EXPECTED):
        require_chromium(MISSING, environ={"CI": ci})


@pytest.mark.parametrize("ci", ["true", "TRUE", " true "])
def test_a_missing_chromium_is_a_failure_on_ci_never_a_skip(ci: str) -> None:
    with pytest.raises(pytest.fail.Exception, match=EXPECTED):
        require_chromium(MISSING, environ={"CI": ci})


def test_an_installed_chromium_neither_skips_nor_fails(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.touch()
    require_chromium(fake, environ={"CI": "true"})
