"""People: one custom user model for every role, and who supervises whom."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

# Letters and digits that cannot be misread for one another (no 0/O, 1/I/L).
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_pseudonym() -> str:
    return "C-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(4))


class Role(models.TextChoices):
    CLIENT = "client", "Client"
    THERAPIST = "therapist", "Therapist"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Practice administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Every account needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ADMIN)
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in. Email is the login; `role` decides what clinical data they see.

    Practice administrators are staff with role `admin`; a clinician who also administers
    keeps their clinical role and has `is_staff` set.
    """

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=120)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT)
    # Shown instead of the client's name wherever a supervisor sees them.
    pseudonym = models.CharField(max_length=8, unique=True, null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Therapists may ask for an email (with no clinical text) when a client shares or replies.
    notify_by_email = models.BooleanField(
        "email me when a client shares a flag or replies", default=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    if TYPE_CHECKING:
        # Set on each request's user by django-otp's OTPMiddleware: whether this session
        # has passed the second step.
        is_verified: Callable[[], bool]

    class Meta:
        ordering = ["display_name"]
        indexes = [models.Index(fields=["role", "display_name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_is_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.CLIENT) | models.Q(pseudonym__isnull=False),
                name="client_has_pseudonym",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.lower()
        if self.role == Role.CLIENT and not self.pseudonym:
            self.pseudonym = self._unused_pseudonym()
        super().save(*args, **kwargs)

    @staticmethod
    def _unused_pseudonym() -> str:
        # 31**4 ≈ 920k codes; a collision is rare, so a few tries are plenty.
        for _ in range(20):
            code = new_pseudonym()
            if not User.objects.filter(pseudonym=code).exists():
                return code
        raise RuntimeError("Could not find an unused pseudonym; widen the code.")

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Supervision(models.Model):
    """A supervisor reviews this therapist's cases."""

    supervisor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="supervisions",
        limit_choices_to={"role": Role.SUPERVISOR},
    )
    therapist = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="supervised_by",
        limit_choices_to={"role": Role.THERAPIST},
    )
    started_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "therapist"], name="supervision_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("therapist")),
                name="supervision_not_self",
            ),
        ]
        indexes = [models.Index(fields=["therapist", "supervisor"])]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.therapist}"


# An invitation link works for three days.
INVITATION_LIFETIME = timedelta(hours=72)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor cancelled (possibly expired: it can still be resent)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An offer of an account, sent by email. There is no self-registration: every account
    starts here (or in the admin's own user form).

    The account itself is made when the invitation is accepted, so an invitation nobody
    takes up leaves no inactive account behind. Only a SHA-256 of the link's token is
    stored; the token itself exists only in the email.
    """

    email = models.EmailField("email address")
    display_name = models.CharField(max_length=120)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT)
    # For a client: the therapist whose caseload they join (a case is opened on acceptance).
    therapist = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="client_invitations",
        limit_choices_to={"role": Role.THERAPIST, "is_active": True},
    )
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The account made when it was accepted.
    user = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="invitation",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["therapist", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invitation_role_is_known"
            ),
            # A client joins a therapist's caseload; nobody else is invited "for" one.
            models.CheckConstraint(
                condition=models.Q(role=Role.CLIENT, therapist__isnull=False)
                | (~models.Q(role=Role.CLIENT) & models.Q(therapist__isnull=True)),
                name="invitation_client_has_therapist",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.display_name} ({self.get_role_display().lower()})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "cancelled"
        if self.is_expired:
            return "expired"
        return "pending"
