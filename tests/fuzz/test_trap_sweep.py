"""Every known trap in every field of every endpoint, once each, as someone who may use it.

The Hypothesis tests (test_endpoints.py) try combinations at random; a handful of values
are known to break parsers, and a random search with a few thousand examples may miss a
given one in a given field. So each of them goes into each field here: the rest of the
form valid, the sender the endpoint's own user, aimed at their own object.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.fuzz.endpoints import ENDPOINTS, Endpoint, exists
from tests.fuzz.strategies import Pairs
from tests.fuzz.support import FuzzWorld, rolled_back, send

# The traps most likely to reach an int(), a lookup or a parser unprepared. (Numbers of
# every other kind, long and odd text are the Hypothesis tests' business.)
SWEEP = [
    "",
    "\x00",  # PostgreSQL refuses it in any text
    "\u00b2",  # str.isdigit() says yes, int() says no
    "\u0661\u0662",  # Arabic-Indic digits: isdigit() and int() both accept them
    "9" * 25,  # wider than any integer column
    "9" * 4301,  # int() refuses more than 4300 digits
    "http://[",  # urlsplit() refuses it
]
HTMX_FROM_A_BROKEN_PAGE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://["}


def _sender(endpoint: Endpoint) -> tuple[str, str]:
    """The endpoint's own user and their own object (where it names one)."""
    for target in endpoint.targets:
        likely = endpoint.likely_personas(target)
        if likely:
            return target, likely[0]
    return endpoint.targets[0], "client_a"


def _variants(fields: dict[str, list[str]]) -> list[tuple[str, Pairs]]:
    valid: Pairs = [(name, value) for name, values in fields.items() for value in values]
    variants: list[tuple[str, Pairs]] = [("the valid form", valid)]
    for name in fields:
        rest = [(n, v) for n, v in valid if n != name]
        for trap in SWEEP:
            variants.append((f"{name}={trap[:12]!r}", [*rest, (name, trap)]))
        variants.append((f"{name} twice", [*rest, (name, "1"), (name, "\u00b2")]))
    return variants


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if exists(e)], ids=str)
def test_no_known_trap_in_any_field_gets_a_server_error(
    endpoint: Endpoint, fuzz_world: FuzzWorld, clients: dict[str, Client]
) -> None:
    target, persona = _sender(endpoint)
    path = endpoint.path(fuzz_world, target)
    failures = []
    for n, (what, pairs) in enumerate(_variants(endpoint.form(fuzz_world, target))):
        # Every other request as htmx from a page whose URL urlsplit() refuses.
        headers = HTMX_FROM_A_BROKEN_PAGE if n % 2 else {}
        with rolled_back():
            sent = send(
                clients[persona], endpoint.method, path, pairs, headers, label=f"[sweep {endpoint}]"
            )
        if sent.status >= 500:
            failures.append(f"{sent.status}: {what} (htmx: {bool(headers)})")
    assert not failures, f"{endpoint} as {persona} on {path}:\n" + "\n".join(failures)
