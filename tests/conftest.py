from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rupturelog.accounts.models import User
from sessions.models import Case, TherapySession
from tests import factories

MATRIX_COUNT = pytest.StashKey[dict[str, int]]()


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
    that log people in get it too. Tests of the code step itself (tests/mfa/) are marked
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

    def persona(self, name: str) -> User | None:
        """The user behind a persona name; None for "anonymous"."""
        if name == "anonymous":
            return None
        return getattr(self, name)

    def client_for(self, name: str, **headers: str) -> Client:
        """A test client logged in as the persona (force_login: the login flow is not
        what these tests are about; it includes the code step, see the fixture above).
        """
        client = Client(**headers)
        user = self.persona(name)
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
