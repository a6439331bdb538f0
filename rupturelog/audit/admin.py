from __future__ import annotations

from django.contrib import admin

from rupturelog.accounts.admin import SafeChangelist
from rupturelog.audit.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(SafeChangelist, admin.ModelAdmin):
    """The audit log browser: searchable, filterable, and read-only (append-only table)."""

    list_display = ("at", "user", "role", "action", "page", "object_type", "object_id", "ip")
    list_select_related = ("user",)
    list_filter = ("action", "role", "object_type", "at")
    search_fields = ("user__email", "user__display_name", "=object_id", "=case_id", "request_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AccessEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
