from __future__ import annotations

from django import forms


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or (on the code page) a backup code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "aria-describedby": "code-help",
            }
        ),
        error_messages={"required": "Type the code your authenticator app shows."},
    )


class ConfirmAppForm(CodeForm):
    """Setting up: only the app's six digits prove the app holds the secret."""

    code = forms.CharField(
        label="Six-digit code from the app",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": "Type the six-digit code your app shows for RuptureLog."},
    )
