"""Template helpers for showing clinical records to the person looking at them."""

from __future__ import annotations

from typing import TypeGuard

from django import template

from repairs import access, cards
from sessions.models import Case

register = template.Library()


@register.filter
def client_name_for(case: Case, viewer) -> str:
    """The client's name, or their pseudonym where the viewer is a supervisor."""
    return access.client_name(viewer, case)


def _number(value: object) -> TypeGuard[float]:
    # A missing figure reaches a filter as None, or as "" from an absent attribute.
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def percent(value: object) -> str:
    """0.625 → "63%"; nothing to divide by → "—"."""
    return f"{value * 100:.0f}%" if _number(value) else "—"


@register.filter
def one_decimal(value: object) -> str:
    return f"{value:.1f}" if _number(value) else "—"


@register.filter
def two_decimals(value: object) -> str:
    return f"{value:.2f}" if _number(value) else "—"


@register.filter
def heat(value: object) -> str:
    """A CSS class for a heat-map cell: five steps of resolution rate, plus none."""
    if not _number(value):
        return "heat-none"
    return f"heat-{min(4, int(value * 5))}"


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key, 0)


@register.simple_tag
def id_url(name: str, object_id: int) -> str:
    """`{% url name object_id %}` for a URL that takes one integer id, without walking the
    URL resolver each time (repairs/cards.py)."""
    return cards.id_url(name, object_id)


@register.simple_tag(takes_context=True)
def reporter(context, rupture) -> str:
    user = context.get("user")
    return cards.reporter_text(rupture, getattr(user, "pk", None), getattr(user, "role", None))


@register.simple_tag(takes_context=True)
def rupture_card(context, rupture) -> dict:
    """What a rupture card prints for the viewer (`user`) on the page of `therapy_session`
    (repairs/cards.py)."""
    page_session = context.get("therapy_session")
    if isinstance(page_session, dict):
        page_session_id = page_session.get("pk")
    else:
        page_session_id = getattr(page_session, "pk", None)
    return cards.card_for(rupture, context.get("user"), page_session_id)
