from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def product(request: HttpRequest) -> dict[str, object]:
    """What every page may need: the crisis notice on client pages, and the unread count
    for the inbox badge (a callable, so only pages that show the badge run the query)."""
    from rupturelog import access  # access imports the clinical apps' models

    def unread_count() -> int:
        return access.inbox_for(request.user).filter(read_at__isnull=True).count()

    return {
        "crisis_text": settings.CRISIS_TEXT,
        "unread_count": unread_count,
        "live_poll_seconds": settings.LIVE_POLL_SECONDS,
        # django-htmx's {% htmx_script %} puts this nonce on its <script> tag.
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
