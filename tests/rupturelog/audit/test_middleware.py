"""The access log: every view and change of clinical data, append-only, no clinical text."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from rupturelog.audit import triggers
from rupturelog.audit.middleware import AccessLogMiddleware, known_cases, note_case
from rupturelog.audit.models import AccessEvent, Action
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

SECRET = "ZZ-AUDIT-TEXT-5512"


def test_opening_a_session_logs_who_saw_which_case_and_no_clinical_text(cast: Cast) -> None:
    factories.make_rupture(cast.session_a, cast.therapist_a, account=SECRET)
    client = cast.client_for("supervisor_a", REMOTE_ADDR="10.1.2.3")
    response = client.get(reverse("session_detail", args=[cast.session_a.pk]))

    event = AccessEvent.objects.get()
    assert (event.user, event.role, event.action) == (cast.supervisor_a, "supervisor", "view")
    assert (event.object_type, event.object_id) == ("session", cast.session_a.pk)
    assert event.case_id == cast.case_a.pk
    assert event.ip == "10.1.2.3"
    assert event.request_id == response["X-Request-ID"]
    stored = " ".join(str(value) for value in AccessEvent.objects.values().get().values())
    assert SECRET not in stored


def test_a_change_is_logged_as_a_change(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.client_a)
    client = cast.client_for("therapist_a")
    client.post(reverse("note_new", args=[rupture.pk]), {"body": "Thanks.", "visibility": "shared"})
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type, event.case_id) == (
        Action.CHANGE,
        "rupture",
        cast.case_a.pk,
    )


def test_an_invalid_form_is_logged_as_a_view_not_a_change(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.client_a)
    cast.client_for("therapist_a").post(reverse("note_new", args=[rupture.pk]), {"body": ""})
    assert AccessEvent.objects.get().action == Action.VIEW


def test_background_polls_and_refused_requests_are_not_logged(cast: Cast) -> None:
    client = cast.client_for("client_b")
    client.get(reverse("session_changes", args=[cast.session_b.pk]))
    client.get(reverse("inbox_badge"))
    client.get(reverse("session_detail", args=[cast.session_a.pk]))  # not theirs: 404
    assert not AccessEvent.objects.exists()


def test_a_client_sees_who_opened_their_record_but_not_other_clients_records(
    cast: Cast,
) -> None:
    cast.client_for("therapist_a").get(reverse("session_detail", args=[cast.session_a.pk]))
    cast.client_for("therapist_b").get(reverse("session_detail", args=[cast.session_b.pk]))
    cast.client_for("client_a").get(reverse("case_detail", args=[cast.case_a.pk]))

    page = cast.client_for("client_a").get(reverse("record_access")).content.decode()
    assert cast.therapist_a.display_name in page
    assert cast.therapist_b.display_name not in page
    assert "Opened a session&#x27;s timeline" in page or "Opened a session's timeline" in page


def test_a_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(cast: Cast) -> None:
    client = cast.client_for("client_a")
    kept = client.get(reverse("home"), HTTP_X_REQUEST_ID="proxy-req-12345")
    assert kept["X-Request-ID"] == "proxy-req-12345"
    replaced = client.get(reverse("home"), HTTP_X_REQUEST_ID="<script>")
    assert replaced["X-Request-ID"] != "<script>" and len(replaced["X-Request-ID"]) == 32


def test_the_database_refuses_to_change_or_delete_the_log(cast: Cast, settings) -> None:
    cast.client_for("client_a").get(reverse("home"))
    settings.AUDIT_LOG_TRIGGERS = True
    # DDL is transactional on both databases: the test's rollback removes the triggers.
    triggers.install_triggers()
    event = AccessEvent.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(page="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get().page == "home"
    AccessEvent.objects.create(
        user=cast.client_a, role="client", action="view", page="home", request_id="x" * 8
    )  # inserting still works
    assert AccessEvent.objects.count() == 2


def test_an_edit_conflict_shows_the_saved_version_and_is_logged_as_a_view(cast: Cast) -> None:
    rupture = factories.make_rupture(cast.session_a, cast.therapist_a, account="First.")
    client = cast.client_for("therapist_a")
    stale = {
        "version": rupture.version,
        "recognised": "after",
        "family": "withdrawal",
        "account": "Mine.",
        "visibility": "shared",
    }
    client.post(reverse("rupture_edit", args=[rupture.pk]), {**stale, "account": "Theirs."})
    response = client.post(reverse("rupture_edit", args=[rupture.pk]), stale)
    assert response.status_code == 409
    assert list(AccessEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "change",
        "view",
    ]


def test_a_case_a_view_noted_is_used_only_for_the_object_it_was_noted_for(cast: Cast) -> None:
    token = known_cases.set({})
    try:
        note_case("session", cast.session_a.pk, cast.case_a.pk)
        assert AccessLogMiddleware._case_id("session", cast.session_a.pk) == cast.case_a.pk
        # Nothing is guessed for an object the view did not note; a case is its own.
        assert AccessLogMiddleware._case_id("session", cast.session_b.pk) is None
        assert AccessLogMiddleware._case_id("rupture", cast.session_a.pk) is None
        assert AccessLogMiddleware._case_id("case", cast.session_a.pk) == cast.session_a.pk
    finally:
        known_cases.reset(token)


def test_a_noted_case_does_not_outlive_its_request(cast: Cast) -> None:
    client = cast.client_for("therapist_a")
    client.get(reverse("session_detail", args=[cast.session_a.pk]))
    assert known_cases.get() is None
