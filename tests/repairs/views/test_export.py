"""The de-identified CSV export of the filtered ruptures and of their repair steps: streamed,
chunked by id, clients by pseudonym, free text only when asked for."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from repairs.views import export as export_views
from tests.repairs.review.practice import CLIENT_NAMES, RANGE, Practice

pytestmark = pytest.mark.django_db

IN_SCOPE = [f"R{n}" for n in range(1, 15)]
RUPTURE_HEADER = [
    "rupture_id",
    "client_pseudonym",
    "therapist",
    "session_number",
    "session_date",
    "reported_by",
    "minute",
    "recognised",
    "family",
    "intensity",
    "status",
    "visibility",
    "linked_rupture_id",
    "markers",
    "causes",
    "feelings",
    "repair_steps",
]
STEP_HEADER = [
    "repair_step_id",
    "rupture_id",
    "client_pseudonym",
    "rupture_family",
    "rupture_status",
    "position",
    "session_number",
    "initiated_by",
    "strategy",
    "outcome",
]
FREE_TEXT = ("ACCOUNT-", "AGREED-", "STEP-TEXT", "NOTE-TEXT", "DRAFT-TEXT")


def export(client: Client, what: str, **params: str) -> tuple[StreamingHttpResponse, str]:
    name = "review_export_ruptures" if what == "ruptures" else "review_export_steps"
    response = client.get(reverse(name) + "?" + urlencode({**RANGE, **params}))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content).decode()


def rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    header, *body = list(csv.reader(io.StringIO(text)))
    return header, [dict(zip(header, row, strict=True)) for row in body]


def test_the_export_is_streamed_csv_with_a_dated_filename(practice: Practice) -> None:
    response, _ = export(practice.login(practice.supervisor), "ruptures")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == (
        'attachment; filename="rupturelog-ruptures-20250301-20250430.csv"'
    )


def test_one_row_per_rupture_in_scope_under_the_header(practice: Practice) -> None:
    _, text = export(practice.login(practice.supervisor), "ruptures")
    header, body = rows(text)
    assert header == RUPTURE_HEADER
    ids = [int(row["rupture_id"]) for row in body]
    assert len(ids) == len(set(ids)) == 14
    assert set(ids) == practice.ids(*IN_SCOPE)


def test_each_row_carries_the_hand_entered_facts(practice: Practice) -> None:
    _, text = export(practice.login(practice.supervisor), "ruptures")
    by_id = {int(row["rupture_id"]): row for row in rows(text)[1]}
    r, clients = practice.r, practice.load.clients
    r1 = by_id[r["R1"].pk]
    assert r1 == {
        "rupture_id": str(r["R1"].pk),
        "client_pseudonym": clients["A"].pseudonym,
        "therapist": "Tobias Fenn",
        "session_number": "2",
        "session_date": "2025-03-12",
        "reported_by": "therapist",
        "minute": "20",
        "recognised": "after",
        "family": "withdrawal",
        "intensity": "3",
        "status": "resolved",
        "visibility": "shared",
        "linked_rupture_id": "",
        "markers": "minimal_response;topic_shift",
        "causes": "unmet_expectation",
        "feelings": "",
        "repair_steps": "1",
    }
    assert by_id[r["R2"].pk]["repair_steps"] == "2"
    assert by_id[r["R12"].pk]["repair_steps"] == "0"  # its one step is withdrawn
    assert by_id[r["R4"].pk]["linked_rupture_id"] == str(r["R5"].pk)
    assert by_id[r["R8"].pk]["visibility"] == "private"
    r3 = by_id[r["R3"].pk]
    assert (r3["reported_by"], r3["minute"], r3["feelings"]) == ("client", "", "unheard")
    assert by_id[r["R13"].pk]["client_pseudonym"] == clients["C"].pseudonym


def test_the_export_is_de_identified_without_free_text(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    for what in ("ruptures", "steps"):
        _, text = export(client, what)
        for name in CLIENT_NAMES:
            assert name not in text
        for marker in FREE_TEXT:
            assert marker not in text


def test_free_text_only_when_asked_for(practice: Practice) -> None:
    client = practice.login(practice.supervisor)
    _, text = export(client, "ruptures", text="1")
    header, body = rows(text)
    assert header == [*RUPTURE_HEADER, "account", "agreement"]
    by_id = {int(row["rupture_id"]): row for row in body}
    r1 = by_id[practice.r["R1"].pk]
    assert (r1["account"], r1["agreement"]) == ("ACCOUNT-R1", "AGREED-R1")
    assert by_id[practice.r["R3"].pk]["agreement"] == ""
    for name in CLIENT_NAMES:  # still pseudonyms
        assert name not in text
    assert "DRAFT-TEXT" not in text
    _, steps = export(client, "steps", text="1")
    header, body = rows(steps)
    assert header == [*STEP_HEADER, "what_was_done"]
    assert {row["what_was_done"] for row in body} >= {"STEP-TEXT-ACCOUNT-R1"}
    _, plain = export(client, "ruptures", text="yes")  # only exactly "1" asks
    assert rows(plain)[0] == RUPTURE_HEADER


def test_the_steps_export(practice: Practice) -> None:
    _, text = export(practice.login(practice.supervisor), "steps")
    header, body = rows(text)
    assert header == STEP_HEADER
    # Steps of ruptures in scope: R1 1, R2 2, R4 1, R6 1, R7 1, R9 2, R13 1 = 9. Not R12's
    # withdrawn step, not T3's step on D1.
    expected = {s.pk for s in practice.load.steps if s.rupture_id in practice.ids(*IN_SCOPE)}
    assert len(expected) == 9
    ids = [int(row["repair_step_id"]) for row in body]
    assert len(ids) == len(set(ids)) == 9
    assert set(ids) == expected
    r2 = [row for row in body if row["rupture_id"] == str(practice.r["R2"].pk)]
    assert [(row["position"], row["session_number"], row["strategy"]) for row in r2] == [
        ("1", "2", "invite_feelings"),
        ("2", "3", "acknowledge_part"),
    ]
    assert {row["client_pseudonym"] for row in r2} == {practice.load.clients["A"].pseudonym}
    assert {row["rupture_status"] for row in r2} == {"resolved"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "resolved"}, ["R1", "R2", "R6", "R9", "R13"]),
        ({"unreviewed": "1"}, [n for n in IN_SCOPE if n not in ("R1", "R9")]),
        ({"family": "confrontation"}, ["R2", "R6", "R12"]),
        ({"seen": "client_only"}, ["R3", "R7", "R10", "R11"]),
        ({"month": "2025-04"}, ["R6", "R8", "R12", "R13", "R14"]),
        ({"therapist": "T3"}, []),
    ],
)
def test_the_export_follows_the_filters_and_the_figure(
    practice: Practice, params: dict[str, str], expected: list[str]
) -> None:
    params = {k: str(practice.people.t3.pk) if v == "T3" else v for k, v in params.items()}
    _, text = export(practice.login(practice.supervisor), "ruptures", **params)
    assert {int(row["rupture_id"]) for row in rows(text)[1]} == practice.ids(*expected)


def test_a_therapist_exports_only_their_own_caseload(practice: Practice) -> None:
    t1 = practice.people.t1
    _, text = export(practice.login(t1), "ruptures", therapist=str(practice.people.t2.pk))
    assert rows(text)[1] == []
    _, text = export(practice.login(t1), "ruptures")
    assert {int(row["rupture_id"]) for row in rows(text)[1]} == practice.ids(
        "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"
    )


@pytest.mark.parametrize("what", ["ruptures", "steps"])
def test_the_export_reads_in_chunks_by_id_and_every_row_comes_out_once(
    practice: Practice, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    monkeypatch.setattr(export_views, "CHUNK", 2)
    client = practice.login(practice.supervisor)
    with CaptureQueriesContext(connection) as captured:
        _, text = export(client, what)
    body = rows(text)[1]
    key = "rupture_id" if what == "ruptures" else "repair_step_id"
    ids = [int(row[key]) for row in body]
    assert ids == sorted(ids)  # keyset pagination: in id order
    assert len(ids) == len(set(ids)) == (14 if what == "ruptures" else 9)
    # 14 rows in chunks of 2: 7 full chunks and an empty one that ends it (9 steps: 5 + 1).
    chunk_queries = [q for q in captured.captured_queries if q["sql"].endswith("LIMIT 2")]
    assert len(chunk_queries) == (8 if what == "ruptures" else 6)


def test_free_text_that_looks_like_a_formula_is_exported_as_text() -> None:
    from repairs.views.export import _cell

    assert _cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _cell("+1") == "'+1" and _cell("-2") == "'-2" and _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("A plain account.") == "A plain account."
