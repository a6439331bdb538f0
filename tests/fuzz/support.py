"""The fuzz tests' scenery, request sender and bookkeeping.

`FuzzWorld` is the timeline tests' world (tests/repairs/conftest.py) with a matching set of
records in case B, so every kind of id has an "other person's" version, and an
administrator with full rights (the cast's admin is staff without permissions).

Every request goes through `send`, which counts it, records any response of 500 or more
(the test client is built with `raise_request_exception=False`, so an unhandled exception
arrives as the 500 a real user would see), and puts the persona's cookies back afterwards
(a logout or a login in the fuzz must not change who the next example is).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes, quote_plus

from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from repairs.codes import InboxKind
from repairs.models import (
    AlertSettings,
    InboxItem,
    Note,
    RepairStep,
    Rupture,
    RuptureCode,
    RuptureReview,
    SupervisorCoding,
)
from rupturelog.accounts.models import Invitation, Supervision, User
from sessions.models import Case, CheckIn, TherapySession
from tests import factories
from tests.conftest import PERSONAS, Cast
from tests.fuzz.strategies import Value
from tests.repairs.conftest import World, build_world

# git-ignored; where Hypothesis keeps the failing examples it found, to replay them first.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# The cast's personas, and an administrator who may change anything in the admin.
FUZZ_PERSONAS = (*PERSONAS, "superadmin")

# Shared settings: no deadline (a 100k-character form takes a while to render back), the
# health checks that do not apply (one world per test, reused by every example, rolled back
# after each), and failing examples kept where git does not look.
FUZZ = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    database=DirectoryBasedExampleDatabase(ARTIFACTS / "hypothesis"),
    print_blob=True,
)


@dataclass
class Tally:
    """Counted across the whole run; printed in the terminal summary (conftest.py)."""

    examples: int = 0
    requests: int = 0
    accepted_writes: int = 0  # examples where an allowed sender did change something
    server_errors: list[str] = field(default_factory=list)


TALLY = Tally()


@dataclass
class FuzzWorld(World):
    other_flag: Rupture  # client_b's shared flag in case B
    other_step: RepairStep  # therapist_b's repair step on other_entry
    other_note: Note  # therapist_b's note on other_entry
    other_client_note: Note  # client_b's note on other_entry
    other_item: InboxItem  # therapist_b's unread inbox item
    superadmin: User
    invitation: Invitation  # therapist_a's pending invitation of a new client
    other_invitation: Invitation  # therapist_b's
    used_link: str  # the token of an accepted invitation
    expired_link: str  # the token of an expired one

    def persona(self, name: str) -> User | None:
        return self.superadmin if name == "superadmin" else self.cast.persona(name)

    def ids(self) -> list[str]:
        """Every id in the world, as text: the viewer's own objects and everyone else's."""
        pks: set[int] = set()
        for model in (User, Case, TherapySession, Rupture, RepairStep, Note, InboxItem):
            pks.update(model.objects.values_list("pk", flat=True))
        return [str(pk) for pk in sorted(pks)] + ["0", "-1", "999999999", "9" * 25]


def build_fuzz_world(cast: Cast) -> FuzzWorld:
    world = build_world(cast)
    other_flag = factories.make_rupture(cast.session_b, cast.client_b, account="Case B flag.")
    other_step = factories.make_step(world.other_entry, cast.therapist_b)
    other_note = factories.make_note(world.other_entry, cast.therapist_b, "Case B note.")
    other_client_note = factories.make_note(world.other_entry, cast.client_b, "Case B reply.")
    other_item = InboxItem.objects.create(
        recipient=cast.therapist_b,
        kind=InboxKind.CLIENT_FLAG,
        case=cast.case_b,
        therapy_session=cast.session_b,
        rupture=other_flag,
    )
    superadmin = factories.make_admin(display_name="Root Admin", is_superuser=True)
    AlertSettings.current()
    invitation, _ = factories.make_invitation(cast.therapist_a)
    other_invitation, _ = factories.make_invitation(cast.therapist_b)
    used, used_link = factories.make_invitation(cast.therapist_a)
    Invitation.objects.filter(pk=used.pk).update(accepted_at=used.created_at)
    expired, expired_link = factories.make_invitation(cast.therapist_a)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=expired.created_at)
    return FuzzWorld(
        **world.__dict__,
        other_flag=other_flag,
        other_step=other_step,
        other_note=other_note,
        other_client_note=other_client_note,
        other_item=other_item,
        superadmin=superadmin,
        invitation=invitation,
        other_invitation=other_invitation,
        used_link=used_link,
        expired_link=expired_link,
    )


def logged_in_clients(world: FuzzWorld) -> dict[str, Client]:
    """A test client per persona that answers a server error with a 500 response."""
    clients = {}
    for name in FUZZ_PERSONAS:
        client = Client(raise_request_exception=False)
        user = world.persona(name)
        if user is not None:
            client.force_login(user)
        clients[name] = client
    return clients


# --- Sending ----------------------------------------------------------------------------


def encode(pairs: Sequence[tuple[str, Value]]) -> str:
    """application/x-www-form-urlencoded, byte values sent as the raw bytes they are."""

    def one(value: Value) -> str:
        return quote_from_bytes(value) if isinstance(value, bytes) else quote_plus(value)

    return "&".join(f"{one(name)}={one(value)}" for name, value in pairs)


def multipart(pairs: Sequence[tuple[str, Value]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        data[name].append(value.decode("latin-1") if isinstance(value, bytes) else value)
    return dict(data)


@dataclass
class Sent:
    status: int
    response: HttpResponse
    body: bytes


def send(
    client: Client,
    method: str,
    path: str,
    pairs: Sequence[tuple[str, Value]] = (),
    headers: dict[str, str] | None = None,
    *,
    as_multipart: bool = False,
    label: str = "",
) -> Sent:
    headers = headers or {}
    TALLY.requests += 1
    cookies = copy.deepcopy(client.cookies)
    try:
        if method == "GET":
            query = encode(pairs)
            response = client.get(f"{path}?{query}" if query else path, **headers)
        elif as_multipart:
            response = client.post(path, multipart(pairs), **headers)
        else:
            response = client.generic(
                method,
                path,
                encode(pairs),
                content_type="application/x-www-form-urlencoded",
                **headers,
            )
        if response.streaming:
            # A streamed body (the CSV export) runs after the view returned: an error in
            # it would reach a browser as a cut-off download, so it counts as a 500 here.
            try:
                body = b"".join(response.streaming_content)
            except Exception as error:
                TALLY.server_errors.append(f"{label} {method} {path}: {error!r} while streaming")
                raise
        else:
            body = response.content
    finally:
        client.cookies = cookies
    if response.status_code >= 500:
        TALLY.server_errors.append(f"{label} {response.status_code} {method} {path}")
    return Sent(response.status_code, response, body)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from the same world: its writes are undone after it (and a
    database error inside it cannot poison the next one on PostgreSQL)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- What a request may have changed ----------------------------------------------------

Key = tuple[str, int]


def state() -> dict[Key, list[tuple[Any, ...]]]:
    """Everything a request could change, grouped by whose it is: ("case", id) for clinical
    records, ("user", id) for an account, ("settings", 1) for the practice settings."""
    out: dict[Key, list[tuple[Any, ...]]] = defaultdict(list)

    def add(kind: str, rows: Sequence[tuple[Any, ...]], scope: str = "case") -> None:
        for owner, *rest in rows:
            out[(scope, owner)].append((kind, *rest))

    add("case", Case.objects.order_by("pk").values_list("pk", "revision", "closed_on"))
    add(
        "session",
        TherapySession.objects.order_by("pk").values_list("case_id", "pk", "starts_at", "number"),
    )
    add(
        "rupture",
        Rupture.objects.order_by("pk").values_list(
            "case_id",
            "pk",
            "version",
            "updated_at",
            "withdrawn_at",
            "account",
            "minute",
            "intensity",
            "recognised",
            "family",
            "visibility",
            "shared_at",
            "status",
            "agreement",
            "client_view",
            "counterpart_id",
            "therapy_session_id",
        ),
    )
    add(
        "code",
        RuptureCode.objects.order_by("pk").values_list("rupture__case_id", "pk", "rupture", "code"),
    )
    add(
        "step",
        RepairStep.objects.order_by("pk").values_list(
            "rupture__case_id",
            "pk",
            "version",
            "updated_at",
            "withdrawn_at",
            "description",
            "outcome",
            "strategy",
            "therapy_session_id",
        ),
    )
    add(
        "note",
        Note.objects.order_by("pk").values_list(
            "rupture__case_id", "pk", "version", "updated_at", "withdrawn_at", "body", "visibility"
        ),
    )
    add(
        "inbox",
        InboxItem.objects.order_by("pk").values_list("case_id", "pk", "recipient", "read_at"),
    )
    add(
        "check_in",
        CheckIn.objects.order_by("pk").values_list(
            "therapy_session__case_id", "pk", "respondent", "tension", "comment"
        ),
    )
    add(
        "review",
        RuptureReview.objects.order_by("pk").values_list("rupture__case_id", "pk", "supervisor"),
    )
    add(
        "coding",
        SupervisorCoding.objects.order_by("pk").values_list(
            "rupture__case_id", "pk", "supervisor", "family", "markers"
        ),
    )
    add(
        "user",
        User.objects.order_by("pk").values_list(
            "pk",
            "email",
            "display_name",
            "role",
            "is_active",
            "is_staff",
            "is_superuser",
            "notify_by_email",
            "password",
        ),
        scope="user",
    )
    add(
        "supervision",
        Supervision.objects.order_by("pk").values_list("therapist_id", "pk", "supervisor_id"),
        scope="user",
    )
    add(
        "invitation",
        Invitation.objects.order_by("pk").values_list(
            "invited_by_id",
            "pk",
            "email",
            "display_name",
            "role",
            "therapist_id",
            "token_hash",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "user_id",
        ),
        scope="user",
    )
    add(
        "authenticator",
        TOTPDevice.objects.order_by("pk").values_list("user_id", "pk", "key", "confirmed"),
        scope="user",
    )
    add(
        "backup_code",
        StaticToken.objects.order_by("pk").values_list("device__user_id", "pk", "token"),
        scope="user",
    )
    add("alerts", AlertSettings.objects.values_list("pk", *_alert_fields()), scope="settings")
    return dict(out)


def _alert_fields() -> list[str]:
    return [f.name for f in AlertSettings._meta.concrete_fields if f.name != "id"]


def own_scope(world: FuzzWorld, persona: str) -> set[Key] | None:
    """What the persona may change at all (None: anything, for the full administrator)."""
    cast = world.cast
    case_a, case_b, inactive = cast.case_a.pk, cast.case_b.pk, cast.case_inactive.pk
    scopes = {
        "client_a": {("case", case_a)},
        "therapist_a": {("case", case_a), ("case", inactive)},
        "supervisor_a": {("case", case_a), ("case", inactive)},
        "client_b": {("case", case_b)},
        "therapist_b": {("case", case_b)},
        "supervisor_b": {("case", case_b)},
    }
    if persona == "superadmin":
        return None
    scope = scopes.get(persona, set())
    user = world.persona(persona)
    if user is not None and user.is_active:
        scope.add(("user", user.pk))
    return scope


def changes(before: dict[Key, list], after: dict[Key, list]) -> set[Key]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
