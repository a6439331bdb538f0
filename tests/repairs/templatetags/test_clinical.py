"""`{% id_url %}`: the timeline's cheap `{% url %}` for URLs that take one id."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from repairs.templatetags.clinical import id_url

ONE_ID = ["session_detail", "rupture_edit", "note_new", "step_withdraw", "note_edit", "coding"]


@pytest.mark.parametrize("name", ONE_ID)
def test_id_url_gives_what_reverse_gives(name: str) -> None:
    for object_id in (1, 42, 987654321, 10**12):
        assert id_url(name, object_id) == reverse(name, args=[object_id])


def test_id_url_follows_the_script_prefix_the_app_is_served_under() -> None:
    assert id_url("rupture_edit", 7) == "/ruptures/7/edit/"
    set_script_prefix("/practice/")
    try:
        assert id_url("rupture_edit", 7) == "/practice/ruptures/7/edit/"
    finally:
        set_script_prefix("/")
    assert id_url("rupture_edit", 7) == "/ruptures/7/edit/"


def test_id_url_refuses_a_url_that_takes_no_id_and_an_id_that_is_not_a_number() -> None:
    with pytest.raises(NoReverseMatch):
        id_url("home", 1)
    with pytest.raises(ValueError):
        id_url("rupture_edit", "7/../../admin")
