from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def product(request: HttpRequest) -> dict[str, object]:
    """What every page may need: the crisis notice on client pages, how often live pages
    ask for news, and the CSP nonce. The inbox badge's count comes from the clinical app
    (repairs.context_processors), which owns the inbox."""
    return {
        "crisis_text": settings.CRISIS_TEXT,
        "live_poll_seconds": settings.LIVE_POLL_SECONDS,
        # django-htmx's {% htmx_script %} puts this nonce on its <script> tag.
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
