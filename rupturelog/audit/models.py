"""The access log: who viewed or changed which clinical record, when, from where.

Append-only: the app only inserts, and database triggers refuse UPDATE and DELETE on the
table (rupturelog/audit/triggers.py). No clinical text is ever stored here: the event names
the object by type and id, never by what it says.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    REVEAL = "reveal", "Saw the client's real name"


class RevealReason(models.TextChoices):
    """Why a supervisor needed a client's real name (a reason code, never free text)."""

    SAFEGUARDING = "safeguarding", "A safeguarding or risk concern"
    THERAPIST_ASKED = "therapist_asked", "The therapist asked me to"
    HANDOVER = "handover", "The case is being handed over"
    RECORDS_REQUEST = "records_request", "A formal records request"


class AccessEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16)
    action = models.CharField(max_length=8, choices=Action.choices)
    # What was reached: the page's name and the object its URL names (type and id).
    page = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    # The case the object belongs to, so a client can see who opened their record.
    case_id = models.BigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64)
    # For a reveal: the reason code the supervisor chose.
    reason = models.CharField(max_length=32, choices=RevealReason.choices, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case_id", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.page} at {self.at:%Y-%m-%d %H:%M}"
