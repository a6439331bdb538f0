"""The access log's table of pages (rupturelog/audit/pages.py): every URL has an entry,
and every logged page that names an object records the object's case — the case the view
noted while loading it through the scoping module, never a guess."""

from __future__ import annotations

import pytest

from rupturelog.audit.models import AccessEvent
from rupturelog.audit.pages import PAGES, Kind, page
from tests.conftest import PERSONAS, Cast
from tests.test_authorization_matrix import (
    EXPECTED,
    HTMX,
    LOGGED_OUT,
    ROUTES,
    Post,
    expectation_for,
    url_for,
)

pytestmark = pytest.mark.django_db

ROUTED = {route.name for route in ROUTES if not route.name.startswith("admin:")}


def test_every_url_has_an_entry_in_the_access_log_table() -> None:
    assert ROUTED - PAGES.keys() == set(), "add these URL names to rupturelog/audit/pages.py"
    assert PAGES.keys() - ROUTED == set(), "these entries match no URL any more"


def test_every_page_left_out_of_the_log_says_why() -> None:
    unexplained = [
        name for name, entry in PAGES.items() if entry.kind == Kind.NONE and not entry.why
    ]
    assert unexplained == []


def test_an_unknown_page_is_logged_as_a_view_rather_than_missed() -> None:
    assert page("a_page_nobody_has_added_yet").kind == Kind.VIEW
    assert page("admin:auth_group_changelist").kind == Kind.NONE


def _object_routes() -> list:
    params = []
    for route in ROUTES:
        if not route.ids or page(route.name).kind == Kind.NONE:
            continue
        for persona in [p for p in PERSONAS if p not in LOGGED_OUT]:
            if expectation_for(route, persona, "a", "plain").status < 400:
                params.append(pytest.param(route, persona, id=f"{route.name}-{persona}"))
    return params


@pytest.mark.parametrize(("route", "persona"), _object_routes())
def test_a_logged_page_about_an_object_records_the_objects_case(
    cast: Cast, route, persona: str
) -> None:
    url = url_for(route, "a", cast)
    method = "post" if isinstance(EXPECTED[route.name], Post) else "get"
    response = getattr(cast.client_for(persona), method)(url, **HTMX["plain"])

    event = AccessEvent.objects.get(request_id=response["X-Request-ID"])
    assert (event.page, event.case_id) == (route.name, cast.case_a.pk)
