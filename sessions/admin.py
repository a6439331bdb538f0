"""Administration of cases and sessions. Clinical free text never appears here: the
practice administrator manages who works with whom, not what was said."""

from __future__ import annotations

from django.contrib import admin

from rupturelog.accounts.admin import SafeChangelist
from sessions.models import Case, CheckIn, TherapySession


class NoDeleteAdmin(SafeChangelist, admin.ModelAdmin):
    """Clinical records are withdrawn or closed, never deleted."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(NoDeleteAdmin):
    list_display = ("id", "client", "therapist", "opened_on", "closed_on")
    list_select_related = ("client", "therapist")
    list_filter = ("opened_on", "closed_on")
    search_fields = ("client__display_name", "client__pseudonym", "therapist__display_name")
    autocomplete_fields = ("client", "therapist")
    date_hierarchy = "opened_on"


@admin.register(TherapySession)
class TherapySessionAdmin(NoDeleteAdmin):
    list_display = ("id", "case", "number", "starts_at", "minutes", "format")
    list_select_related = ("case",)
    list_filter = ("format", "starts_at")
    search_fields = ("case__client__display_name", "case__therapist__display_name")
    raw_id_fields = ("case",)
    date_hierarchy = "starts_at"


@admin.register(CheckIn)
class CheckInAdmin(NoDeleteAdmin):
    # Answers, not the comment: the comment is the respondent's own words.
    list_display = ("id", "therapy_session", "respondent_role", "tension", "created_at")
    list_select_related = ("therapy_session",)
    list_filter = ("respondent_role", "tension")
    search_fields = ("respondent__display_name",)
    fields = ("therapy_session", "respondent", "respondent_role", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
