from __future__ import annotations

from django.http import HttpRequest

from repairs import access


def inbox(request: HttpRequest) -> dict[str, object]:
    """The unread count for the inbox badge in the header: a callable, so only pages that
    show the badge run the query."""

    def unread_count() -> int:
        return access.inbox_for(request.user).filter(read_at__isnull=True).count()

    return {"unread_count": unread_count}
