"""Who may reach which page: every URL of ours, for every persona and every kind of object id.

The cases are built from the URL resolver, so a new view is tested the moment it is routed
and fails until EXPECTED says who may reach it: no view ships without an access decision.
An object outside a user's scope is a 404, exactly like an id that does not exist.

The second half is the leak check: unique markers are seeded into every kind of private
item, every page is fetched as every persona, and each marker must show up exactly where
DESIGN.md ("People and what each may see") allows it, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import DjangoDbBlocker

from repairs.codes import InboxKind, Visibility
from repairs.models import InboxItem, Note, RepairStep, Rupture
from rupturelog.accounts.models import User
from sessions.models import Case, TherapySession
from tests import factories
from tests.conftest import PERSONAS, Cast, fresh_copy

pytestmark = [pytest.mark.django_db, pytest.mark.authorization_matrix]


@pytest.fixture
def cast(db: None, module_cast: Cast) -> Cast:
    """The shared cast, built and logged in once for this module's ~2,100 cases rather than
    once per case; each test has its own copy and its writes are rolled back after it."""
    return fresh_copy(module_cast)


MISSING_ID = 999_999
HTMX = {"plain": {}, "htmx": {"HTTP_HX_REQUEST": "true"}}


# --- Expected outcomes ------------------------------------------------------------------


class Expect(NamedTuple):
    status: int
    redirect_to: str | None = None  # URL name the Location must point at (None: unchecked)


OK = Expect(200)
NOT_FOUND = Expect(404)
NOT_ALLOWED = Expect(405)
TO_LOGIN = Expect(302, "login")
TO_HOME = Expect(302, "home")
TO_ADMIN_LOGIN = Expect(302, "admin:login")
SEE_HOME = Expect(303, "home")  # after a successful POST
SEE_INVITES = Expect(303, "client_invite")
TO_TWO_STEP_SETTINGS = Expect(303, "mfa_settings")


class ByMode(NamedTuple):
    """An outcome that differs between a plain request and an htmx one."""

    plain: Expect
    htmx: Expect


# A one-click action sent without the version the page showed is refused as stale: the
# fresh card (409) for htmx, a redirect back to the timeline otherwise. The person got past
# the access check to reach that point.
STALE = ByMode(plain=Expect(303), htmx=Expect(409))

Outcome = Expect | ByMode

# For URLs with an object id: A's object, B's object, an id that does not exist.
VARIANTS = ("a", "b", "missing")


def a_gets(outcome: Outcome) -> dict[str, Outcome]:
    return {"a": outcome, "b": NOT_FOUND, "missing": NOT_FOUND}


def b_gets(outcome: Outcome) -> dict[str, Outcome]:
    return {"a": NOT_FOUND, "b": outcome, "missing": NOT_FOUND}


ONLY_A, ONLY_B = a_gets(OK), b_gets(OK)
NONE = dict.fromkeys(VARIANTS, NOT_FOUND)
LOGIN_FIRST = dict.fromkeys(VARIANTS, TO_LOGIN)
LOGGED_OUT = ("anonymous", "inactive")  # an inactive user's session no longer authenticates

ByPersona = dict[str, Outcome | dict[str, Outcome]]


def page(**allowed: Outcome) -> ByPersona:
    """A URL without an id: logged-out personas are sent to log in, the personas named get
    what is given, every other logged-in persona a 404."""
    return {p: TO_LOGIN if p in LOGGED_OUT else allowed.get(p, NOT_FOUND) for p in PERSONAS}


def object_page(**allowed: dict[str, Outcome]) -> ByPersona:
    """A URL about one object: logged-out personas are sent to log in, the personas named
    get what is given per variant, every other logged-in persona a 404 for any id."""
    return {p: LOGIN_FIRST if p in LOGGED_OUT else allowed.get(p, NONE) for p in PERSONAS}


class Post(NamedTuple):
    """A POST-only URL: the outcome of an empty POST per persona, instead of a GET."""

    by_persona: ByPersona


# Pages about a case or session: its care team, nobody else; admins have no clinical scope.
CARE_TEAM = object_page(
    client_a=ONLY_A,
    client_b=ONLY_B,
    therapist_a=ONLY_A,
    therapist_b=ONLY_B,
    supervisor_a=ONLY_A,
    supervisor_b=ONLY_B,
)
# What only the case's therapist does (log, repair, set status, edit their own entries).
THERAPIST = object_page(therapist_a=ONLY_A, therapist_b=ONLY_B)
# What the client and therapist of the case do (reply, check in); supervisors only read.
CLIENT_AND_THERAPIST = object_page(
    client_a=ONLY_A, client_b=ONLY_B, therapist_a=ONLY_A, therapist_b=ONLY_B
)

# Keyed by URL name (with namespace). Every routed name must be here. A value is what GET
# gives each persona, or Post(...) for a URL that only accepts POST. Which object "a" and
# "b" are for each URL is in OBJECT_IDS below.
EXPECTED: dict[str, ByPersona | Post] = {
    "home": {
        "anonymous": TO_LOGIN,
        "client_a": OK,
        "client_b": OK,
        "therapist_a": OK,
        "therapist_b": OK,
        "supervisor_a": OK,
        "supervisor_b": OK,
        "admin": OK,
        "inactive": TO_LOGIN,
    },
    # redirect_authenticated_user: a logged-in user is sent home.
    "login": {
        "anonymous": OK,
        "client_a": TO_HOME,
        "client_b": TO_HOME,
        "therapist_a": TO_HOME,
        "therapist_b": TO_HOME,
        "supervisor_a": TO_HOME,
        "supervisor_b": TO_HOME,
        "admin": TO_HOME,
        "inactive": OK,
    },
    # Logging out changes state, so it is POST only (see test_logging_out_by_post_...).
    "logout": dict.fromkeys(PERSONAS, NOT_ALLOWED),
    # Django's admin: staff only; everyone else is sent to the admin's own login.
    "admin:index": {**dict.fromkeys(PERSONAS, TO_ADMIN_LOGIN), "admin": OK},
    # Reading.
    "case_detail": CARE_TEAM,
    "session_detail": CARE_TEAM,
    "session_changes": CARE_TEAM,
    # One card for htmx; a plain request is sent to the card on its session page.
    "rupture_card": object_page(
        **{
            persona: a_gets(ByMode(plain=Expect(302), htmx=OK))
            for persona in ("client_a", "therapist_a", "supervisor_a")
        },
        **{
            persona: b_gets(ByMode(plain=Expect(302), htmx=OK))
            for persona in ("client_b", "therapist_b", "supervisor_b")
        },
    ),
    # Writing: the client's side.
    "flag_new": page(client_a=OK, client_b=OK),
    "client_view": object_page(client_a=ONLY_A, client_b=ONLY_B),
    "rupture_share": Post(object_page(client_a=a_gets(STALE), client_b=b_gets(STALE))),
    # Writing: the therapist's side.
    "rupture_new": THERAPIST,
    "rupture_edit": THERAPIST,
    "rupture_status": THERAPIST,
    "rupture_link": THERAPIST,
    "rupture_withdraw": Post(object_page(therapist_a=a_gets(STALE), therapist_b=b_gets(STALE))),
    "step_new": THERAPIST,
    "step_edit": THERAPIST,
    "step_withdraw": Post(object_page(therapist_a=a_gets(STALE), therapist_b=b_gets(STALE))),
    "note_edit": THERAPIST,
    "note_withdraw": Post(object_page(therapist_a=a_gets(STALE), therapist_b=b_gets(STALE))),
    "notify_preference": Post(page(therapist_a=SEE_HOME, therapist_b=SEE_HOME)),
    # Writing: the care team (a supervisor's note is a supervision note).
    "note_new": CARE_TEAM,
    "check_in": CLIENT_AND_THERAPIST,
    # Everyone's own inbox (empty for supervisors and admins, but theirs to ask about).
    "inbox_badge": page(**dict.fromkeys(PERSONAS, OK)),
    "inbox_mark_all_read": Post(page(**dict.fromkeys(PERSONAS, SEE_HOME))),
    "inbox_mark_read": Post(
        object_page(therapist_a=a_gets(SEE_HOME), therapist_b=b_gets(SEE_HOME))
    ),
    # One's own account page and password change: anyone signed in.
    "account": page(**dict.fromkeys(PERSONAS, OK)),
    "password_change": page(**dict.fromkeys(PERSONAS, OK)),
    "password_change_done": page(**dict.fromkeys(PERSONAS, OK)),
    # Password reset: open to anyone, logged in or not.
    "password_reset": dict.fromkeys(PERSONAS, OK),
    "password_reset_done": dict.fromkeys(PERSONAS, OK),
    "password_reset_complete": dict.fromkeys(PERSONAS, OK),
    # An invalid link shows "This link no longer works" to anyone.
    "password_reset_confirm": dict.fromkeys(PERSONAS, dict.fromkeys(VARIANTS, OK)),
    # Invitations. The emailed link works for anyone holding it (it is the credential);
    # an unknown token is a 404.
    "invite_accept": {persona: {"a": OK, "b": OK, "missing": NOT_FOUND} for persona in PERSONAS},
    # A therapist invites their own new clients, and resends or cancels only their own.
    "client_invite": page(therapist_a=OK, therapist_b=OK),
    "client_invite_resend": Post(
        object_page(therapist_a=a_gets(SEE_INVITES), therapist_b=b_gets(SEE_INVITES))
    ),
    "client_invite_cancel": Post(
        object_page(therapist_a=a_gets(SEE_INVITES), therapist_b=b_gets(SEE_INVITES))
    ),
    # A client's own access log.
    "record_access": page(client_a=OK, client_b=OK),
    "my_record": page(client_a=OK, client_b=OK),
    "my_record_json": page(client_a=OK, client_b=OK),
    # Health checks answer anyone, logged in or not.
    "healthz": dict.fromkeys(PERSONAS, OK),
    "readyz": dict.fromkeys(PERSONAS, OK),
    # Review: supervisors over their supervisees; a therapist over their own caseload.
    "review": page(supervisor_a=OK, supervisor_b=OK),
    "patterns": page(therapist_a=OK, therapist_b=OK),
    **{
        name: page(supervisor_a=OK, supervisor_b=OK, therapist_a=OK, therapist_b=OK)
        for name in ("review_ruptures", "review_export_ruptures", "review_export_steps")
    },
    # A supervisor's own marks on a rupture in a supervisee's case.
    "reviewed": Post(
        object_page(
            supervisor_a=a_gets(ByMode(plain=Expect(303), htmx=OK)),
            supervisor_b=b_gets(ByMode(plain=Expect(303), htmx=OK)),
        )
    ),
    "coding": object_page(supervisor_a=ONLY_A, supervisor_b=ONLY_B),
    # A supervisor seeing a client's real name: an empty POST has no reason (400); the
    # client and therapist already see the name, so for them there is nothing here (404).
    "reveal_name": Post(
        object_page(supervisor_a=a_gets(Expect(400)), supervisor_b=b_gets(Expect(400)))
    ),
    # Two-step sign-in (tests/rupturelog/mfa/ test the code step itself). The personas here are past
    # it (clinicians) or have not turned it on (clients), so the code page sends them on.
    "mfa_verify": page(**dict.fromkeys(PERSONAS, TO_HOME)),
    "mfa_settings": page(**dict.fromkeys(PERSONAS, OK)),
    "mfa_enrol": page(**dict.fromkeys(PERSONAS, OK)),
    "mfa_backup_codes": page(**dict.fromkeys(PERSONAS, OK)),
    # Optional for clients only; for everyone else it is required and cannot be turned off.
    "mfa_disable": Post(page(client_a=TO_TWO_STEP_SETTINGS, client_b=TO_TWO_STEP_SETTINGS)),
    # Version history: the author and the case's therapist; a client, of what they wrote or
    # what was shared with them (here the therapist's shared entry, step and note).
    # Supervisors only of their own notes, so not of these.
    "rupture_history": CLIENT_AND_THERAPIST,
    "step_history": CLIENT_AND_THERAPIST,
    "note_history": CLIENT_AND_THERAPIST,
}


# --- Routes, read from the resolver -----------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    ids: tuple[str, ...]  # the URL's keyword arguments, e.g. ("case_id",)

    @property
    def id_kwarg(self) -> str | None:
        return self.ids[0] if self.ids else None


def _walk(patterns: list, namespace: str = "", ids: tuple[str, ...] = ()) -> Iterator[Route]:
    for entry in patterns:
        converters = tuple(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk(entry.url_patterns, inner, ids + converters)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed: {entry.pattern}>"
            yield Route(f"{namespace}:{name}" if namespace else name, ids + converters)


def our_routes() -> list[Route]:
    """Every routed URL of ours; of Django's admin only its index (the rest is Django's)."""
    routes = {
        route.name: route
        for route in _walk(get_resolver().url_patterns)
        if not route.name.startswith("admin:") or route.name == "admin:index"
    }
    return sorted(routes.values(), key=lambda route: route.name)


ROUTES = our_routes()


class MatrixCase(NamedTuple):
    route: Route
    persona: str | None
    variant: str | None
    mode: str


def _matrix_params() -> list:
    """(route, case) per case: the route again on its own, for `route_objects`, which makes
    the URL's objects once for all of its cases."""
    params = []
    for route in ROUTES:
        if route.name not in EXPECTED:
            # One failing case per undecided URL (not one per persona) keeps the report short.
            case = MatrixCase(route, None, None, "plain")
            params.append(pytest.param(route, case, id=f"{route.name}-UNDECIDED"))
            continue
        for persona in PERSONAS:
            for variant in VARIANTS if route.ids else (None,):
                for mode in HTMX:
                    case_id = "-".join(p for p in (route.name, persona, variant, mode) if p)
                    case = MatrixCase(route, persona, variant, mode)
                    params.append(pytest.param(route, case, id=case_id))
    return params


# --- Object ids -------------------------------------------------------------------------


def _therapist_entry(therapy_session: TherapySession) -> Rupture:
    """A shared rupture by the case's therapist, with one repair step and one shared note."""
    case = therapy_session.case
    rupture = factories.make_rupture(therapy_session, case.therapist)
    factories.make_step(rupture, case.therapist)
    factories.make_note(rupture, case.therapist)
    return rupture


def _entries(cast: Cast) -> dict[str, Rupture]:
    return {"a": _therapist_entry(cast.session_a), "b": _therapist_entry(cast.session_b)}


def _client_flags(cast: Cast, **extra: object) -> dict[str, int]:
    return {
        "a": factories.make_rupture(cast.session_a, cast.client_a, **extra).pk,
        "b": factories.make_rupture(cast.session_b, cast.client_b, **extra).pk,
    }


def _inbox_items(cast: Cast) -> dict[str, int]:
    """An unread item for each case's therapist about their client's flag."""
    items = {}
    for side, therapy_session in (("a", cast.session_a), ("b", cast.session_b)):
        case = therapy_session.case
        items[side] = InboxItem.objects.create(
            recipient=case.therapist,
            kind=InboxKind.CLIENT_FLAG,
            case=case,
            therapy_session=therapy_session,
        ).pk
    return items


# What each URL id names on A's and B's side, made only for the URLs that need them: by URL
# name where one needs a particular object, else by the id's name. New kinds go here.
OBJECT_IDS: dict[str, Callable[[Cast], dict[str, int | str]]] = {
    "case_id": lambda cast: {"a": cast.case_a.pk, "b": cast.case_b.pk},
    "session_id": lambda cast: {"a": cast.session_a.pk, "b": cast.session_b.pk},
    # The therapist's shared entry in A's / B's first session, its step and its note.
    "rupture_id": lambda cast: {k: r.pk for k, r in _entries(cast).items()},
    "step_id": lambda cast: {k: r.repair_steps.get().pk for k, r in _entries(cast).items()},
    "note_id": lambda cast: {k: r.notes.get().pk for k, r in _entries(cast).items()},
    "item_id": _inbox_items,
    # Only a client's private draft can be shared; only a client's flag can be linked.
    "rupture_share": lambda cast: _client_flags(cast, visibility=Visibility.PRIVATE),
    "rupture_link": _client_flags,
    # A pending invitation into therapist A's / B's caseload: its id, and its link's token.
    "invitation_id": lambda cast: {
        "a": factories.make_invitation(cast.therapist_a)[0].pk,
        "b": factories.make_invitation(cast.therapist_b)[0].pk,
    },
    "token": lambda cast: {
        "a": factories.make_invitation(cast.therapist_a)[1],
        "b": factories.make_invitation(cast.therapist_b)[1],
    },
}


def _id_maker(route: Route) -> Callable[[Cast], dict[str, int | str]] | None:
    return OBJECT_IDS.get(route.name) or OBJECT_IDS.get(route.id_kwarg or "")


def takes_an_object(route: Route) -> bool:
    """Whether the URL names one object that OBJECT_IDS knows how to make."""
    return (
        route.name != "password_reset_confirm"
        and len(route.ids) == 1
        and _id_maker(route) is not None
    )


def object_ids(route: Route, cast: Cast) -> dict[str, int | str]:
    """Makes A's and B's object for the URL: what "a", "b" and "missing" name in it."""
    make_ids = _id_maker(route)
    assert make_ids is not None
    return {**make_ids(cast), "missing": MISSING_ID}


def url_for(
    route: Route, variant: str | None, cast: Cast, ids: dict[str, int | str] | None = None
) -> str:
    """The URL for A's or B's object or a missing one; `ids`: objects made already
    (`object_ids`), else they are made now."""
    if route.id_kwarg is None:
        return reverse(route.name)
    if route.name == "password_reset_confirm":
        # Not an object: a user id and a token, here one that never validates.
        return reverse(route.name, kwargs={"uidb64": "MQ", "token": f"no-such-token-{variant}"})
    if len(route.ids) > 1:
        pytest.fail(f"{route.name} takes several ids {route.ids}: teach url_for about them.")
    if _id_maker(route) is None:
        pytest.fail(f"{route.name}: add {route.id_kwarg!r} to OBJECT_IDS in this file.")
    ids = ids or object_ids(route, cast)
    return reverse(route.name, kwargs={route.id_kwarg: ids[variant]})


def expectation_for(route: Route, persona: str, variant: str | None, mode: str) -> Expect:
    by_persona = EXPECTED.get(route.name)
    if isinstance(by_persona, Post):
        by_persona = by_persona.by_persona
    if by_persona is None:
        pytest.fail(
            f"No access decision for URL {route.name!r}: add an entry for it to EXPECTED in "
            "tests/test_authorization_matrix.py saying what each persona gets."
        )
    if persona not in by_persona:
        pytest.fail(f"EXPECTED[{route.name!r}] has no entry for persona {persona!r}.")
    expected = by_persona[persona]
    if variant is None:
        assert not isinstance(expected, dict), f"{route.name} takes no id: give one outcome"
    else:
        assert isinstance(expected, dict), f"{route.name} takes an id: give one per variant"
        expected = expected[variant]
    return getattr(expected, mode) if isinstance(expected, ByMode) else expected


MATRIX = _matrix_params()


# --- The matrix -------------------------------------------------------------------------


def test_every_url_has_an_access_decision() -> None:
    routed = {route.name for route in ROUTES}
    assert routed - EXPECTED.keys() == set(), "add these URL names to EXPECTED"
    assert EXPECTED.keys() - routed == set(), "these EXPECTED entries match no URL any more"


def test_the_matrix_covers_every_persona_and_variant() -> None:
    decided = [route for route in ROUTES if route.name in EXPECTED]
    with_id = sum(1 for route in decided if route.ids)
    without_id = len(decided) - with_id
    undecided = len(ROUTES) - len(decided)
    per_route = len(PERSONAS) * len(HTMX)
    assert len(MATRIX) == (without_id + with_id * len(VARIANTS)) * per_route + undecided


@pytest.fixture(scope="class")
def route_objects(
    request: pytest.FixtureRequest, module_cast: Cast, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[str, int | str] | None]:
    """A's and B's objects for one URL, made once for all of its cases (they run one after
    another), in a savepoint rolled back before the next URL's objects are made: each case
    sees the cast and its own URL's objects, as if it had made them itself."""
    route: Route = request.param
    if route.name not in EXPECTED or not takes_an_object(route):
        yield None  # url_for makes them, or says what is missing
        return
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield object_ids(route, fresh_copy(module_cast))
        finally:
            transaction.set_rollback(True)


class TestTheMatrix:
    """In a class so that the last URL's objects are gone (with the class) before the tests
    below it, which make their own."""

    # scope="class" keeps one `route_objects` for all the cases of a route. Every argument
    # here gets that scope, and pytest groups tests by equal values of such arguments: so
    # the rest is one `case`, a different value for each test, and the order stays MATRIX's.
    @pytest.mark.parametrize(
        ("route_objects", "case"), MATRIX, indirect=["route_objects"], scope="class"
    )
    def test_each_persona_gets_the_decided_response(
        self, cast: Cast, route_objects: dict[str, int | str] | None, case: MatrixCase
    ) -> None:
        route, persona, variant, mode = case
        expected = expectation_for(route, persona, variant, mode)
        url = url_for(route, variant, cast, route_objects)
        method = "post" if isinstance(EXPECTED[route.name], Post) else "get"

        response = getattr(cast.client_for(persona), method)(url, **HTMX[mode])

        assert response.status_code == expected.status, f"{method.upper()} {url} as {persona}"
        if expected.redirect_to:
            location = urlsplit(response["Location"])
            assert location.path == reverse(expected.redirect_to)
            if expected in (TO_LOGIN, TO_ADMIN_LOGIN):
                assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize("route_name", ["case_detail", "session_detail", "rupture_card"])
def test_someone_elses_object_looks_exactly_like_a_missing_one(cast: Cast, route_name: str) -> None:
    route = next(route for route in ROUTES if route.name == route_name)
    client = cast.client_for("client_a")

    others = client.get(url_for(route, "b", cast), **HTMX["htmx"])
    missing = client.get(url_for(route, "missing", cast), **HTMX["htmx"])

    assert others.status_code == missing.status_code == 404
    assert others.content == missing.content
    # Every response carries its own request id (for the access log); nothing else differs.
    assert {k: v for k, v in others.headers.items() if k != "X-Request-ID"} == {
        k: v for k, v in missing.headers.items() if k != "X-Request-ID"
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_logging_out_by_post_ends_the_session(cast: Cast, persona: str) -> None:
    client = cast.client_for(persona)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


# --- Leak check -------------------------------------------------------------------------

CARE_TEAM_A = frozenset({"client_a", "therapist_a", "supervisor_a"})
CLINICIANS_A = frozenset({"therapist_a", "supervisor_a"})
CARE_TEAM_B = frozenset({"client_b", "therapist_b", "supervisor_b"})
ONLY_CLIENT_A = frozenset({"client_a"})
CLIENT_AND_THERAPIST_A = frozenset({"client_a", "therapist_a"})

# Marker → the personas who must see it. Exactly those: a marker that is missing where it
# is allowed means the pages stopped showing it, and the check would prove nothing.
LEAK_RULES: dict[str, frozenset[str]] = {
    # Shared with case A's care team (these prove the pages render what they should).
    "ZZ-SHARED-ENTRY-1001": CARE_TEAM_A,
    "ZZ-SHARED-NOTE-1002": CARE_TEAM_A,
    "ZZ-SHARED-STEP-1003": CARE_TEAM_A,
    "ZZ-CLIENT-CHECKIN-1004": CARE_TEAM_A,
    # The therapist's private side: therapist and their supervisor.
    "ZZ-PRIVATE-7731-ENTRY": CLINICIANS_A,
    "ZZ-PRIVATE-7731-AGREEMENT": CLINICIANS_A,
    "ZZ-PRIVATE-7731-STEP": CLINICIANS_A,
    "ZZ-PRIVATE-7731-NOTE": CLINICIANS_A,
    "ZZ-THERAPIST-CHECKIN-7731": CLINICIANS_A,
    # Supervisor notes, even when marked shared: therapist and supervisor only.
    "ZZ-SUPERVISOR-NOTE-7731": CLINICIANS_A,
    "ZZ-SUPERVISOR-PRIVATE-NOTE-7731": CLINICIANS_A,
    # The client's private side: nobody else until they share it.
    "ZZ-CLIENT-DRAFT-7731": ONLY_CLIENT_A,
    "ZZ-NOTE-ON-DRAFT-7731": ONLY_CLIENT_A,
    "ZZ-CLIENT-PRIVATE-NOTE-7731": ONLY_CLIENT_A,
    # Withdrawn items, and everything hanging off a withdrawn rupture: off every timeline,
    # but they stay in the version history, which their author and the case's therapist
    # (and the client, for what was shared with them) may open. Never the supervisor.
    "ZZ-WITHDRAWN-ENTRY-0000": CLIENT_AND_THERAPIST_A,
    "ZZ-WITHDRAWN-NOTE-0000": CLIENT_AND_THERAPIST_A,
    "ZZ-WITHDRAWN-STEP-0000": CLIENT_AND_THERAPIST_A,
    "ZZ-NOTE-ON-WITHDRAWN-0000": CLIENT_AND_THERAPIST_A,
    # Other cases.
    "ZZ-CASE-B-ENTRY-2001": CARE_TEAM_B,
    "ZZ-INACTIVE-CLIENT-FLAG-3001": CLINICIANS_A,
    # Client names: never shown to supervisors (they see pseudonyms) or outside the case.
    "Ada Quillfeather": frozenset({"client_a", "therapist_a"}),
    "Bea Rookwood": frozenset({"client_b", "therapist_b"}),
    "Cyril Dormant": frozenset({"therapist_a"}),
}


@pytest.fixture
def seeded(cast: Cast) -> Cast:
    """Case A gets one item of every visibility, each carrying its marker."""
    s, client, therapist = cast.session_a, cast.client_a, cast.therapist_a
    private = Visibility.PRIVATE

    shared = factories.make_rupture(s, therapist, account="ZZ-SHARED-ENTRY-1001")
    factories.make_step(shared, therapist, description="ZZ-SHARED-STEP-1003")
    withdrawn_step = factories.make_step(shared, therapist, description="ZZ-WITHDRAWN-STEP-0000")
    factories.withdraw(withdrawn_step)
    factories.make_note(shared, client, "ZZ-SHARED-NOTE-1002")
    factories.make_note(shared, therapist, "ZZ-PRIVATE-7731-NOTE", visibility=private)
    factories.make_note(shared, client, "ZZ-CLIENT-PRIVATE-NOTE-7731", visibility=private)
    factories.make_note(shared, cast.supervisor_a, "ZZ-SUPERVISOR-NOTE-7731")
    factories.make_note(
        shared, cast.supervisor_a, "ZZ-SUPERVISOR-PRIVATE-NOTE-7731", visibility=private
    )
    withdrawn_note = factories.make_note(shared, client, "ZZ-WITHDRAWN-NOTE-0000")
    factories.withdraw(withdrawn_note)

    therapist_private = factories.make_rupture(
        s,
        therapist,
        account="ZZ-PRIVATE-7731-ENTRY",
        agreement="ZZ-PRIVATE-7731-AGREEMENT",
        visibility=private,
    )
    factories.make_step(therapist_private, therapist, description="ZZ-PRIVATE-7731-STEP")

    draft = factories.make_rupture(s, client, account="ZZ-CLIENT-DRAFT-7731", visibility=private)
    factories.make_note(draft, client, "ZZ-NOTE-ON-DRAFT-7731")

    withdrawn = factories.make_rupture(s, client, account="ZZ-WITHDRAWN-ENTRY-0000")
    factories.make_note(withdrawn, therapist, "ZZ-NOTE-ON-WITHDRAWN-0000")
    factories.withdraw(withdrawn)

    factories.make_check_in(s, client, comment="ZZ-CLIENT-CHECKIN-1004")
    factories.make_check_in(s, therapist, comment="ZZ-THERAPIST-CHECKIN-7731")

    # A later session: the open moments of session 1 are carried over onto its page.
    factories.make_session(cast.case_a)

    factories.make_rupture(cast.session_b, cast.client_b, account="ZZ-CASE-B-ENTRY-2001")
    factories.make_rupture(
        cast.session_inactive, cast.inactive, account="ZZ-INACTIVE-CLIENT-FLAG-3001"
    )
    return cast


# Which table each URL id reads from, to visit every object's pages.
ID_MODELS: dict[str, type[Model]] = {
    "case_id": Case,
    "session_id": TherapySession,
    "rupture_id": Rupture,
    "step_id": RepairStep,
    "note_id": Note,
    "item_id": InboxItem,
}
# (An invitation link shows only the invitee's own name and email.)
NOT_CLINICAL = {"login", "logout", "admin:index", "password_reset_confirm", "invite_accept"}
# Parts of the session page that htmx asks for on their own (HX-Target).
SESSION_PARTS = ("timeline-live", "timeline-bar")


def every_page(mode: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every page a GET can open, for every object in the database: home, each case,
    session, rupture, step and note page, and the session page's htmx parts.
    """
    for route in ROUTES:
        if route.name in NOT_CLINICAL or isinstance(EXPECTED.get(route.name), Post):
            continue
        if not route.ids:
            yield reverse(route.name), HTMX[mode]
            continue
        model = ID_MODELS.get(route.id_kwarg)
        if model is None or len(route.ids) > 1:
            pytest.fail(f"{route.name}: add {route.id_kwarg!r} to ID_MODELS in this file.")
        for pk in model.objects.order_by("pk").values_list("pk", flat=True):
            url = reverse(route.name, kwargs={route.id_kwarg: pk})
            yield url, HTMX[mode]
            if route.name == "session_detail" and mode == "htmx":
                for part in SESSION_PARTS:
                    yield url, {**HTMX[mode], "HTTP_HX_TARGET": part}


def pages_seen_by(client: Client, mode: str) -> str:
    """The text of every page this client can open, concatenated."""
    seen = []
    for url, headers in every_page(mode):
        response = client.get(url, **headers)
        assert response.status_code in (200, 204, 302, 303, 404), f"GET {url}: {response}"
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seen.append(body.decode())
    return "\n".join(seen)


@pytest.mark.parametrize("mode", HTMX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_private_items_appear_only_where_the_rules_allow(
    seeded: Cast, persona: str, mode: str
) -> None:
    text = pages_seen_by(seeded.client_for(persona), mode)

    leaked = [m for m, allowed in LEAK_RULES.items() if m in text and persona not in allowed]
    missing = [m for m, allowed in LEAK_RULES.items() if m not in text and persona in allowed]
    assert leaked == [], f"{persona} sees what they must not"
    assert missing == [], f"{persona} no longer sees what they should"


@pytest.mark.parametrize("persona", ["supervisor_a", "supervisor_b"])
def test_a_supervisor_sees_clients_only_by_pseudonym(seeded: Cast, persona: str) -> None:
    text = pages_seen_by(seeded.client_for(persona), "plain")

    clients = User.objects.filter(role="client")
    assert not [c.display_name for c in clients if c.display_name in text]
    supervised = seeded.client_a if persona == "supervisor_a" else seeded.client_b
    assert supervised.pseudonym in text
