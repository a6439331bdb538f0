"""No self-registration: the only way in for someone without an account is an invitation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rupturelog.accounts.models import User
from sessions.models import Case
from tests import factories
from tests.conftest import Cast
from tests.test_authorization_matrix import ROUTES, Route

pytestmark = pytest.mark.django_db

# Everything a sign-up form anywhere could be looking for, in one POST.
SIGN_UP = {
    "email": "walk.in@example.org",
    "username": "walk.in@example.org",
    "display_name": "Walk In",
    "role": "therapist",
    "password": "quiet harbour lantern seven",
    "password1": "quiet harbour lantern seven",
    "password2": "quiet harbour lantern seven",
    "new_password1": "quiet harbour lantern seven",
    "new_password2": "quiet harbour lantern seven",
}
INVITATION_ONLY = {"invite_accept"}


def _url(route: Route, cast: Cast) -> str:
    if route.name == "invite_accept":
        return reverse(route.name, args=[factories.make_invitation(cast.therapist_a)[1]])
    if route.name == "password_reset_confirm":
        return reverse(route.name, kwargs={"uidb64": "MQ", "token": "set-password"})
    return reverse(route.name, kwargs=dict.fromkeys(route.ids, 1))


def test_no_url_is_named_like_a_sign_up_page() -> None:
    words = ("signup", "sign_up", "register", "join", "create_account")
    assert not [r.name for r in ROUTES if any(word in r.name.lower() for word in words)]


@pytest.mark.parametrize(
    "route", [*ROUTES, Route("admin:accounts_user_add", ())], ids=lambda r: r.name
)
def test_no_url_makes_an_account_for_someone_logged_out(cast: Cast, route: Route) -> None:
    url = _url(route, cast)
    users, cases = User.objects.count(), Case.objects.count()

    Client().post(url, SIGN_UP)

    created = User.objects.count() - users
    if route.name in INVITATION_ONLY:
        # The invitation's own account, and its case with the inviting therapist.
        assert (created, Case.objects.count() - cases) == (1, 1)
        assert User.objects.get(email__startswith="invited").role == "client"
    else:
        assert created == 0, f"{route.name} made an account for an anonymous POST"
    assert not User.objects.filter(email="walk.in@example.org").exists()


def test_the_login_page_says_how_to_get_an_account(client: Client) -> None:
    page = client.get(reverse("login")).content.decode()
    assert "Accounts are created by invitation from your practice" in page
