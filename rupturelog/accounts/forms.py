from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


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
        return self.cleaned_data["username"].lower()
