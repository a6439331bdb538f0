"""Template helpers for showing clinical records to the person looking at them."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

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


# An id that no URL pattern's fixed text contains, to mark where the id goes.
_PLACEHOLDER = "987654321"


# Bounded: the script prefix comes from the server's environment, but nothing here should
# grow without limit whatever a request carries.
@lru_cache(maxsize=256)
def _url_shape(urlconf: str | None, script_prefix: str, name: str) -> tuple[str, str]:
    """The text before and after the id in the URL `name`, reversed once per process. Only
    the URL's shape is kept, never data: the same for every user and request."""
    url = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)
    if url.count(_PLACEHOLDER) != 1:
        raise ValueError(f"Cannot tell where the id goes in {name}'s URL {url}")
    before, _, after = url.partition(_PLACEHOLDER)
    return before, after


@register.simple_tag
def id_url(name: str, object_id: int) -> str:
    """`{% url name object_id %}` for a URL that takes one integer id, without walking the
    URL resolver each time: a timeline prints several such links per card, and reversing
    them was a tenth of the page's rendering."""
    before, after = _url_shape(get_urlconf(), get_script_prefix(), name)
    return f"{before}{int(object_id)}{after}"
