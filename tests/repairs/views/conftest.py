"""The version history pages' helpers and clients (tests/repairs/views/test_history.py)."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from repairs.models import Rupture
from tests.conftest import Cast
from tests.repairs.conftest import entry_data, flag_data, text


def history_text(client: Client, rupture_or_url: Rupture | str) -> str:
    """The history page as plain text (tags dropped, whitespace squeezed), asserting a 200."""
    url = (
        rupture_or_url
        if isinstance(rupture_or_url, str)
        else reverse("rupture_history", args=[rupture_or_url.pk])
    )
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return plain(response)


def plain(response: HttpResponse) -> str:
    body = re.sub(r"<[^>]+>", " ", text(response))
    return " ".join(body.replace("&#x27;", "'").replace("&quot;", '"').split())


def log_entry(client: Client, cast: Cast, **overrides: object) -> Rupture:
    """The therapist logs an entry in session A through the page; the new rupture."""
    before = set(Rupture.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("rupture_new", args=[cast.session_a.pk]), entry_data(**overrides)
    )
    assert response.status_code == 303, text(response)[:500]
    return Rupture.objects.exclude(pk__in=before).get()


def flag_moment(client: Client, cast: Cast, **overrides: object) -> Rupture:
    """The client flags a moment in session A through the page; the new rupture."""
    before = set(Rupture.objects.values_list("pk", flat=True))
    response = client.post(reverse("flag_new"), flag_data(cast.session_a, **overrides))
    assert response.status_code in (302, 303), text(response)[:500]
    return Rupture.objects.exclude(pk__in=before).get()


@pytest.fixture
def therapist(cast: Cast) -> Client:
    return cast.client_for("therapist_a")


@pytest.fixture
def client_a(cast: Cast) -> Client:
    return cast.client_for("client_a")
