"""The right of access: a client's download holds what they may see, and nothing more."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from repairs.codes import Visibility
from repairs.record import full_record
from rupturelog.audit.models import AccessEvent, Action
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(cast: Cast) -> dict[str, str]:
    texts = {
        "own_flag": "ZZ-OWN-FLAG",
        "own_draft": "ZZ-OWN-DRAFT",
        "shared_entry": "ZZ-SHARED-ENTRY",
        "private_entry": "ZZ-PRIVATE-ENTRY",
        "supervisor_note": "ZZ-SUPERVISOR-NOTE",
        "other_client": "ZZ-OTHER-CLIENT",
    }
    factories.make_rupture(cast.session_a, cast.client_a, account=texts["own_flag"])
    factories.make_rupture(
        cast.session_a, cast.client_a, account=texts["own_draft"], visibility=Visibility.PRIVATE
    )
    entry = factories.make_rupture(cast.session_a, cast.therapist_a, account=texts["shared_entry"])
    factories.make_rupture(
        cast.session_a,
        cast.therapist_a,
        account=texts["private_entry"],
        visibility=Visibility.PRIVATE,
    )
    factories.make_note(entry, cast.supervisor_a, texts["supervisor_note"])
    factories.make_rupture(cast.session_b, cast.client_b, account=texts["other_client"])
    return texts


def test_the_json_download_holds_what_the_client_may_see_and_nothing_else(
    cast: Cast, record: dict[str, str]
) -> None:
    response = cast.client_for("client_a").get(reverse("my_record_json"))
    assert response["Content-Disposition"].startswith("attachment")
    body = response.content.decode()
    data = json.loads(body)
    assert data["client"]["name"] == cast.client_a.display_name
    for key in ("own_flag", "own_draft", "shared_entry"):
        assert record[key] in body, key
    for key in ("private_entry", "supervisor_note", "other_client"):
        assert record[key] not in body, key
    assert AccessEvent.objects.filter(page="my_record_json", action=Action.EXPORT).exists()


def test_the_printable_page_shows_the_same_record(cast: Cast, record: dict[str, str]) -> None:
    page = cast.client_for("client_a").get(reverse("my_record")).content.decode()
    assert record["shared_entry"] in page and record["own_draft"] in page
    assert record["private_entry"] not in page and record["supervisor_note"] not in page


def test_the_full_record_for_an_access_request_includes_private_entries_marked_as_such(
    cast: Cast, record: dict[str, str]
) -> None:
    data = json.dumps(full_record(cast.client_a))
    assert record["private_entry"] in data and record["supervisor_note"] in data
    assert record["other_client"] not in data
    assert '"visibility": "private"' in data


def test_the_record_costs_the_same_queries_however_big(cast: Cast) -> None:
    client = cast.client_for("client_a")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("my_record_json")).status_code == 200
        return len(captured)

    factories.make_note(factories.make_rupture(cast.session_a, cast.client_a), cast.therapist_a)
    queries()  # the first request of a login also writes the session's timestamps
    few = queries()
    for _ in range(10):
        rupture = factories.make_rupture(cast.session_a, cast.client_a)
        factories.make_note(rupture, cast.therapist_a)
        factories.make_step(rupture, cast.therapist_a)
    assert queries() == few


def test_the_admin_exports_one_clients_full_record_and_the_export_is_logged(
    cast: Cast, record: dict[str, str]
) -> None:
    cast.admin.is_superuser = True
    cast.admin.save()
    client = cast.client_for("admin")
    url = reverse("admin:accounts_user_changelist")
    response = client.post(
        url, {"action": "export_full_record", "_selected_action": [cast.client_a.pk]}
    )
    assert response.status_code == 200
    assert record["private_entry"] in response.content.decode()
    event = AccessEvent.objects.get(page="admin:full_record")
    assert (event.user, event.action, event.object_id) == (cast.admin, "export", cast.client_a.pk)

    two = client.post(
        url,
        {"action": "export_full_record", "_selected_action": [cast.client_a.pk, cast.client_b.pk]},
    )
    assert two.status_code == 302  # back to the list with "Select exactly one client"
