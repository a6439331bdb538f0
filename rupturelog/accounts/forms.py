from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from rupturelog.accounts.invitations import email_refusal
from rupturelog.accounts.models import Invitation, Role


class EmailLoginForm(AuthenticationForm):
    """Django's login form, labelled for email and forgiving of letter case in it."""

    username = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an active account. "
        "Check both and try again.",
    }

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.lower()


class ClientInviteForm(forms.Form):
    """A therapist invites a new client of their own."""

    email = forms.EmailField(label="Their email", max_length=254)
    display_name = forms.CharField(
        label="Their name",
        max_length=120,
        help_text="As you and they will see it. Supervisors see a code instead.",
    )

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        if refusal := email_refusal(email):
            raise forms.ValidationError(refusal)
        return email


class InvitationAdminForm(forms.ModelForm):
    """The admin's "Invite someone" form: anyone, any role; a client into a caseload."""

    class Meta:
        model = Invitation
        fields = ("email", "display_name", "role", "therapist")
        help_texts = {
            "therapist": "For a client: whose caseload they join. A case is opened when "
            "they accept.",
        }

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        if refusal := email_refusal(email):
            raise forms.ValidationError(refusal)
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        role, therapist = cleaned.get("role"), cleaned.get("therapist")
        if role == Role.CLIENT and therapist is None:
            self.add_error("therapist", "A client joins a therapist's caseload: choose one.")
        elif role and role != Role.CLIENT and therapist is not None:
            self.add_error("therapist", "Only a client is invited into a caseload.")
        return cleaned
