"""`manage.py seed_demo` itself: its output, idempotence and `--if-empty`."""

from __future__ import annotations

import re

import pytest

from repairs.demo import DEMO_LOGINS, DEMO_PASSWORD
from rupturelog.accounts.models import User
from tests.repairs.demo.conftest import row_counts, rupture_checksum, seed


@pytest.mark.django_db
def test_the_output_lists_one_login_per_role(demo_output: str) -> None:
    assert f"Demo logins (password: {DEMO_PASSWORD})" in demo_output
    for role, email in DEMO_LOGINS.items():
        assert re.search(rf"^\s+{role}\s+{re.escape(email)}$", demo_output, re.MULTILINE)


@pytest.mark.django_db
def test_running_it_twice_changes_nothing(demo_output: str) -> None:
    before, checksum = row_counts(), rupture_checksum()
    output = seed()
    assert row_counts() == before
    assert rupture_checksum() == checksum
    assert "Seeded" not in output
    assert DEMO_LOGINS["client"] in output


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database() -> None:
    output = seed("--if-empty")
    assert User.objects.count() == 45
    assert DEMO_LOGINS["therapist"] in output


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_other_data_alone() -> None:
    User.objects.create_user("someone@example.org", "x" * 12, display_name="Someone")
    before = row_counts()
    output = seed("--if-empty")
    assert row_counts() == before
    assert "already has data" in output
    assert DEMO_LOGINS["admin"] not in output


@pytest.mark.django_db
def test_if_empty_with_the_demo_loaded_only_prints_the_logins(demo_output: str) -> None:
    before = row_counts()
    output = seed("--if-empty", "--ruptures", "50")
    assert row_counts() == before
    assert DEMO_LOGINS["supervisor"] in output
