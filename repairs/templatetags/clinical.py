"""Template helpers for showing clinical records to the person looking at them."""

from __future__ import annotations

from django import template

from rupturelog import access
from sessions.models import Case

register = template.Library()


@register.filter
def client_name_for(case: Case, viewer) -> str:
    """The client's name, or their pseudonym where the viewer is a supervisor."""
    return access.client_name(viewer, case)


def _number(value: object) -> bool:
    # A missing figure reaches a filter as None, or as "" from an absent attribute.
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def percent(value: float | None) -> str:
    """0.625 → "63%"; nothing to divide by → "—"."""
    return f"{value * 100:.0f}%" if _number(value) else "—"


@register.filter
def one_decimal(value: float | None) -> str:
    return f"{value:.1f}" if _number(value) else "—"


@register.filter
def two_decimals(value: float | None) -> str:
    return f"{value:.2f}" if _number(value) else "—"


@register.filter
def heat(value: float | None) -> str:
    """A CSS class for a heat-map cell: five steps of resolution rate, plus none."""
    if not _number(value):
        return "heat-none"
    return f"heat-{min(4, int(value * 5))}"


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key, 0)
