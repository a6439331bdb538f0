"""Hypothesis drives every form and htmx endpoint with hostile input, as people who may
use it and people who may not: no answer is a server error, and nobody changes what they
may not change.

Each example picks an object for the path (the sender's own, someone else's, one that does
not exist, an id too long for any integer column), a persona, a form damaged from a valid
one (see strategies.py) and the htmx headers; sends it (urlencoded or multipart); and
compares everything a request could change before and after. Each example is rolled back,
so every one starts from the same world.
"""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.urls import get_resolver
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.endpoints import ENDPOINTS, Endpoint, exists
from tests.fuzz.strategies import htmx_headers, payloads
from tests.fuzz.support import (
    FUZZ,
    FUZZ_PERSONAS,
    TALLY,
    FuzzWorld,
    changes,
    own_scope,
    rolled_back,
    send,
    state,
)

# FUZZ_SCALE=10 for a deeper run than the suite's (about 3,500 examples in all at 1).
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def _app_url_names() -> set[str]:
    """The names of the app's own URLs. (The admin's sit apart, in its namespace; the table
    has its login, the two forms that change something and two searches.)"""
    return {name for name in get_resolver().reverse_dict if isinstance(name, str)}


def test_every_url_of_the_app_is_in_the_fuzz_table() -> None:
    fuzzed = {endpoint.url_name for endpoint in ENDPOINTS}
    missing = sorted(_app_url_names() - fuzzed)
    assert not missing, f"add these URLs to tests/fuzz/endpoints.py: {missing}"


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if exists(e)], ids=str)
def test_hostile_input_gets_no_server_error_and_changes_nothing_the_sender_may_not_change(
    endpoint: Endpoint, fuzz_world: FuzzWorld, clients: dict[str, Client]
) -> None:
    world = fuzz_world
    ids = world.ids()
    current_urls = [
        f"http://testserver{world.cast.session_a.get_absolute_url()}",
        f"http://testserver{world.cast.session_b.get_absolute_url()}",
        "http://testserver/",
    ]

    baseline = state()  # every example starts here: each one is rolled back
    # Built once: constructing strategies is slow next to drawing from them.
    everyone = st.sampled_from(FUZZ_PERSONAS)
    personas = {
        target: st.one_of(st.sampled_from(likely), everyone) if likely else everyone
        for target in endpoint.targets
        for likely in [endpoint.likely_personas(target)]
    }
    forms = {
        target: payloads(endpoint.form(world, target), ids, endpoint.text_fields)
        for target in endpoint.targets
    }
    targets = st.sampled_from(endpoint.targets)
    headers_strategy = htmx_headers(current_urls)

    @settings(FUZZ, max_examples=max(1, round(endpoint.examples * SCALE)))
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        TALLY.examples += 1
        target = data.draw(targets, label="target")
        writers = endpoint.writers.get(target, frozenset())
        persona = data.draw(personas[target], label="persona")
        pairs = data.draw(forms[target], label="fields")
        headers = data.draw(headers_strategy, label="headers")
        as_multipart = endpoint.method == "POST" and data.draw(st.booleans(), label="multipart")
        path = endpoint.path(world, target)
        with rolled_back():
            sent = send(
                clients[persona],
                endpoint.method,
                path,
                pairs,
                headers,
                as_multipart=as_multipart,
                label=f"[{endpoint} as {persona}]",
            )
            after = state() if sent.status < 500 else baseline
        assert sent.status < 500, f"{sent.status} for {persona} on {endpoint.method} {path}"
        changed = changes(baseline, after)
        if persona not in writers:
            assert not changed, f"{persona} changed {sorted(changed)} through {endpoint}"
        else:
            scope = own_scope(world, persona)
            if scope is not None:
                assert changed <= scope, f"{persona} changed {sorted(changed - scope)}"
            TALLY.accepted_writes += bool(changed)

    # One entry per endpoint in the example database (the parametrized cases share the
    # inner function's source, which is what Hypothesis keys its saved examples on).
    example.hypothesis.inner_test._hypothesis_internal_add_digest = str(endpoint).encode()
    example()
