"""What the sessions app does when the platform says something happened to a person."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from rupturelog.accounts.models import User
from sessions.models import Case


def open_case_for_new_client(sender: Any, *, client: User, therapist: User, **kwargs: Any) -> None:
    """An invited client's case with the therapist who invited them opens today."""
    Case.objects.create(client=client, therapist=therapist, opened_on=timezone.localdate())
