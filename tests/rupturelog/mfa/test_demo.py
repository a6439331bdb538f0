"""The demo practice under `make run` (DEBUG): its clinicians can pass two-step sign-in with
the printed key or `manage.py demo_code`; nothing of this works without DEBUG."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from repairs.demo import DEMO_DOMAIN, DEMO_LOGINS, DEMO_PASSWORD
from rupturelog.accounts.models import User
from rupturelog.mfa import services
from rupturelog.mfa.demo import demo_secret

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_step]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_under_debug_the_demo_therapist_signs_in_with_demo_code(settings) -> None:
    settings.DEBUG = True
    output = run("seed_demo", "--if-empty")
    therapist = DEMO_LOGINS["therapist"]
    key = services.secret_for_typing(demo_secret(therapist))
    assert key in output and "make demo-code" in output
    staff = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(role="client")
    assert all(TOTPDevice.objects.filter(user=u, confirmed=True).exists() for u in staff)
    assert not TOTPDevice.objects.filter(user__role="client").exists()

    browser = Client()
    browser.post(reverse("login"), {"username": therapist, "password": DEMO_PASSWORD})
    code = re.match(r"(\d{6}) ", run("demo_code", therapist))[1]
    response = browser.post(reverse("mfa_verify"), {"code": code, "next": "/"})

    assert response.status_code == 302 and browser.get("/").status_code == 200
    # Idempotent: the second run adds no device and prints the same keys.
    again = run("seed_demo", "--if-empty")
    assert key in again and TOTPDevice.objects.count() == staff.count()


def test_without_debug_the_demo_gets_no_devices_and_demo_code_refuses(settings) -> None:
    settings.DEBUG = False
    output = run("seed_demo", "--if-empty")

    assert "demo_code" not in output and not TOTPDevice.objects.exists()
    with pytest.raises(CommandError, match="only in development"):
        run("demo_code", DEMO_LOGINS["therapist"])


def test_demo_code_names_a_login_without_an_app(settings, db) -> None:
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no authenticator app"):
        run("demo_code", "nobody@example.org")
