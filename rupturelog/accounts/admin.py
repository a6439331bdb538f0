from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpResponseBadRequest, JsonResponse

from rupturelog.accounts.models import Role, Supervision, User


class SafeChangelist:
    """Changelists that answer odd query strings without a server error: the search term
    cut to 200 characters (SQLite refuses a LIKE pattern over 50,000 bytes, and no real
    search is longer than a few words), and a filter value holding a NUL character refused
    as a bad request (PostgreSQL cannot compare text with one, and raises)."""

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in value for _, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest("Invalid character in the filter.")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term: str):
        return super().get_search_results(request, queryset, search_term[:200])


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "role")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "role")


@admin.register(User)
class UserAdmin(SafeChangelist, BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ("display_name",)
    list_display = ("display_name", "email", "role", "pseudonym", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("display_name", "email", "pseudonym")
    readonly_fields = ("pseudonym", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("display_name", "role", "pseudonym")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "display_name", "role")}),
        ("Password", {"fields": ("password1", "password2")}),
    )
    filter_horizontal = ("groups",)
    actions = ["export_full_record"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # People are deactivated, never deleted: their clinical records point at them.
        return False

    @admin.action(description="Export the full record of the selected client (JSON)")
    def export_full_record(self, request, queryset):
        """For a formal access request: one client's whole record, private entries marked,
        for the practice to review before release. Logged as an export."""
        # Imported here: accounts sits below the clinical apps it exports from.
        from repairs.record import full_record
        from rupturelog.audit.models import AccessEvent, Action

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


@admin.register(Supervision)
class SupervisionAdmin(SafeChangelist, admin.ModelAdmin):
    list_display = ("supervisor", "therapist", "started_on")
    list_select_related = ("supervisor", "therapist")
    list_filter = ("started_on",)
    search_fields = ("supervisor__display_name", "therapist__display_name")
    autocomplete_fields = ("supervisor", "therapist")
