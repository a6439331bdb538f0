"""The read replica (rupturelog/replica.py): the router on its own, then the review pages and
the export reading through a real second connection ("replica") that mirrors the test
database, as DATABASE_REPLICA_URL pointed at the primary would.

A second connection cannot see rows inside the test's open transaction, so the end-to-end
tests commit their data (transactional_db) and add the alias at run time: Django reads
DATABASES once, so the alias goes into `connections.settings` as well as settings.DATABASES,
and is removed again afterwards. Django's test case refuses to open a connection for an
alias that was not declared before the test began (and declaring it up front would make
the test runner try to create a "replica" database), so the fixture opens this one
connection itself, with the real `ensure_connection` (django_db_blocker.unblock()).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from repairs.models import RepairStep, Rupture
from rupturelog import replica
from rupturelog.replica import ReplicaRouter, reading_from_replica
from tests.repairs.review.practice import RANGE, Practice, build_practice

CLINICAL_TABLES = (
    "repairs_rupture",
    "repairs_repairstep",
    "repairs_note",
    "repairs_supervisorcoding",
    "therapy_sessions_therapysession",
    "therapy_sessions_checkin",
)


@pytest.fixture
def practice(db: None) -> Practice:
    """Built per test here, not once per module as in the rest of the review tests: this
    module's transactional tests run after the others and cannot run inside the open
    transaction that shared data lives in."""
    return build_practice()


# --- The router on its own --------------------------------------------------------------


@pytest.fixture
def replica_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(settings.DATABASES, "replica", {**settings.DATABASES["default"]})


def test_outside_a_replica_block_reads_go_to_the_default(replica_configured: None) -> None:
    assert ReplicaRouter().db_for_read(Rupture) is None


def test_inside_a_replica_block_reads_go_to_the_replica_when_one_is_configured(
    replica_configured: None,
) -> None:
    router = ReplicaRouter()
    with reading_from_replica():
        assert router.db_for_read(Rupture) == "replica"
        assert router.db_for_read(RepairStep) == "replica"
    assert router.db_for_read(Rupture) is None


def test_without_a_replica_configured_reads_stay_on_the_default(db) -> None:
    assert "replica" not in settings.DATABASES
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(Rupture) is None


def test_writes_always_go_to_the_default(replica_configured: None) -> None:
    router = ReplicaRouter()
    assert router.db_for_write(Rupture) == "default"
    with reading_from_replica():
        assert router.db_for_write(Rupture) == "default"


def test_migrations_run_only_on_the_default_and_relations_are_allowed() -> None:
    router = ReplicaRouter()
    assert router.allow_migrate("default", "repairs") is True
    assert router.allow_migrate("replica", "repairs") is False
    assert router.allow_relation(object(), object()) is True


def test_the_flag_is_reset_after_an_error_and_after_nested_blocks(
    replica_configured: None,
) -> None:
    router = ReplicaRouter()
    with pytest.raises(ZeroDivisionError), reading_from_replica():
        _ = 1 / 0
    assert router.db_for_read(Rupture) is None
    with reading_from_replica():
        with reading_from_replica():
            pass
        assert router.db_for_read(Rupture) == "replica"  # the outer block still holds
    assert router.db_for_read(Rupture) is None


def test_the_flag_belongs_to_one_thread_not_the_process(replica_configured: None) -> None:
    seen: list[str | None] = []
    with reading_from_replica():
        thread = threading.Thread(target=lambda: seen.append(ReplicaRouter().db_for_read(Rupture)))
        thread.start()
        thread.join()
    assert seen == [None]


# --- Which reads the views make inside the replica block --------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Every read the router is asked about: (table, inside a replica block?)."""
    recorded: list[tuple[str, bool]] = []
    original = ReplicaRouter.db_for_read

    def spy(self: ReplicaRouter, model: Any, **hints: Any) -> str | None:
        recorded.append((model._meta.db_table, replica._use_replica.get()))
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    return recorded


PAGES = [
    ("review", "supervisor", {}),
    ("patterns", "t1", {}),
    ("review_ruptures", "supervisor", {"status": "resolved"}),
    ("review_export_ruptures", "supervisor", {}),
    ("review_export_steps", "t1", {"text": "1"}),
]


@pytest.mark.parametrize(("page", "viewer", "params"), PAGES)
def test_every_clinical_read_of_the_review_views_is_inside_the_replica_block(
    practice: Practice,
    reads: list[tuple[str, bool]],
    page: str,
    viewer: str,
    params: dict[str, str],
) -> None:
    user = practice.supervisor if viewer == "supervisor" else practice.people.t1
    client = practice.login(user)
    response = client.get(reverse(page) + "?" + urlencode({**RANGE, **params}))
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    clinical = [(table, inside) for table, inside in reads if table in CLINICAL_TABLES]
    assert clinical, "no clinical read was routed at all"
    assert all(inside for _, inside in clinical), clinical
    assert not replica._use_replica.get()  # nothing leaks out of the view or the stream


def test_a_partly_read_export_that_is_closed_leaves_no_replica_flag_behind(
    practice: Practice,
) -> None:
    client = practice.login(practice.supervisor)
    response = client.get(reverse("review_export_ruptures") + "?" + urlencode(RANGE))
    iterator = iter(response.streaming_content)
    next(iterator)  # the header
    next(iterator)  # a row: the stream is suspended inside the replica block
    response.close()
    del iterator
    assert not replica._use_replica.get()


# --- A real second connection -----------------------------------------------------------


@pytest.fixture
def replica_connection(
    transactional_db, monkeypatch: pytest.MonkeyPatch, django_db_blocker: DjangoDbBlocker
) -> Iterator[BaseDatabaseWrapper]:
    """A "replica" alias on a second connection to the test database (TEST MIRROR)."""
    default = connections["default"].settings_dict
    mirror = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    monkeypatch.setitem(settings.DATABASES, "replica", mirror)
    connections.settings["replica"] = mirror
    wrapper = connections["replica"]
    with django_db_blocker.unblock():  # the real ensure_connection, for this one connect
        wrapper.ensure_connection()
    try:
        yield wrapper
    finally:
        if wrapper.vendor == "postgresql":
            wrapper.close()
            wrapper.close_pool()
        elif wrapper.connection is not None:
            # Django never closes an in-memory SQLite connection; this one is ours.
            wrapper.connection.close()
            wrapper.connection = None
        del connections["replica"]
        del connections.settings["replica"]


@pytest.mark.parametrize(
    ("page", "params", "says"),
    [
        ("review", {}, ">14 ruptures</a> in 8 sessions"),
        ("review_ruptures", {"seen": "client_only"}, "4 ruptures, "),
        ("review_export_ruptures", {"status": "resolved"}, "AGREED-R13"),
    ],
)
def test_the_review_reads_its_figures_through_the_replica_connection(
    replica_connection: BaseDatabaseWrapper, page: str, params: dict[str, str], says: str
) -> None:
    practice = build_practice()
    assert replica_connection is not connections["default"]
    client = practice.login(practice.supervisor)
    url = reverse(page) + "?" + urlencode({**RANGE, **params, "text": "1"})
    with (
        CaptureQueriesContext(replica_connection) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        response = client.get(url)
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
    # The numbers are right, and were read through the replica...
    assert says in content.decode()
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert "repairs_rupture" in replica_sql
    # ...while the primary served only the login, the filter's therapists and the
    # alert thresholds: no clinical table.
    for query in on_default.captured_queries:
        assert not any(table in query["sql"] for table in CLINICAL_TABLES), query["sql"]


def test_writes_stay_on_the_primary_with_a_replica_configured(
    replica_connection: BaseDatabaseWrapper,
) -> None:
    practice = build_practice()
    r3 = practice.r["R3"]
    client = practice.login(practice.supervisor)
    with CaptureQueriesContext(replica_connection) as on_replica:
        response = client.post(reverse("reviewed", args=[r3.pk]))
    assert response.status_code == 303
    assert not any(
        q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        for q in on_replica.captured_queries
    )
    assert r3.reviews.filter(supervisor=practice.supervisor).exists()
    # The unreviewed figures, read through the replica, see the write: 14 - R1 - R9 - R3.
    page = client.get(reverse("review") + "?" + urlencode({**RANGE, "unreviewed": "1"}))
    assert ">11 ruptures</a> in 8 sessions" in page.content.decode()
