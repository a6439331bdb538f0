"""Two-step sign-in: who needs it, the devices behind it, and checking a code.

The devices are django-otp's: a `TOTPDevice` (the authenticator app) and a `StaticDevice`
holding the one-time backup codes. django-otp throttles wrong codes per device (1 s, 2 s,
4 s... after each failure in a row) and refuses a code from a time step already used.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rupturelog.accounts.models import Role, User

log = logging.getLogger("rupturelog.mfa")
# django-otp ships no type information: the bool(), int() and str() around some of its calls
# below only name, for the type checker, what they return.

# Clinicians and administrators see clinical data or accounts: a password alone is not
# enough for them. Clients may turn it on.
REQUIRED_ROLES = frozenset({Role.THERAPIST, Role.SUPERVISOR, Role.ADMIN})
BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# Accepts a code from the step before or after the current one (phone clocks drift).
TOLERANCE = 1
SIX_DIGITS = re.compile(r"^\d{6}$")


def is_required(user: User) -> bool:
    """Whether this person must use two-step sign-in (anyone who can reach the admin too)."""
    return user.role in REQUIRED_ROLES or user.is_staff or user.is_superuser


def app_device(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_two_step(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def backup_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


# --- Setting up -------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh TOTP secret: 20 random bytes, hex-encoded as django-otp stores it."""
    return secrets.token_hex(20)


def secret_for_typing(secret_hex: str) -> str:
    """The secret as an authenticator app asks for it: base32, in groups of four."""
    text = b32encode(unhexlify(secret_hex)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def setup_url(user: User, secret_hex: str) -> str:
    """The otpauth:// address the QR code carries (django-otp builds it, with the issuer)."""
    return str(TOTPDevice(user=user, key=secret_hex).config_url)


def qr_svg(url: str) -> SafeString:
    """The QR code as inline SVG, drawn here by segno (nothing is sent anywhere).

    The page's CSP forbids style attributes; segno draws with presentation attributes
    (stroke, fill), which the CSP allows. Checked, not assumed."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5,
        border=4,
        dark="#1d1d1f",
        light="#ffffff",
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    if "style=" in svg or "<script" in svg:
        raise ValueError("segno's SVG carries a style attribute or script; the CSP forbids it")
    label = escape("QR code to scan with your authenticator app")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308 - segno's own markup, checked above


def matching_step(secret_hex: str, code: str, *, after: int = -1) -> int | None:
    """The time step at which `code` is right for this secret, or None."""
    code = normalise(code)
    if not SIX_DIGITS.match(code):
        return None
    totp = TOTP(unhexlify(secret_hex))
    totp.time = time.time()
    if totp.verify(int(code), TOLERANCE, after + 1):
        return int(totp.t())
    return None


@transaction.atomic
def confirm_app(user: User, secret_hex: str, used_step: int) -> tuple[TOTPDevice, bool]:
    """Save the authenticator app the person just proved they hold; any earlier app stops
    working. Returns the device and whether it replaced one."""
    replaced = TOTPDevice.objects.filter(user=user).delete()[0] > 0
    device = TOTPDevice.objects.create(
        user=user,
        name=APP_DEVICE_NAME,
        key=secret_hex,
        confirmed=True,
        # The code typed to confirm cannot be used again to log in.
        last_t=used_step,
    )
    log.info("two-step: %s app for user %s", "replaced" if replaced else "set up", user.pk)
    return device, replaced


@transaction.atomic
def new_backup_codes(user: User) -> list[str]:
    """Ten new one-time backup codes; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    log.info("two-step: new backup codes for user %s", user.pk)
    return codes


@transaction.atomic
def turn_off(user: User) -> None:
    """Remove the authenticator app and the backup codes (clients only: the views check)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log.info("two-step: turned off by user %s", user.pk)


# --- Checking a code --------------------------------------------------------------------


def normalise(code: str) -> str:
    """What people type: spaces and dashes dropped, letters lower-cased."""
    return re.sub(r"[\s-]+", "", code).lower()


@dataclass(frozen=True)
class Check:
    device: TOTPDevice | StaticDevice | None = None
    wait_seconds: int = 0  # > 0: too many wrong codes in a row; nothing was checked

    @property
    def throttled(self) -> bool:
        return self.wait_seconds > 0


@transaction.atomic
def check_code(user: User, raw: str) -> Check:
    """Check a code from the app (6 digits) or a backup code (used up if right).

    The device row is locked while it is checked, so two requests racing with the same
    code cannot both pass."""
    code = normalise(raw)
    model, method = (TOTPDevice, "app") if SIX_DIGITS.match(code) else (StaticDevice, "backup")
    device = (
        model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
    )
    if device is None:
        log.info("two-step: %s code refused for user %s (none set up)", method, user.pk)
        return Check()
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        wait = (locked_until - timezone.now()).total_seconds() if locked_until else 1
        log.warning("two-step: user %s throttled after wrong codes", user.pk)
        return Check(wait_seconds=max(1, int(wait + 0.999)))
    if device.verify_token(code):
        log.info("two-step: user %s verified with %s code", user.pk, method)
        return Check(device=device)
    log.info(
        "two-step: wrong %s code for user %s (%d in a row)",
        method,
        user.pk,
        device.throttling_failure_count,
    )
    return Check()
