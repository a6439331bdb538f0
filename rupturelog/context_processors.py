from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def product(request: HttpRequest) -> dict[str, str]:
    """Wording every page may need: the crisis notice shown on client pages."""
    return {"crisis_text": settings.CRISIS_TEXT}
