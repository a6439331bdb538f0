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
