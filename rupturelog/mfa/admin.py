"""The Django admin sits behind two-step sign-in: only a verified staff member gets in."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest


class VerifiedAdminSite(AdminSite):
    """Django's admin site, refusing a session that has not passed the code step.

    The two-step middleware already sends such a session to the code page; this is the
    admin's own check as well, so the admin stays shut even if the middleware is removed.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", None)
        return super().has_permission(request) and verified is not None and verified()
