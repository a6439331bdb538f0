from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from rupturelog.accounts import invitations
from rupturelog.accounts.forms import InvitationAdminForm
from rupturelog.accounts.models import Invitation, Supervision, User


class SafeChangelist(admin.ModelAdmin):
    """Changelists that answer odd query strings without a server error: the search term
    cut to 200 characters (SQLite refuses a LIKE pattern over 50,000 bytes, and no real
    search is longer than a few words), and a filter value holding a NUL character refused
    as a bad request (PostgreSQL cannot compare text with one, and raises)."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if any("\x00" in value for _, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest("Invalid character in the filter.")
        return super().changelist_view(request, extra_context)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
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

    def has_delete_permission(self, request, obj=None) -> bool:
        # People are deactivated, never deleted: their clinical records point at them.
        return False


@admin.register(Supervision)
class SupervisionAdmin(SafeChangelist, admin.ModelAdmin):
    list_display = ("supervisor", "therapist", "started_on")
    list_select_related = ("supervisor", "therapist")
    list_filter = ("started_on",)
    search_fields = ("supervisor__display_name", "therapist__display_name")
    autocomplete_fields = ("supervisor", "therapist")


@admin.register(Invitation)
class InvitationAdmin(SafeChangelist, admin.ModelAdmin):
    """The "Add invitation" page is how the practice invites anyone (a client into a therapist's
    caseload, or staff). Invitations are records: read-only once sent, never deleted;
    resend or cancel them with the actions."""

    form = InvitationAdminForm
    list_display = ("display_name", "email", "role", "therapist", "status", "sent_at")
    list_select_related = ("therapist",)
    list_filter = ("role",)
    search_fields = ("display_name", "email")
    readonly_fields = ("status", "invited_by", "created_at", "sent_at", "expires_at")
    actions = ["resend_invitations", "cancel_invitations"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("email", "display_name", "role", "therapist")
        return (
            "email",
            "display_name",
            "role",
            "therapist",
            "status",
            "invited_by",
            "created_at",
            "sent_at",
            "expires_at",
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the change page is a read-only view; use the actions

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Invitation, form, change: bool) -> None:
        # Adding goes through the service: it makes the token and sends the email.
        sent = invitations.invite(
            email=obj.email,
            display_name=obj.display_name,
            role=obj.role,
            invited_by=request.user,
            therapist=obj.therapist,
        )
        obj.pk = sent.invitation.pk
        obj.invited_by = request.user
        if not sent.emailed:
            self.message_user(
                request,
                "The invitation is saved, but the email could not be sent. Resend it later.",
                level=messages.WARNING,
            )

    @admin.action(description="Send the selected invitations again (new links, 72 hours)")
    def resend_invitations(self, request, queryset):
        sent = [invitations.resend(invitation) for invitation in queryset.open()]
        self.message_user(
            request,
            f"{sum(s.emailed for s in sent)} invitation(s) sent again; the earlier links no "
            "longer work. Accepted or cancelled invitations were left alone.",
        )

    @admin.action(description="Cancel the selected invitations")
    def cancel_invitations(self, request, queryset):
        open_ones = list(queryset.open())
        for invitation in open_ones:
            invitations.cancel(invitation)
        self.message_user(request, f"{len(open_ones)} invitation(s) cancelled.")
