"""Courses of therapy, the meetings in them, and the short check-in after each meeting."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from rupturelog.history import track


class Case(models.Model):
    """One course of therapy between one client and one therapist."""

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="client_cases"
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist_cases"
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    # Goes up by one with every change to anything in the case, so an open page can ask
    # "anything new since revision N?" with one indexed lookup and no rendering.
    revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-opened_on", "id"]
        indexes = [
            models.Index(fields=["therapist", "opened_on"]),
            models.Index(fields=["client", "opened_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=~Q(client=models.F("therapist")), name="case_client_is_not_therapist"
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} (opened {self.opened_on:%d %b %Y})"

    def get_absolute_url(self) -> str:
        return reverse("case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class SessionFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"


class TherapySession(models.Model):
    """One meeting in a case. Never called `session`: that is `request.session`."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="therapy_sessions")
    number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=50)
    format = models.CharField(
        max_length=16, choices=SessionFormat.choices, default=SessionFormat.IN_PERSON
    )

    class Meta:
        ordering = ["case_id", "number"]
        indexes = [models.Index(fields=["case", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="session_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_number_positive"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=480), name="session_minutes_1_480"
            ),
            models.CheckConstraint(
                condition=Q(format__in=SessionFormat.values), name="session_format_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} ({self.starts_at:%d %b %Y})"

    def get_absolute_url(self) -> str:
        return reverse("session_detail", args=[self.pk])

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)


class RespondentRole(models.TextChoices):
    CLIENT = "client", "Client"
    THERAPIST = "therapist", "Therapist"


RATING_1_5 = Q(intensity__isnull=True) | Q(intensity__gte=1, intensity__lte=5)


@track()
class CheckIn(models.Model):
    """A short questionnaire after a session, answered separately by client and therapist.

    The wording is our own (no licensed instrument): was there tension or a
    misunderstanding, how intense was it, how far was it resolved by the end.
    """

    therapy_session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="check_ins"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins"
    )
    respondent_role = models.CharField(max_length=16, choices=RespondentRole.choices)
    tension = models.BooleanField("there was tension or a misunderstanding")
    intensity = models.PositiveSmallIntegerField(null=True, blank=True)
    resolution = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.CharField(max_length=280, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["therapy_session_id", "respondent_role"]
        indexes = [models.Index(fields=["respondent", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["therapy_session", "respondent"], name="checkin_one_per_respondent"
            ),
            models.UniqueConstraint(
                fields=["therapy_session", "respondent_role"], name="checkin_one_per_side"
            ),
            models.CheckConstraint(condition=RATING_1_5, name="checkin_intensity_1_5"),
            models.CheckConstraint(
                condition=Q(resolution__isnull=True) | Q(resolution__gte=1, resolution__lte=5),
                name="checkin_resolution_1_5",
            ),
            models.CheckConstraint(
                condition=Q(respondent_role__in=RespondentRole.values),
                name="checkin_role_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_respondent_role_display()} check-in for {self.therapy_session}"
