"""Ruptures (moments the working relationship broke down), the steps that mended them,
and the thread of notes on each.

Nothing here is hard-deleted by the app: withdrawing sets `withdrawn_at`, which hides an
item from every scoped queryset (repairs/access.py) while the row stays.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from repairs.codes import (
    CODES_BY_KIND,
    AuthorRole,
    ClientView,
    CodeKind,
    Family,
    InboxKind,
    Outcome,
    Recognised,
    Status,
    Strategy,
    Visibility,
)
from rupturelog.history import track
from sessions.models import Case, RespondentRole, TherapySession


class ClinicalItem(models.Model):
    """Fields every clinical record shares: who wrote it, when, and whether it is withdrawn.

    `version` goes up by one with every saved edit, so an edit made from a stale copy can be
    refused instead of silently overwriting someone else's change.
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@track()
class Rupture(ClinicalItem):
    """One moment on a session's timeline, as one party (client or therapist) reported it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ruptures")
    therapy_session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="ruptures"
    )
    author_role = models.CharField(max_length=16, choices=RespondentRole.choices)
    minute = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Minutes into the session; empty for 'not sure when'."
    )
    recognised = models.CharField(
        max_length=8, choices=Recognised.choices, default=Recognised.AFTER
    )
    family = models.CharField(max_length=16, choices=Family.choices, default=Family.UNCLASSIFIED)
    intensity = models.PositiveSmallIntegerField(null=True, blank=True)
    account = models.TextField("what happened", max_length=5000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    agreement = models.TextField("what we agreed to do differently", blank=True, max_length=5000)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.SHARED
    )
    # When a client's flag was shared with the therapist (None while it is a draft).
    shared_at = models.DateTimeField(null=True, blank=True)
    # On a therapist's shared entry: did the client see the moment the same way?
    client_view = models.CharField(max_length=16, choices=ClientView.choices, blank=True)
    # The other party's report of the same moment: a client flag and a therapist entry
    # joined as one event seen from two sides. Both rows point at each other.
    counterpart = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = [F("minute").asc(nulls_last=True), "created_at", "id"]
        indexes = [
            models.Index(fields=["case", "status"]),
            models.Index(fields=["therapy_session", "minute"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["author", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(intensity__isnull=True) | Q(intensity__gte=1, intensity__lte=5),
                name="rupture_intensity_1_5",
            ),
            models.CheckConstraint(
                condition=Q(minute__isnull=True) | Q(minute__lte=480),
                name="rupture_minute_within_a_session",
            ),
            models.CheckConstraint(
                condition=Q(author_role__in=RespondentRole.values), name="rupture_role_is_known"
            ),
            models.CheckConstraint(
                condition=Q(family__in=Family.values), name="rupture_family_is_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="rupture_status_is_known"
            ),
            models.CheckConstraint(
                condition=Q(recognised__in=Recognised.values), name="rupture_recognised_is_known"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values),
                name="rupture_visibility_is_known",
            ),
            models.CheckConstraint(
                condition=Q(counterpart__isnull=True) | ~Q(counterpart=F("id")),
                name="rupture_not_its_own_counterpart",
            ),
        ]

    def __str__(self) -> str:
        when = "not sure when" if self.minute is None else f"minute {self.minute}"
        return f"{self.get_author_role_display()} report, {when}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The case is stored beside the session so that scoping and review queries filter
        # ruptures by case without joining sessions; a database trigger keeps them in step.
        if self.case_id is None and self.therapy_session_id is not None:
            self.case_id = self.therapy_session.case_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("session_detail", args=[self.therapy_session_id]) + f"#rupture-{self.pk}"

    @property
    def is_client_flag(self) -> bool:
        return self.author_role == RespondentRole.CLIENT

    @property
    def is_draft(self) -> bool:
        """A client's private entry: nobody else sees it until the client shares it."""
        return self.is_client_flag and self.visibility == Visibility.PRIVATE

    def codes_of(self, kind: str) -> list[str]:
        """Codes of one kind; uses the prefetched `codes` when the queryset loaded them."""
        return [c.code for c in self.codes.all() if c.kind == kind]

    @property
    def markers(self) -> list[str]:
        return self.codes_of(CodeKind.MARKER)

    @property
    def causes(self) -> list[str]:
        return self.codes_of(CodeKind.CAUSE)

    @property
    def feelings(self) -> list[str]:
        return self.codes_of(CodeKind.FEELING)


def _code_is_valid_for_kind() -> Q:
    condition = Q()
    for kind, choices in CODES_BY_KIND.items():
        condition |= Q(kind=kind, code__in=choices.values)
    return condition


# Codes are rows of their own, so their history is too: an insert or delete of a code is an
# event, grouped on the history page with the rupture update it came with.
@track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class RuptureCode(models.Model):
    """One marker, cause or feeling word on a rupture.

    A row per code (not a JSON list) so that "ruptures by marker" is one indexed GROUP BY on
    SQLite and PostgreSQL alike.
    """

    rupture = models.ForeignKey(Rupture, on_delete=models.PROTECT, related_name="codes")
    kind = models.CharField(max_length=8, choices=CodeKind.choices)
    code = models.CharField(max_length=32)

    class Meta:
        ordering = ["kind", "code"]
        indexes = [models.Index(fields=["kind", "code", "rupture"])]
        constraints = [
            models.UniqueConstraint(fields=["rupture", "kind", "code"], name="rupture_code_once"),
            models.CheckConstraint(condition=_code_is_valid_for_kind(), name="rupture_code_known"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.code}"

    @property
    def label(self) -> str:
        return CODES_BY_KIND[self.kind](self.code).label


@track()
class RepairStep(ClinicalItem):
    """One step in mending a rupture; it may happen in a later session of the same case."""

    rupture = models.ForeignKey(Rupture, on_delete=models.PROTECT, related_name="repair_steps")
    therapy_session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="repair_steps"
    )
    position = models.PositiveSmallIntegerField()
    initiated_by = models.CharField(max_length=16, choices=RespondentRole.choices)
    strategy = models.CharField(max_length=32, choices=Strategy.choices)
    description = models.TextField("what was done", max_length=5000, blank=True)
    outcome = models.CharField(
        max_length=16, choices=Outcome.choices, default=Outcome.NOT_KNOWN_YET
    )

    class Meta:
        ordering = ["rupture_id", "position"]
        indexes = [
            models.Index(fields=["therapy_session"]),
            models.Index(fields=["strategy", "outcome"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rupture", "position"], name="repair_step_order"),
            models.CheckConstraint(condition=Q(position__gte=1), name="repair_position_positive"),
            models.CheckConstraint(
                condition=Q(strategy__in=Strategy.values), name="repair_strategy_is_known"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="repair_outcome_is_known"
            ),
            models.CheckConstraint(
                condition=Q(initiated_by__in=RespondentRole.values),
                name="repair_initiator_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Step {self.position}: {self.get_strategy_display()}"


@track()
class Note(ClinicalItem):
    """A message in a rupture's thread.

    Client and therapist write to each other (`shared`), or keep a note to themselves
    (`private`; a therapist's private note is also seen by their supervisor). Supervisor
    notes are for the therapist and supervisors only, whatever their visibility.
    """

    rupture = models.ForeignKey(Rupture, on_delete=models.PROTECT, related_name="notes")
    author_role = models.CharField(max_length=16, choices=AuthorRole.choices)
    body = models.TextField(max_length=5000)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.SHARED
    )

    class Meta:
        ordering = ["rupture_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(author_role__in=AuthorRole.values), name="note_role_is_known"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="note_visibility_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Note by {self.get_author_role_display().lower()} on rupture {self.rupture_id}"


class InboxItem(models.Model):
    """Something new for one person: a client's flag or reply, a shared entry, check-ins
    that disagree. Unread until they open it or mark it read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inbox_items"
    )
    kind = models.CharField(max_length=24, choices=InboxKind.choices)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    therapy_session = models.ForeignKey(TherapySession, on_delete=models.PROTECT, related_name="+")
    rupture = models.ForeignKey(
        Rupture, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InboxKind.values), name="inbox_kind_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"

    def get_absolute_url(self) -> str:
        url = reverse("session_detail", args=[self.therapy_session_id])
        return f"{url}#rupture-{self.rupture_id}" if self.rupture_id else url


class RuptureReview(models.Model):
    """A supervisor's "reviewed" mark on a rupture."""

    rupture = models.ForeignKey(Rupture, on_delete=models.PROTECT, related_name="reviews")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rupture", "supervisor"], name="review_once"),
        ]

    def __str__(self) -> str:
        return f"Reviewed by {self.supervisor} on {self.reviewed_at:%d %b %Y}"


class SupervisorCoding(models.Model):
    """A supervisor's own, independent coding of a rupture's family and markers, compared
    with the therapist's for training (percent agreement and Cohen's kappa)."""

    rupture = models.ForeignKey(Rupture, on_delete=models.PROTECT, related_name="codings")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    family = models.CharField(max_length=16, choices=Family.choices)
    markers = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rupture", "supervisor"], name="coding_once"),
            models.CheckConstraint(
                condition=Q(family__in=Family.values), name="coding_family_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor}'s coding of rupture {self.rupture_id}"


class AlertSettings(models.Model):
    """Thresholds for the review alerts, set by the practice administrator (one row)."""

    open_after_sessions = models.PositiveSmallIntegerField(
        default=3, help_text="Alert when a rupture is still open this many sessions later."
    )
    unanswered_flag_days = models.PositiveSmallIntegerField(
        default=7, help_text="Alert when a client's flag has had no response for this many days."
    )
    confrontation_count = models.PositiveSmallIntegerField(
        default=3,
        help_text="Alert when a case has at least this many confrontation ruptures...",
    )
    confrontation_window = models.PositiveSmallIntegerField(
        default=5, help_text="...within its last this-many sessions."
    )
    disagreeing_check_ins_in_a_row = models.PositiveSmallIntegerField(
        default=2,
        help_text="Alert when client and therapist check-ins disagree this many sessions running.",
    )

    class Meta:
        verbose_name = "alert settings"
        verbose_name_plural = "alert settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="alert_settings_single_row"),
            models.CheckConstraint(
                condition=Q(
                    open_after_sessions__gte=1,
                    unanswered_flag_days__gte=1,
                    confrontation_count__gte=1,
                    confrontation_window__gte=1,
                    disagreeing_check_ins_in_a_row__gte=1,
                ),
                name="alert_thresholds_positive",
            ),
        ]

    def __str__(self) -> str:
        return "Alert thresholds"

    @classmethod
    def current(cls) -> AlertSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row
