from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoDbBlocker

from rupturelog.accounts.models import User
from sessions.models import Case, TherapySession
from tests import factories

MATRIX_COUNT = pytest.StashKey[dict[str, int]]()
T = TypeVar("T")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "authorization_matrix: a who-may-see-what case, counted in the summary"
    )
    config.addinivalue_line(
        "markers", "real_two_step: force_login leaves the session before the code step"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    counts: dict[str, int] = {}
    for item in items:
        if item.get_closest_marker("authorization_matrix"):
            name = getattr(item, "originalname", item.name)
            counts[name] = counts.get(name, 0) + 1
    config.stash[MATRIX_COUNT] = counts


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    # The size of the access matrix is a number people quote; print it with every run.
    counts = config.stash.get(MATRIX_COUNT, {})
    if counts:
        detail = ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()))
        terminalreporter.write_line(
            f"authorization matrix: {sum(counts.values())} cases ({detail})"
        )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Argon2 is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pass_two_step(client: Client, user: User) -> None:
    """Mark the client's session as past the code step with the person's authenticator app
    (what `django_otp.login` records), if they have one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


_plain_force_login = Client.force_login
_real_two_step = False  # set while a test marked real_two_step runs


def _force_login_past_the_code_step(self: Client, user: User, backend: str | None = None) -> None:
    _plain_force_login(self, user, backend)
    if not _real_two_step:
        pass_two_step(self, user)


@pytest.fixture(autouse=True, scope="session")
def _force_login_passes_two_step() -> Iterator[None]:
    """`client.force_login(user)` logs in as if the person had also typed their code: the
    login flow is not what those tests are about. Session-wide, so module-scoped fixtures
    that log people in get it too. Tests of the code step itself (tests/rupturelog/mfa/) are marked
    `real_two_step` and get Django's plain force_login."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", _force_login_past_the_code_step)
        yield


@pytest.fixture(autouse=True)
def _real_two_step_when_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    global _real_two_step
    _real_two_step = request.node.get_closest_marker("real_two_step") is not None
    yield
    _real_two_step = False


# The shared cast: two courses of therapy (A and B) with different therapists, each
# therapist with their own supervisor, an administrator, and a deactivated second client of
# A's therapist who still has a case. Every access test speaks in these persona names.
PERSONAS = (
    "anonymous",
    "client_a",
    "client_b",
    "therapist_a",
    "therapist_b",
    "supervisor_a",
    "supervisor_b",
    "admin",
    "inactive",
)


@dataclass
class Cast:
    client_a: User
    client_b: User
    therapist_a: User
    therapist_b: User
    supervisor_a: User
    supervisor_b: User
    admin: User
    inactive: User
    case_a: Case
    case_b: Case
    case_inactive: Case
    session_a: TherapySession
    session_b: TherapySession
    session_inactive: TherapySession
    # Personas logged in once for a whole module (see `module_cast`): persona -> session key.
    # Empty for a per-test cast, whose clients log in afresh.
    session_keys: dict[str, str] = field(default_factory=dict)

    def persona(self, name: str) -> User | None:
        """The user behind a persona name; None for "anonymous"."""
        if name == "anonymous":
            return None
        return getattr(self, name)

    def client_for(self, name: str, **headers: str) -> Client:
        """A test client logged in as the persona (force_login: the login flow is not
        what these tests are about; it includes the code step, see the fixture above).
        """
        user = self.persona(name)
        if user is not None and name in self.session_keys:
            return client_with_session(self.session_keys[name], **headers)
        client = Client(**headers)
        if user is not None:
            client.force_login(user)
        return client


def build_cast() -> Cast:
    therapist_a = factories.make_therapist(display_name="Theo Marsh")
    therapist_b = factories.make_therapist(display_name="Tamsin Vale")
    client_a = factories.make_client(display_name="Ada Quillfeather")
    client_b = factories.make_client(display_name="Bea Rookwood")
    inactive = factories.make_client(display_name="Cyril Dormant")
    case_a = factories.make_case(client_a, therapist_a)
    case_b = factories.make_case(client_b, therapist_b)
    case_inactive = factories.make_case(inactive, therapist_a)
    # Deactivated after their case was opened: the record stays, the login does not.
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    return Cast(
        client_a=client_a,
        client_b=client_b,
        therapist_a=therapist_a,
        therapist_b=therapist_b,
        supervisor_a=factories.make_supervisor(therapist_a, display_name="Sol Harrow"),
        supervisor_b=factories.make_supervisor(therapist_b, display_name="Suki Penn"),
        admin=factories.make_admin(display_name="Ava Admin"),
        inactive=inactive,
        case_a=case_a,
        case_b=case_b,
        case_inactive=case_inactive,
        session_a=factories.make_session(case_a),
        session_b=factories.make_session(case_b),
        session_inactive=factories.make_session(case_inactive),
    )


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


# --- Data shared by a whole module ------------------------------------------------------
#
# As Django's TestCase.setUpTestData does: the data is built once, inside a transaction that
# is rolled back when the module ends; each test runs in its own savepoint inside it (the
# `db` fixture), so what one test writes never reaches the next; and each test gets its own
# deep copy of the model instances (`fresh_copy`), so what one test changes in memory does
# not either. Transactional tests cannot run inside that open transaction: keep them in
# modules that share nothing (the guard below fails them if they do not).

_shared_layers = 0  # module-wide transactions open now


@contextmanager
def rolled_back_at_the_end(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """For module-scoped data: database access outside a test, in a transaction that is
    rolled back when the block ends. Tests using such data also take `db`, so what each test
    writes goes with its own savepoint."""
    global _shared_layers
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        _shared_layers += 1
        try:
            yield
        finally:
            _shared_layers -= 1
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_transactional_test_inside_shared_data(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional and _shared_layers:
        pytest.fail(
            "A transactional test ran while a module's shared data was open (its transaction "
            "would hold this test's writes): build that module's data per test instead."
        )


def fresh_copy(shared: T) -> T:
    """Each test's own copy of module-wide data (what Django's TestData does per test): the
    same rows, fresh instances, so caches or attributes a test changes stay with that test."""
    return copy.deepcopy(shared)


def sign_in_once(user: User) -> str:
    """Log the person in (past the code step, as `force_login` does in tests) and return the
    session key. Made in module-wide data, the session row outlives every test's savepoint:
    a test that logs out or changes the session has that rolled back after it."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_with_session(session_key: str, **headers: str) -> Client:
    """A fresh test client carrying a session made by `sign_in_once`."""
    client = Client(**headers)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def sign_everyone_in(users: Iterable[User]) -> dict[int, str]:
    """`sign_in_once` for each person: user id -> session key."""
    return {user.pk: sign_in_once(user) for user in users}


@pytest.fixture(scope="module")
def module_cast(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Cast]:
    """The shared cast built once for a module, every persona already logged in. A module
    uses it by overriding `cast` with `fresh_copy(module_cast)` (and `db`)."""
    with rolled_back_at_the_end(django_db_blocker):
        cast = build_cast()
        cast.session_keys = {
            name: sign_in_once(user)
            for name in PERSONAS
            if (user := cast.persona(name)) is not None
        }
        yield cast
