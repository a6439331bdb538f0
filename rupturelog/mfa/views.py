"""The pages of two-step sign-in: the code after the password, setting up an authenticator
app, the backup codes, and (for clients, for whom it is optional) turning it off."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from rupturelog.accounts import notices
from rupturelog.http import AuthenticatedHttpRequest, posted, see_other
from rupturelog.mfa import services
from rupturelog.mfa.forms import CodeForm, ConfirmAppForm

# Session keys (names, not secrets): the secret being set up, until its first code is right,
# and new backup codes, shown once on the next backup-codes page.
SETUP_SECRET = "mfa_setup_secret"  # noqa: S105
FRESH_CODES = "mfa_fresh_backup_codes"


def _next(request: HttpRequest) -> str:
    """Where to go after this step: the page first asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The code step after the password, for anyone with an authenticator app."""
    user = request.user
    next_url = _next(request)
    if user.is_verified() or not services.has_two_step(user):
        return HttpResponseRedirect(next_url)
    form = CodeForm(posted(request))
    status = 200
    if form.is_valid():
        check = services.check_code(user, form.cleaned_data["code"])
        if check.device is not None:
            # A new session id for the stronger login, as Django does at the password step.
            request.session.cycle_key()
            django_otp.login(request, check.device)
            if isinstance(check.device, StaticDevice):
                left = services.backup_codes_left(user)
                messages.warning(
                    request,
                    f"You used a backup code; {left} left. Generate new ones from "
                    "Two-step sign-in if you are running low.",
                )
            return HttpResponseRedirect(next_url)
        if check.throttled:
            status = 429
            form.add_error(
                None,
                f"Too many wrong codes in a row. Wait {check.wait_seconds} "
                f"second{'s' if check.wait_seconds != 1 else ''}, then try the newest code.",
            )
        else:
            form.add_error(
                "code",
                "That code is not right, or it was already used. Type the newest six-digit "
                "code from your app, or one of your backup codes.",
            )
    return render(request, "mfa/verify.html", {"form": form, "next": next_url}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then prove it with
    the first code. For someone who already has one, this replaces it."""
    user = request.user
    replacing = services.has_two_step(user)
    if replacing and not user.is_verified():
        # Only the holder of the current app may replace it (the middleware sends such a
        # session to the code page already; this view does not rely on that).
        return HttpResponseRedirect(_with_next("mfa_verify", request.get_full_path()))
    next_url = _next(request)
    secret = request.session.get(SETUP_SECRET)
    if not isinstance(secret, str) or len(secret) != 40:
        secret = request.session[SETUP_SECRET] = services.new_secret()
    form = ConfirmAppForm(posted(request))
    if form.is_valid():
        step = services.matching_step(secret, form.cleaned_data["code"])
        if step is not None:
            device, _ = services.confirm_app(user, secret, step)
            notices.sign_in_changed(user, notices.APP_REPLACED if replacing else notices.APP_SET_UP)
            del request.session[SETUP_SECRET]
            request.session.cycle_key()
            django_otp.login(request, device)
            if services.backup_codes_left(user) == 0:
                request.session[FRESH_CODES] = services.new_backup_codes(user)
                return see_other(_with_next("mfa_backup_codes", next_url))
            messages.success(
                request,
                "Your new authenticator app is set up; the old one no longer works. "
                "Your backup codes still work.",
            )
            return see_other("mfa_settings")
        form.add_error(
            "code",
            "That code does not match. Check the app shows RuptureLog with your email, and "
            "type the six digits it shows now (they change every 30 seconds).",
        )
    context = {
        "form": form,
        "next": next_url,
        "replacing": replacing,
        "required": services.is_required(user),
        "qr": services.qr_svg(services.setup_url(user, secret)),
        "secret": services.secret_for_typing(secret),
    }
    return render(request, "mfa/enrol.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New backup codes (POST), shown once on the page that follows (GET)."""
    user = request.user
    has_app = services.has_two_step(user)
    if request.method == "POST":
        if not has_app:
            messages.error(request, "Set up an authenticator app first; backup codes come with it.")
            return see_other("mfa_settings")
        request.session[FRESH_CODES] = services.new_backup_codes(user)
        notices.sign_in_changed(user, notices.BACKUP_CODES_REPLACED)
        return see_other(_with_next("mfa_backup_codes", _next(request)))
    codes = request.session.pop(FRESH_CODES, None) if has_app else None
    context = {
        "codes": codes if isinstance(codes, list) else None,
        "left": services.backup_codes_left(user),
        "has_app": has_app,
        "next": _next(request),
    }
    return render(request, "mfa/backup_codes.html", context)


@login_required
@require_http_methods(["GET"])
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    device = services.app_device(user)
    context = {
        "device": device,
        "left": services.backup_codes_left(user) if device else 0,
        "required": services.is_required(user),
    }
    return render(request, "mfa/settings.html", context)


@login_required
@require_POST
def turn_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Clients only: for clinicians and administrators it is required (they may only
    replace their app)."""
    user = request.user
    if services.is_required(user):
        raise Http404
    if not services.has_two_step(user):
        messages.info(request, "Two-step sign-in is already off.")
        return see_other("mfa_settings")
    services.turn_off(user)
    notices.sign_in_changed(user, notices.TWO_STEP_OFF)
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    messages.success(request, "Two-step sign-in is off. You will log in with your password alone.")
    return see_other("mfa_settings")
