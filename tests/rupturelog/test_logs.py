"""Structured logs: one JSON object per line, with the request id, and no clinical text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from repairs.views import case
from rupturelog.logs import JsonFormatter, RequestContextFilter
from tests import factories
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

SECRET = "ZZ-LOG-CLINICAL-TEXT-8841"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the production handler writes (the JSON formatter and the request filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_the_settings_send_every_log_through_the_redacting_formatter(settings) -> None:
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["request_context"]
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"].startswith("rupturelog.logs.")


def test_a_server_error_is_logged_as_json_with_the_request_id_and_no_clinical_text(
    cast: Cast, log_lines: io.StringIO, monkeypatch
) -> None:
    factories.make_rupture(cast.session_a, cast.therapist_a, account=SECRET)

    def broken(*args, **kwargs):
        # A database error's message quotes the values it refused; so might this one.
        raise ValueError(f"could not save {SECRET!r}")

    monkeypatch.setattr(case, "case_detail_response", broken)
    client = Client(raise_request_exception=False)
    client.force_login(cast.therapist_a)
    response = client.get(
        reverse("case_detail", args=[cast.case_a.pk]), HTTP_X_REQUEST_ID="req-logtest-0001"
    )
    assert response.status_code == 500

    output = log_lines.getvalue()
    assert SECRET not in output
    error = next(r for r in _records(log_lines) if r["level"] == "ERROR")
    assert error["name"] == "django.request"
    assert error["message"] == f"Internal Server Error: /cases/{cast.case_a.pk}/"
    assert error["request_id"] == "req-logtest-0001"
    assert error["user_id"] == cast.therapist_a.pk
    assert error["status_code"] == 500
    assert "builtins.ValueError: (message withheld from the log)" in error["exc_info"]
    assert "in broken" in error["exc_info"]  # where it happened is kept
    assert "request" not in error  # Django's request object (its repr has the query string)


def test_a_chained_exception_keeps_every_type_and_no_message(log_lines: io.StringIO) -> None:
    try:
        try:
            raise KeyError(SECRET)
        except KeyError as inner:
            raise RuntimeError(SECRET) from inner
    except RuntimeError:
        logging.getLogger("repairs").exception("saving rupture %s failed", 12)
    (record,) = _records(log_lines)
    assert SECRET not in log_lines.getvalue()
    assert "builtins.KeyError" in record["exc_info"]
    assert "builtins.RuntimeError" in record["exc_info"]
    assert record["message"] == "saving rupture 12 failed"
    assert record["request_id"] == ""


def test_a_not_found_is_logged_with_the_path_only(cast: Cast, log_lines: io.StringIO) -> None:
    client = cast.client_for("client_b")
    client.get(reverse("case_detail", args=[cast.case_a.pk]) + f"?q={SECRET}")
    assert SECRET not in log_lines.getvalue()
    warning = next(r for r in _records(log_lines) if r["name"] == "django.request")
    assert warning["message"] == f"Not Found: /cases/{cast.case_a.pk}/"
