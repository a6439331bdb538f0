"""Nothing lost: every write to a rupture, its codes, a repair step, a note or a check-in
leaves exactly one history event, whatever path made it.

PostgreSQL: triggers write the events, so even a raw `QuerySet.update()` is kept, and the
event tables refuse UPDATE and DELETE. SQLite has no such triggers: the app's one write path
(repairs/services.py) writes the events, so there every service write is checked instead.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from repairs import history, services
from repairs.codes import CodeKind, Status, Visibility
from repairs.history.versions import item_history
from repairs.models import Note, RepairStep, Rupture, RuptureCode
from repairs.services import RepairStepData, RuptureData
from rupturelog.history import change
from sessions.models import CheckIn
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="the SQLite write path")


def events(model: type, **filters: object) -> list[tuple[str, ...]]:
    return list(
        history.event_model(model)
        .objects.filter(**filters)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )


def counts() -> dict[str, int]:
    return {m.__name__: history.event_model(m).objects.count() for m in history.TRACKED}


def data(rupture: Rupture, **overrides: object) -> RuptureData:
    values = {
        "minute": rupture.minute,
        "account": rupture.account,
        "intensity": rupture.intensity,
        "recognised": rupture.recognised,
        "family": rupture.family,
        "visibility": rupture.visibility,
        **overrides,
    }
    return RuptureData(**values)


# --- Every service write leaves its event (both databases) --------------------------------

# Each write, and the events it must add: {model name: number of new events}.
Write = Callable[[Cast, Rupture], object]
WRITES: dict[str, tuple[Write, dict[str, int]]] = {
    "rupture_create": (
        lambda c, r: services.rupture_create(
            author=c.therapist_a,
            therapy_session=c.session_a,
            data=RuptureData(
                minute=5, account="New.", intensity=2, recognised="during", markers=["denial"]
            ),
        ),
        {"Rupture": 1, "RuptureCode": 1},
    ),
    "rupture_update": (
        lambda c, r: services.rupture_update(
            r, expected_version=r.version, data=data(r, account="Edited.", markers=["denial"])
        ),
        # The update, the old marker deleted, the new one inserted.
        {"Rupture": 1, "RuptureCode": 2},
    ),
    "rupture_set_status": (
        lambda c, r: services.rupture_set_status(
            r, expected_version=r.version, status=Status.RESOLVED, agreement="Agreed."
        ),
        {"Rupture": 1},
    ),
    "rupture_withdraw": (
        lambda c, r: services.rupture_withdraw(r, expected_version=r.version),
        {"Rupture": 1},
    ),
    "rupture_set_client_view": (
        lambda c, r: services.rupture_set_client_view(r, client_view="same"),
        {"Rupture": 1},
    ),
    "repair_step_add": (
        lambda c, r: services.repair_step_add(
            r,
            author=c.therapist_a,
            data=RepairStepData(c.session_a, "therapist", "clarify", "Cleared it up.", "helped"),
        ),
        # The step, and the rupture moving from open to repairing.
        {"RepairStep": 1, "Rupture": 1},
    ),
    "note_add": (
        lambda c, r: services.note_add(
            r, author=c.client_a, body="Thanks.", visibility=Visibility.SHARED
        ),
        {"Note": 1},
    ),
    "check_in_save": (
        lambda c, r: services.check_in_save(
            c.session_a, respondent=c.client_a, tension=True, intensity=2, resolution=4, comment=""
        ),
        {"CheckIn": 1},
    ),
}


@pytest.mark.parametrize("name", WRITES)
def test_every_service_write_leaves_exactly_its_history_events(cast: Cast, name: str) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    factories.add_codes(rupture, marker=["minimal_response"])
    write, added = WRITES[name]
    before = counts()

    write(cast, rupture)

    after = counts()
    # Exactly these: on PostgreSQL the triggers wrote them and the service added none.
    assert {m: after[m] - before[m] for m in after if after[m] != before[m]} == added


def test_sharing_a_draft_and_linking_two_reports_are_each_kept(cast: Cast) -> None:
    draft = factories.make_rupture(cast.session_a, cast.client_a, visibility=Visibility.PRIVATE)
    entry = factories.make_rupture(cast.session_a, cast.therapist_a)

    services.rupture_share(draft, expected_version=1)
    services.rupture_link(draft, entry)

    kept = history.event_model(Rupture).objects.order_by("pgh_id")
    assert list(kept.filter(pgh_obj_id=draft.pk).values_list("visibility", "counterpart_id")) == [
        ("private", None),
        ("shared", None),
        ("shared", entry.pk),
    ]
    assert list(kept.filter(pgh_obj_id=entry.pk).values_list("pgh_label", "counterpart_id")) == [
        ("insert", None),
        ("update", draft.pk),
    ]


def test_edits_to_steps_and_notes_and_their_withdrawal_are_each_one_event(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    step = factories.make_step(rupture, cast.therapist_a)
    note = factories.make_note(rupture, cast.client_a)
    step_data = RepairStepData(step.therapy_session, "therapist", "clarify", "Again.", "partly")

    services.repair_step_update(step, expected_version=1, data=step_data)
    services.repair_step_withdraw(step, expected_version=2)
    services.note_update(note, expected_version=1, body="Edited.")
    services.note_withdraw(note, expected_version=2)

    assert events(RepairStep, pgh_obj_id=step.pk) == ["insert", "update", "update"]
    assert events(Note, pgh_obj_id=note.pk) == ["insert", "update", "update"]
    withdrawn = history.event_model(Note).objects.filter(pgh_obj_id=note.pk).last()
    assert (withdrawn.body, withdrawn.version, withdrawn.withdrawn_at) == (
        "Edited.",
        3,
        note.withdrawn_at,
    )


def test_a_refused_edit_leaves_no_event(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    services.rupture_update(rupture, expected_version=1, data=data(rupture, account="Won."))
    before = counts()
    with pytest.raises(services.EditConflict):
        services.rupture_update(rupture, expected_version=1, data=data(rupture, account="Lost."))
    assert counts() == before
    assert "Lost." not in history.event_model(Rupture).objects.values_list("account", flat=True)


def test_a_change_through_a_page_records_who_made_it_and_where(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    url = reverse("rupture_status", args=[rupture.pk])
    cast.client_for("therapist_a").post(
        url, {"status": "repairing", "agreement": "", "version": "1"}
    )
    event = history.event_model(Rupture).objects.filter(pgh_obj_id=rupture.pk).last()
    assert event.pgh_label == "update"
    assert event.pgh_context == {"user": cast.therapist_a.pk, "url": url}
    assert event.pgh_context_id is not None


def test_a_rupture_update_and_its_code_changes_share_one_change_id(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    factories.add_codes(rupture, marker=["minimal_response"])
    with change(user=cast.therapist_a.pk, url="/test"):
        services.rupture_update(rupture, expected_version=1, data=data(rupture, markers=["denial"]))
    update = history.event_model(Rupture).objects.filter(pgh_obj_id=rupture.pk).last()
    codes = history.event_model(RuptureCode).objects.filter(rupture_id=rupture.pk)
    assert sorted(codes.values_list("pgh_label", "code")) == [
        ("delete", "minimal_response"),
        ("insert", "denial"),
        ("insert", "minimal_response"),
    ]
    assert set(
        codes.exclude(pgh_label="insert", code="minimal_response").values_list(
            "pgh_context_id", flat=True
        )
    ) == {update.pgh_context_id}


@sqlite_only
def test_on_sqlite_the_first_edit_of_a_row_written_elsewhere_keeps_the_version_it_replaces(
    cast: Cast,
) -> None:
    # Written straight through the ORM (as seed_demo does): no history yet.
    rupture = Rupture.objects.create(
        therapy_session=cast.session_a,
        author=cast.therapist_a,
        author_role="therapist",
        account="Seeded text.",
    )
    RuptureCode.objects.create(rupture=rupture, kind=CodeKind.MARKER, code="denial")
    services.rupture_update(
        rupture,
        expected_version=1,
        data=data(rupture, account="Edited.", markers=["denial", "minimal_response"]),
    )
    kept = history.event_model(Rupture).objects.filter(pgh_obj_id=rupture.pk).order_by("pgh_id")
    assert list(kept.values_list("pgh_label", "account")) == [
        ("baseline", "Seeded text."),
        ("update", "Edited."),
    ]
    # The code it already had is kept as it stood too, so the change reads as one added.
    edit = item_history(rupture, cast.therapist_a).versions[-1]
    assert [(c.label, c.old, c.new) for c in edit.changes if c.label == "Markers"] == [
        ("Markers", "Denies a reaction", "Denies a reaction, Minimal answers")
    ]


@sqlite_only
def test_on_sqlite_a_raw_update_outside_the_service_path_is_not_captured(cast: Cast) -> None:
    # The documented limit: SQLite has no triggers, so only the service path keeps history.
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    Rupture.objects.filter(pk=rupture.pk).update(account="Raw.")
    assert events(Rupture, pgh_obj_id=rupture.pk) == ["insert"]


# --- PostgreSQL: the database keeps the history, whatever path made the change -------------


@postgres_only
def test_on_postgres_a_raw_queryset_update_leaves_a_history_event(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a, account="Before.")
    step = factories.make_step(rupture, cast.therapist_a)
    check_in = factories.make_check_in(cast.session_a, cast.client_a)
    code = factories.add_code(rupture, CodeKind.MARKER, "denial")

    Rupture.objects.filter(pk=rupture.pk).update(account="Changed behind the app's back.")
    RepairStep.objects.filter(pk=step.pk).update(outcome="did_not_help")
    CheckIn.objects.filter(pk=check_in.pk).update(comment="Edited.")
    RuptureCode.objects.filter(pk=code.pk).delete()

    kept = history.event_model(Rupture).objects.filter(pgh_obj_id=rupture.pk).order_by("pgh_id")
    assert list(kept.values_list("pgh_label", "account")) == [
        ("insert", "Before."),
        ("update", "Changed behind the app's back."),
    ]
    assert events(RepairStep, pgh_obj_id=step.pk) == ["insert", "update"]
    assert events(CheckIn, pgh_obj_id=check_in.pk) == ["insert", "update"]
    assert events(RuptureCode, pgh_obj_id=code.pk) == ["insert", "delete"]
    # A no-op update is not a new version.
    Rupture.objects.filter(pk=rupture.pk).update(account="Changed behind the app's back.")
    assert kept.count() == 2


@postgres_only
@pytest.mark.parametrize("model", history.TRACKED, ids=lambda m: m.__name__)
def test_on_postgres_the_history_tables_refuse_update_and_delete(cast: Cast, model: type) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a)
    factories.add_codes(rupture, marker=["denial"])
    factories.make_step(rupture, cast.therapist_a)
    factories.make_note(rupture, cast.client_a)
    factories.make_check_in(cast.session_a, cast.client_a)
    events_ = history.event_model(model).objects
    kept = events_.get()

    with pytest.raises(DatabaseError, match="append_only"), transaction.atomic():
        events_.filter(pk=kept.pk).update(pgh_label="forged")
    with pytest.raises(DatabaseError, match="append_only"), transaction.atomic():
        events_.filter(pk=kept.pk).delete()
    table = connection.ops.quote_name(events_.model._meta.db_table)
    with (
        pytest.raises(DatabaseError, match="append_only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET pgh_label = 'forged'")  # noqa: S608
    assert events_.get().pgh_label == "insert"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_on_postgres_the_test_suites_flush_still_empties_the_history_tables(cast: Cast) -> None:
    # Transactional tests end with a flush (TRUNCATE), which row triggers do not block.
    factories.make_full_rupture(cast.session_a)
    assert sum(counts().values()) > 0
    call_command("flush", interactive=False, verbosity=0)
    assert sum(counts().values()) == 0
