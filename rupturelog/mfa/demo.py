"""Two-step sign-in for the fictional demo practice (`make run`, DEBUG only).

The demo's clinicians and administrator get an authenticator app with a fixed secret,
derived from their email, so that a newcomer can sign in: add the printed key to an
authenticator app, or ask `manage.py demo_code <email>` for the current code. These secrets
are public by design, like the demo password; nothing here runs outside DEBUG.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rupturelog.accounts.models import User
from rupturelog.mfa import services


def demo_secret(email: str) -> str:
    """A fixed, fictional 20-byte secret (hex, as django-otp stores it) for a demo login."""
    return hashlib.sha256(f"RuptureLog demo two-step {email.lower()}".encode()).hexdigest()[:40]


def _require_debug() -> None:
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo two-step secrets exist only with DJANGO_DEBUG on.")


def enrol_demo_staff(domain: str) -> int:
    """Give every demo clinician and administrator without an app the demo one. Idempotent;
    returns how many were enrolled."""
    _require_debug()
    added = 0
    for user in User.objects.filter(email__endswith=f"@{domain}", is_active=True):
        if services.is_required(user) and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(
                user=user,
                name=services.APP_DEVICE_NAME,
                key=demo_secret(user.email),
                confirmed=True,
            )
            added += 1
    return added


def current_code(device: TOTPDevice) -> tuple[str, int]:
    """The code the person's app shows now, and for how many more seconds."""
    _require_debug()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}", device.step - int(time.time() - device.t0) % device.step
