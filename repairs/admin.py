"""Ruptures, repair steps and notes in the admin: metadata only, read-only.

DESIGN.md keeps clinical content from the practice administrator, so these pages list
who, when, which codes and what state, and never the accounts, descriptions or note bodies.
Clinicians read and write clinical records through the app, where access.py scopes them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import JsonResponse

from repairs.models import (
    AlertSettings,
    InboxItem,
    Note,
    RepairStep,
    Rupture,
    RuptureCode,
    RuptureReview,
    SupervisorCoding,
)
from repairs.record import full_record
from rupturelog.accounts.admin import SafeChangelist, UserAdmin
from rupturelog.accounts.models import Role, User
from rupturelog.audit.models import AccessEvent, Action


class ReadOnlyMetadataAdmin(SafeChangelist, admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rupture)
class RuptureAdmin(ReadOnlyMetadataAdmin):
    list_display = (
        "id",
        "case",
        "therapy_session",
        "author_role",
        "family",
        "status",
        "visibility",
        "created_at",
        "withdrawn_at",
    )
    list_select_related = ("case", "therapy_session")
    list_filter = ("author_role", "family", "status", "visibility", "recognised")
    search_fields = ("=id", "=case__id")
    fields = (
        "case",
        "therapy_session",
        "author",
        "author_role",
        "minute",
        "recognised",
        "family",
        "intensity",
        "status",
        "visibility",
        "counterpart",
        "created_at",
        "updated_at",
        "version",
        "withdrawn_at",
    )
    readonly_fields = fields
    date_hierarchy = "created_at"


@admin.register(RuptureCode)
class RuptureCodeAdmin(ReadOnlyMetadataAdmin):
    list_display = ("rupture", "kind", "code")
    list_filter = ("kind", "code")
    search_fields = ("=rupture__id",)


@admin.register(RepairStep)
class RepairStepAdmin(ReadOnlyMetadataAdmin):
    list_display = ("id", "rupture", "position", "strategy", "initiated_by", "outcome")
    list_select_related = ("rupture",)
    list_filter = ("strategy", "outcome", "initiated_by")
    search_fields = ("=rupture__id",)
    fields = (*list_display, "therapy_session", "created_at", "withdrawn_at")
    readonly_fields = fields


@admin.register(Note)
class NoteAdmin(ReadOnlyMetadataAdmin):
    list_display = ("id", "rupture", "author_role", "visibility", "created_at", "withdrawn_at")
    list_select_related = ("rupture",)
    list_filter = ("author_role", "visibility")
    search_fields = ("=rupture__id",)
    fields = list_display
    readonly_fields = fields


@admin.register(InboxItem)
class InboxItemAdmin(ReadOnlyMetadataAdmin):
    list_display = ("id", "recipient", "kind", "case", "created_at", "read_at")
    list_select_related = ("recipient", "case")
    list_filter = ("kind",)
    search_fields = ("recipient__display_name", "recipient__email")


@admin.register(AlertSettings)
class AlertSettingsAdmin(admin.ModelAdmin):
    """The one row of alert thresholds; the administrator edits it, nobody deletes it."""

    list_display = (
        "__str__",
        "open_after_sessions",
        "unanswered_flag_days",
        "confrontation_count",
        "confrontation_window",
        "disagreeing_check_ins_in_a_row",
    )

    def has_add_permission(self, request) -> bool:
        return not AlertSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RuptureReview)
class RuptureReviewAdmin(ReadOnlyMetadataAdmin):
    list_display = ("rupture", "supervisor", "reviewed_at")
    list_select_related = ("rupture", "supervisor")


@admin.register(SupervisorCoding)
class SupervisorCodingAdmin(ReadOnlyMetadataAdmin):
    list_display = ("rupture", "supervisor", "family", "updated_at")
    list_select_related = ("rupture", "supervisor")
    list_filter = ("family",)


# The Users admin belongs to the platform (rupturelog/accounts/admin.py), which knows
# nothing of clinical records; the export of one client's record is the clinical app's, so
# it extends that admin here rather than the platform reaching into the clinical apps.
admin.site.unregister(User)


@admin.register(User)
class ClinicalUserAdmin(UserAdmin):
    actions = ["export_full_record"]

    @admin.action(description="Export the full record of the selected client (JSON)")
    def export_full_record(self, request, queryset):
        """For a formal access request: one client's whole record, private entries marked,
        for the practice to review before release. Logged as an export."""
        clients = list(queryset.filter(role=Role.CLIENT)[:2])
        if len(clients) != 1 or queryset.count() != 1:
            self.message_user(request, "Select exactly one client to export.", level=messages.ERROR)
            return None
        client = clients[0]
        AccessEvent.objects.create(
            user=request.user,
            role=request.user.role,
            action=Action.EXPORT,
            page="admin:full_record",
            object_type="client",
            object_id=client.pk,
            ip=request.META.get("REMOTE_ADDR") or None,
            request_id=getattr(request, "request_id", "admin"),
        )
        response = JsonResponse(full_record(client), json_dumps_params={"indent": 2})
        name = f"rupturelog-record-{client.pseudonym}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
