"""Two-step sign-in on the real path: the password form, then the code page (or setting up
an app), with nothing else reachable in between.

These tests are marked `real_two_step`: `force_login` here stops before the code step, as
the password form does.
"""

from __future__ import annotations

import logging
from binascii import unhexlify
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rupturelog.accounts.models import Role, User
from rupturelog.audit.models import AccessEvent
from rupturelog.mfa import services
from rupturelog.mfa.views import FRESH_CODES, SETUP_SECRET
from tests import factories
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_step]

HTMX = {"HTTP_HX_REQUEST": "true"}


def password_step(user: User, next_url: str = "") -> Client:
    """A browser that has just passed the password form."""
    client = Client()
    data = {"username": user.email, "password": factories.PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, "the password was not accepted"
    return client


def device_of(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def send_code(client: Client, code: str, next_url: str = "/") -> object:
    return client.post(reverse("mfa_verify"), {"code": code, "next": next_url})


def goes_to(response, url_name: str) -> str:
    """The `next` of a redirect to the named page (fails if it goes anywhere else)."""
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == reverse(url_name)
    return parse_qs(location.query).get("next", [""])[0]


def is_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# --- The code step --------------------------------------------------------------------------


def test_after_the_password_a_therapist_is_asked_for_a_code(cast: Cast) -> None:
    client = password_step(cast.therapist_a)

    assert goes_to(client.get(reverse("home")), "mfa_verify") == "/"
    page = client.get(reverse("mfa_verify"))
    assert page.status_code == 200
    assert "<h1>Two-step sign-in</h1>" in page.content.decode()


def test_the_right_code_lets_them_in_and_back_to_the_page_they_asked_for(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    wanted = reverse("case_detail", args=[cast.case_a.pk])
    back = goes_to(client.get(wanted), "mfa_verify")
    assert back == wanted

    response = send_code(client, factories.totp_code(device_of(cast.therapist_a)), back)

    assert response.status_code == 302 and response["Location"] == wanted
    assert client.get(wanted).status_code == 200
    assert is_verified(client)


def test_a_wrong_code_is_refused_with_a_message(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    right = factories.totp_code(device_of(cast.therapist_a))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = send_code(client, wrong)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert goes_to(client.get(reverse("home")), "mfa_verify") == "/"


@pytest.mark.parametrize("typed", ["", "   ", "12345", "1234567", "abcdef", "x" * 40, "١٢٣٤٥٦"])
def test_malformed_codes_get_a_message_not_an_error(cast: Cast, typed: str) -> None:
    client = password_step(cast.therapist_a)

    response = send_code(client, typed)

    assert response.status_code in (200, 429)
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()
    assert not is_verified(client)


def test_a_code_is_good_for_one_login_only(cast: Cast) -> None:
    device = device_of(cast.therapist_a)
    code = factories.totp_code(device)
    first, second = password_step(cast.therapist_a), password_step(cast.therapist_a)

    assert send_code(first, code).status_code == 302
    replay = send_code(second, code)

    assert replay.status_code == 200 and not is_verified(second)


def test_wrong_codes_in_a_row_make_the_next_try_wait(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    device = device_of(cast.therapist_a)
    right = factories.totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    send_code(client, wrong)
    throttled = send_code(client, factories.totp_code(device))  # right, but too soon

    assert throttled.status_code == 429
    assert "Too many wrong codes in a row. Wait" in throttled.content.decode()
    assert not is_verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a throttled try is not even checked


def test_the_wait_doubles_with_each_wrong_code(cast: Cast) -> None:
    device = device_of(cast.therapist_a)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=4)
    device.refresh_from_db()
    device.throttle_increment()  # the fifth wrong code in a row, just now

    check = services.check_code(cast.therapist_a, factories.totp_code(device))

    assert check.device is None and 15 <= check.wait_seconds <= 16


def test_a_backup_code_works_once(cast: Cast) -> None:
    codes = services.new_backup_codes(cast.therapist_a)
    first, second = password_step(cast.therapist_a), password_step(cast.therapist_a)

    # As people type it: upper case, with a space.
    typed = f"{codes[0][:4].upper()} {codes[0][4:]}"
    assert send_code(first, typed).status_code == 302 and is_verified(first)
    assert send_code(second, codes[0]).status_code == 200 and not is_verified(second)
    assert services.backup_codes_left(cast.therapist_a) == len(codes) - 1


def test_the_next_address_must_be_one_of_ours(cast: Cast) -> None:
    client = password_step(cast.therapist_a)

    response = send_code(
        client, factories.totp_code(device_of(cast.therapist_a)), "https://evil.example/"
    )

    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_htmx_requests_before_the_code_are_sent_to_the_code_page_as_a_whole_page(
    cast: Cast,
) -> None:
    client = password_step(cast.therapist_a)
    current = f"http://testserver{cast.session_a.get_absolute_url()}"

    response = client.get(reverse("inbox_badge"), HTTP_HX_CURRENT_URL=current, **HTMX)

    assert response.status_code == 204
    location = urlsplit(response["HX-Redirect"])
    assert location.path == reverse("mfa_verify")
    assert parse_qs(location.query)["next"] == [cast.session_a.get_absolute_url()]


def test_logging_out_works_before_the_code(cast: Cast) -> None:
    client = password_step(cast.therapist_a)

    assert client.post(reverse("logout")).status_code == 302
    assert goes_to(client.get(reverse("home")), "login") == "/"


def test_the_code_page_shows_no_inbox_badge_or_admin_link(cast: Cast) -> None:
    page = password_step(cast.admin).get(reverse("mfa_verify")).content.decode()

    assert "inbox-badge" not in page and reverse("admin:index") not in page
    assert "Log out" in page


# --- Nothing but the code step before the code -----------------------------------------------


def _every_url(cast: Cast) -> list[str]:
    from tests.test_authorization_matrix import ROUTES, url_for

    return [url_for(route, "a" if route.ids else None, cast) for route in ROUTES]


OPEN_BEFORE_THE_CODE = {"logout", "healthz", "readyz"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_url_of_the_app_opens_before_the_code(cast: Cast, method: str) -> None:
    client = password_step(cast.therapist_a)
    extra = [
        "/admin/accounts/user/",
        f"/admin/accounts/user/{cast.client_a.pk}/change/",
        "/no-such-page/",
    ]
    for url in _every_url(cast) + extra:
        name = _name(url)
        if name in OPEN_BEFORE_THE_CODE or name == "mfa_verify":
            continue
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert urlsplit(response["Location"]).path == reverse("mfa_verify"), url
    assert not AccessEvent.objects.filter(user=cast.therapist_a).exists()
    assert not is_verified(client)


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_url_of_the_app_opens_before_a_clinician_sets_up_an_app(method: str, cast: Cast) -> None:
    newcomer = factories.make_therapist(two_step=False)
    factories.make_case(factories.make_client(), newcomer)
    client = password_step(newcomer)
    for url in [*_every_url(cast), "/admin/", "/no-such-page/"]:
        name = _name(url)
        if name in OPEN_BEFORE_THE_CODE | {"mfa_enrol", "mfa_backup_codes"}:
            continue
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert urlsplit(response["Location"]).path == reverse("mfa_enrol"), url
    assert not AccessEvent.objects.filter(user=newcomer).exists()


def _name(url: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def test_the_admin_itself_refuses_a_session_without_the_code(cast: Cast, settings) -> None:
    # Without the middleware, the admin's own permission check still says no.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("TwoStepMiddleware")]
    client = password_step(cast.admin)

    assert goes_to(client.get(reverse("admin:index")), "admin:login") == reverse("admin:index")
    send_code(client, factories.totp_code(device_of(cast.admin)))
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_clinician_with_an_app_cannot_replace_it_without_the_code(cast: Cast, settings) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("TwoStepMiddleware")]
    client = password_step(cast.therapist_a)

    assert goes_to(client.get(reverse("mfa_enrol")), "mfa_verify") == reverse("mfa_enrol")
    assert client.post(reverse("mfa_enrol"), {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=cast.therapist_a).count() == 1


# --- Setting up ------------------------------------------------------------------------------


def code_for_setup(client: Client) -> str:
    return f"{totp(unhexlify(client.session[SETUP_SECRET])):06d}"


def test_a_clinician_without_an_app_sets_one_up_before_anything_else(cast: Cast) -> None:
    newcomer = factories.make_supervisor(cast.therapist_a, two_step=False)
    client = password_step(newcomer, next_url="/review/")
    back = goes_to(client.get("/review/"), "mfa_enrol")

    page = client.get(reverse("mfa_enrol"), {"next": back})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'class="qr"' in html and "style=" not in html
    assert "data:" not in html and "otpauth://" not in html  # drawn here, shown only as a picture
    secret = client.session[SETUP_SECRET]
    assert services.secret_for_typing(secret) in html

    wrong = client.post(
        reverse("mfa_enrol"), {"code": "000000" if code_for_setup(client) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=newcomer).exists()

    done = client.post(reverse("mfa_enrol"), {"code": code_for_setup(client), "next": back})
    assert done.status_code == 303
    assert urlsplit(done["Location"]).path == reverse("mfa_backup_codes")
    shown = client.get(done["Location"]).content.decode()
    codes = list(StaticToken.objects.filter(device__user=newcomer).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in shown for code in codes)
    assert 'href="/review/"' in shown
    # Shown once: the next visit only counts them.
    again = client.get(reverse("mfa_backup_codes")).content.decode()
    assert not any(code in again for code in codes) and "10 unused backup codes" in again

    assert device_of(newcomer).key == secret
    assert client.get("/review/").status_code == 200


def test_the_code_that_confirmed_the_app_cannot_log_in_again(db) -> None:
    newcomer = factories.make_admin(two_step=False)
    client = password_step(newcomer)
    code = code_for_setup(client) if client.get(reverse("mfa_enrol")).status_code == 200 else ""
    client.post(reverse("mfa_enrol"), {"code": code})

    later = password_step(newcomer)
    assert send_code(later, code).status_code == 200 and not is_verified(later)


def test_the_setup_secret_stays_the_same_until_confirmed(db) -> None:
    client = password_step(factories.make_therapist(two_step=False))
    client.get(reverse("mfa_enrol"))
    first = client.session[SETUP_SECRET]
    client.get(reverse("mfa_enrol"))
    assert client.session[SETUP_SECRET] == first


def test_replacing_the_app_retires_the_old_one_and_keeps_the_backup_codes(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    old = device_of(cast.therapist_a)
    send_code(client, factories.totp_code(old))
    services.new_backup_codes(cast.therapist_a)
    page = client.get(reverse("mfa_enrol")).content.decode()
    assert "Replace your authenticator app" in page

    response = client.post(reverse("mfa_enrol"), {"code": code_for_setup(client)})

    assert response.status_code == 303 and response["Location"] == reverse("mfa_settings")
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert device_of(cast.therapist_a).pk != old.pk
    assert services.backup_codes_left(cast.therapist_a) == 10
    assert client.get(reverse("home")).status_code == 200  # still verified, with the new app


def test_new_backup_codes_replace_the_old_ones(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    send_code(client, factories.totp_code(device_of(cast.therapist_a)))
    old = services.new_backup_codes(cast.therapist_a)

    response = client.post(reverse("mfa_backup_codes"))

    assert response.status_code == 303
    shown = client.get(response["Location"]).content.decode()
    new = list(
        StaticToken.objects.filter(device__user=cast.therapist_a).values_list("token", flat=True)
    )
    assert len(new) == 10 and all(code in shown for code in new)
    assert not set(old) & set(new)
    assert StaticDevice.objects.filter(user=cast.therapist_a).count() == 1


# --- Clients: optional -----------------------------------------------------------------------


def test_a_client_without_two_step_logs_in_with_the_password_alone(cast: Cast) -> None:
    client = password_step(cast.client_a)

    assert client.get(reverse("home")).status_code == 200
    settings_page = client.get(reverse("mfa_settings")).content.decode()
    assert "Two-step sign-in (optional)" in settings_page and "Off." in settings_page


def test_a_client_can_turn_it_on_and_is_then_asked_for_a_code(cast: Cast) -> None:
    client = password_step(cast.client_a)
    client.get(reverse("mfa_enrol"))
    done = client.post(reverse("mfa_enrol"), {"code": code_for_setup(client)})
    assert done.status_code == 303

    later = password_step(cast.client_a)
    assert goes_to(later.get(reverse("home")), "mfa_verify") == "/"


def test_a_client_can_turn_it_off(cast: Cast) -> None:
    device = factories.add_authenticator(cast.client_a)
    services.new_backup_codes(cast.client_a)
    client = password_step(cast.client_a)
    send_code(client, factories.totp_code(device))

    response = client.post(reverse("mfa_disable"))

    assert response.status_code == 303 and response["Location"] == reverse("mfa_settings")
    assert not TOTPDevice.objects.filter(user=cast.client_a).exists()
    assert not StaticDevice.objects.filter(user=cast.client_a).exists()
    assert client.get(reverse("home")).status_code == 200
    assert password_step(cast.client_a).get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.SUPERVISOR, Role.ADMIN])
def test_clinicians_and_administrators_cannot_turn_it_off(role: str) -> None:
    user = factories.make_user(role)
    client = password_step(user)
    send_code(client, factories.totp_code(device_of(user)))

    assert "Turn off" not in client.get(reverse("mfa_settings")).content.decode()
    assert client.post(reverse("mfa_disable")).status_code == 404
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_a_client_staff_member_needs_it_like_an_administrator(db) -> None:
    assert services.is_required(factories.make_client(is_staff=True))
    assert not services.is_required(factories.make_client())


# --- Log lines -------------------------------------------------------------------------------


def test_logins_codes_and_set_up_are_logged_without_secrets(cast: Cast, caplog) -> None:
    caplog.set_level(logging.INFO, logger="rupturelog.mfa")
    device = device_of(cast.therapist_a)
    client = password_step(cast.therapist_a)
    right = factories.totp_code(device)
    send_code(client, f"{(int(right) + 1) % 1_000_000:06d}")
    device.throttle_reset()
    send_code(client, right)
    codes = services.new_backup_codes(cast.therapist_a)
    client.post(reverse("logout"))

    text = caplog.text
    for expected in (
        f"login: user {cast.therapist_a.pk} passed the password step",
        f"wrong app code for user {cast.therapist_a.pk}",
        f"user {cast.therapist_a.pk} verified with app code",
        f"new backup codes for user {cast.therapist_a.pk}",
        f"logout: user {cast.therapist_a.pk}",
    ):
        assert expected in text
    assert right not in text and device.key not in text
    assert cast.therapist_a.email not in text
    assert not any(code in text for code in codes)


def test_fresh_backup_codes_leave_the_session_once_shown(cast: Cast) -> None:
    client = password_step(cast.therapist_a)
    send_code(client, factories.totp_code(device_of(cast.therapist_a)))
    client.post(reverse("mfa_backup_codes"))
    assert FRESH_CODES in client.session
    client.get(reverse("mfa_backup_codes"))
    assert FRESH_CODES not in client.session


# --- Resetting a lost app from the admin -------------------------------------------------


def test_the_admin_lists_devices_without_their_secrets_and_can_reset_one(cast: Cast) -> None:
    root = factories.make_admin(is_superuser=True)
    admin = password_step(root)
    send_code(admin, factories.totp_code(device_of(root)))
    lost = device_of(cast.therapist_a)
    codes = services.new_backup_codes(cast.therapist_a)

    listing = admin.get(reverse("admin:otp_totp_totpdevice_changelist"))
    change = admin.get(reverse("admin:otp_totp_totpdevice_change", args=[lost.pk]))
    static = StaticDevice.objects.get(user=cast.therapist_a)
    backup = admin.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))

    assert listing.status_code == change.status_code == backup.status_code == 200
    pages = listing.content.decode() + change.content.decode() + backup.content.decode()
    assert lost.key not in pages and services.secret_for_typing(lost.key) not in pages
    assert not any(code in pages for code in codes)
    assert "qrcode" not in pages

    deleted = admin.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    # At the next login, the therapist is sent to set up a new app.
    assert goes_to(password_step(cast.therapist_a).get("/"), "mfa_enrol") == "/"
