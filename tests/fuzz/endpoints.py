"""Every URL that takes input, with a valid submission to start from and who may change
something through it.

An endpoint names the kind of object in its path (a session, a rupture...) and, for each
object the fuzz may aim it at, the personas allowed to change something through it there.
Anyone else, and anything aimed at an object not listed, must change nothing at all; an
allowed persona may change only their own case (or their own account). The fields are the
form as the app's own pages would send it; the fuzz damages it from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from repairs.models import AlertSettings
from tests import factories
from tests.fuzz.support import FuzzWorld
from tests.repairs.conftest import check_in_data, entry_data, flag_data, flag_edit_data, step_data

Fields = dict[str, list[str]]
MISSING = 999_999_999
HUGE = 10**25  # the path's <int:...> takes any number of digits

# The objects an endpoint's path can name, by kind.
TARGETS: dict[str, dict[str, Callable[[FuzzWorld], int]]] = {
    "case": {
        "case_a": lambda w: w.cast.case_a.pk,
        "case_b": lambda w: w.cast.case_b.pk,
        "case_inactive": lambda w: w.cast.case_inactive.pk,
    },
    "session": {
        "session_a": lambda w: w.cast.session_a.pk,
        "later_session": lambda w: w.later_session.pk,
        "session_b": lambda w: w.cast.session_b.pk,
        "session_inactive": lambda w: w.cast.session_inactive.pk,
    },
    "rupture": {
        "flag": lambda w: w.flag.pk,
        "draft": lambda w: w.draft.pk,
        "entry": lambda w: w.entry.pk,
        "private_entry": lambda w: w.private_entry.pk,
        "other_entry": lambda w: w.other_entry.pk,
        "other_flag": lambda w: w.other_flag.pk,
    },
    "step": {"step": lambda w: w.step.pk, "other_step": lambda w: w.other_step.pk},
    "note": {
        "client_note": lambda w: w.client_note.pk,
        "therapist_note": lambda w: w.therapist_note.pk,
        "other_note": lambda w: w.other_note.pk,
        "other_client_note": lambda w: w.other_client_note.pk,
    },
    "item": {"item": lambda w: w.item.pk, "other_item": lambda w: w.other_item.pk},
    "user": {
        "therapist_a": lambda w: w.cast.therapist_a.pk,
        "client_b": lambda w: w.cast.client_b.pk,
    },
    "alerts": {"alerts": lambda w: AlertSettings.current().pk},
    "invitation": {
        "invitation": lambda w: w.invitation.pk,
        "other_invitation": lambda w: w.other_invitation.pk,
    },
    # An invitation link's token. (A pending one makes an account: see
    # tests/rupturelog/accounts/test_invitations.py; here, links that must change nothing.)
    "invite_link": {
        "used_link": lambda w: w.used_link,
        "expired_link": lambda w: w.expired_link,
        "forged_link": lambda w: "A" * 43,
    },
}
for _targets in TARGETS.values():
    _targets["missing"] = lambda w: MISSING
    _targets["huge"] = lambda w: HUGE


def _nothing(world: FuzzWorld, target: str) -> Fields:
    return {}


@dataclass(frozen=True)
class Endpoint:
    url_name: str
    method: str = "POST"
    kind: str | None = None  # the kind of object in the path, if any
    writers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # target -> personas
    users: str = ""  # who may use it without changing anything (tried more often)
    form: Callable[[FuzzWorld, str], Fields] = _nothing
    text_fields: frozenset[str] = frozenset()
    examples: int = 70

    def __str__(self) -> str:
        return f"{self.method} {self.url_name}"

    def likely_personas(self, target: str) -> list[str]:
        return sorted(self.writers.get(target, frozenset()) | set(self.users.split()))

    @property
    def targets(self) -> list[str]:
        return list(TARGETS[self.kind]) if self.kind else [""]

    def path(self, world: FuzzWorld, target: str) -> str:
        if not self.kind:
            return reverse(self.url_name)
        return reverse(self.url_name, args=[TARGETS[self.kind][target](world)])


def exists(endpoint: Endpoint) -> bool:
    """Whether the URL is there yet (other sessions add pages alongside)."""
    try:
        reverse(endpoint.url_name, args=[1] if endpoint.kind else [])
    except NoReverseMatch:
        return False
    return True


def may(**targets: str) -> dict[str, frozenset[str]]:
    """`may(flag="client_a therapist_a")`: who may change something through it where."""
    return {target: frozenset(personas.split()) for target, personas in targets.items()}


def listed(data: dict) -> Fields:
    """A payload from the timeline tests' helpers, every value as a list."""
    return {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in data.items()}


def _obj(world: FuzzWorld, target: str):
    """The object behind a target name, or None for the missing and huge ids."""
    if target in ("missing", "huge"):
        return None
    return getattr(world, target, None) or getattr(world.cast, target)


def _version(world: FuzzWorld, target: str) -> list[str]:
    obj = _obj(world, target)
    return [str(obj.version if obj is not None else 1)]


def _rupture_edit(world: FuzzWorld, target: str) -> Fields:
    rupture = _obj(world, target)
    if rupture is None:
        return listed(entry_data(version="1"))
    if rupture.author_role == "client":
        return listed(flag_edit_data(rupture))
    return listed(entry_data(version=str(rupture.version), visibility=rupture.visibility))


def _step(world: FuzzWorld, target: str) -> Fields:
    rupture = _obj(world, target)
    session = rupture.therapy_session if rupture is not None else world.cast.session_a
    return listed(step_data(session))


def _step_edit(world: FuzzWorld, target: str) -> Fields:
    step = _obj(world, target)
    session = step.therapy_session if step is not None else world.cast.session_a
    return listed(step_data(session, version=_version(world, target)[0]))


def _link(world: FuzzWorld, target: str) -> Fields:
    own = world.other_entry if target == "other_flag" else world.entry
    return {"own_entry": [str(own.pk)]}


def _review(world: FuzzWorld, target: str) -> Fields:
    return {
        "start": ["2025-01-01"],
        "end": ["2025-12-31"],
        "family": [""],
        "therapists": [str(world.cast.therapist_a.pk)],
        "unreviewed": ["on"],
        "matrix": ["marker"],
    }


def _drill(world: FuzzWorld, target: str) -> Fields:
    return {
        **_review(world, target),
        "therapist": [str(world.cast.therapist_a.pk)],
        "status": ["open"],
        "has_step": ["1"],
        "strategy": ["clarify"],
        "cell_family": ["withdrawal"],
        "marker": ["minimal_response"],
        "seen": ["both"],
        "month": ["2025-03"],
        "page": ["1"],
        "text": ["1"],
    }


def _admin_user(world: FuzzWorld, target: str) -> Fields:
    user = _obj(world, target) or world.cast.therapist_a
    return {
        "email": [user.email],
        "display_name": ["A new name"],
        "role": [user.role],
        "is_active": ["on"],
    }


# The same payload shapes as the app's own forms; see repairs/forms.py.
A_SESSIONS = "therapist_a"
RUPTURE_EDITORS = may(
    flag="client_a",
    draft="client_a",
    other_flag="client_b",
    entry="therapist_a",
    private_entry="therapist_a",
    other_entry="therapist_b",
)
CASELOAD = may(
    flag="therapist_a",
    entry="therapist_a",
    private_entry="therapist_a",
    other_entry="therapist_b",
    other_flag="therapist_b",
)
SUPERVISORS = may(
    flag="supervisor_a",
    entry="supervisor_a",
    private_entry="supervisor_a",
    other_entry="supervisor_b",
    other_flag="supervisor_b",
)
NOTE_AUTHORS = may(
    client_note="client_a",
    therapist_note="therapist_a",
    other_note="therapist_b",
    other_client_note="client_b",
)
STEP_AUTHORS = may(step="therapist_a", other_step="therapist_b")

ENDPOINTS: list[Endpoint] = [
    # --- Logging in and out (Django's views, our form) --------------------------------
    Endpoint(
        "login",
        users="anonymous",
        form=lambda w, t: {
            "username": [w.cast.client_a.email],
            "password": [factories.PASSWORD],
            "next": ["/"],
        },
        text_fields=frozenset({"username", "next"}),
        examples=50,
    ),
    Endpoint(
        "login", method="GET", users="anonymous", form=lambda w, t: {"next": ["/"]}, examples=25
    ),
    Endpoint("logout", users="client_a", examples=25),
    Endpoint("healthz", method="GET", examples=10),
    Endpoint(
        "password_reset",
        users="anonymous client_a",
        form=lambda w, t: {"email": ["nobody@example.org"]},
        text_fields=frozenset({"email"}),
        examples=30,
    ),
    Endpoint("password_reset_done", method="GET", examples=10),
    Endpoint("account", method="GET", users="client_a therapist_a", examples=10),
    Endpoint(
        "password_change",
        users="client_a therapist_a",
        form=lambda w, t: {
            "old_password": ["not the password"],
            "new_password1": ["quiet harbour lantern seven"],
            "new_password2": ["quiet harbour lantern seven"],
        },
        text_fields=frozenset({"old_password", "new_password1", "new_password2"}),
        examples=30,
    ),
    Endpoint("password_change_done", method="GET", examples=10),
    Endpoint("password_reset_complete", method="GET", examples=10),
    # Its path takes a user id and a token, which the table's paths do not; tested in
    # tests/test_password_reset.py.
    Endpoint("password_reset_confirm", method="GET", examples=1),
    Endpoint("readyz", method="GET", examples=10),
    # --- Invitations ---------------------------------------------------------------------
    Endpoint(
        "client_invite",
        users="therapist_a",
        writers=may(**{"": "therapist_a therapist_b"}),
        form=lambda w, t: {"email": ["someone.new@example.org"], "display_name": ["Nell Ashdown"]},
        text_fields=frozenset({"email", "display_name"}),
        examples=60,
    ),
    Endpoint("client_invite", method="GET", users="therapist_a", examples=20),
    Endpoint(
        "client_invite_resend",
        kind="invitation",
        writers=may(invitation="therapist_a", other_invitation="therapist_b"),
        examples=40,
    ),
    Endpoint(
        "client_invite_cancel",
        kind="invitation",
        writers=may(invitation="therapist_a", other_invitation="therapist_b"),
        examples=40,
    ),
    Endpoint(
        "invite_accept",
        kind="invite_link",
        users="anonymous",
        form=lambda w, t: {
            "new_password1": ["quiet harbour lantern seven"],
            "new_password2": ["quiet harbour lantern seven"],
        },
        text_fields=frozenset({"new_password1", "new_password2"}),
        examples=50,
    ),
    Endpoint("invite_accept", method="GET", kind="invite_link", users="anonymous", examples=20),
    Endpoint(
        "admin:accounts_invitation_add",
        users="superadmin",
        writers=may(**{"": "superadmin"}),
        form=lambda w, t: {
            "email": ["someone.new@example.org"],
            "display_name": ["Pat Person"],
            "role": ["client"],
            "therapist": [str(w.cast.therapist_a.pk)],
        },
        text_fields=frozenset({"email", "display_name"}),
        examples=40,
    ),
    # --- Two-step sign-in: the code step and its settings ---------------------------------
    # The fuzz's clinicians are past the code step and its clients have not turned it on,
    # so no code is checked here; tests/rupturelog/mfa/ send codes on the real path.
    Endpoint(
        "mfa_verify",
        users="client_a therapist_a admin",
        form=lambda w, t: {"code": ["123456"], "next": ["/"]},
        text_fields=frozenset({"code", "next"}),
        examples=40,
    ),
    Endpoint("mfa_verify", method="GET", form=lambda w, t: {"next": ["/"]}, examples=25),
    Endpoint("mfa_settings", method="GET", users="client_a therapist_a", examples=20),
    Endpoint(
        "mfa_enrol",
        users="client_a therapist_a",
        form=lambda w, t: {"code": ["123456"], "next": ["/"]},
        text_fields=frozenset({"code", "next"}),
        examples=40,
    ),
    Endpoint("mfa_enrol", method="GET", users="client_a admin", examples=20),
    # Anyone with an app may replace their own backup codes.
    Endpoint(
        "mfa_backup_codes",
        writers=may(**{"": "therapist_a therapist_b supervisor_a supervisor_b admin superadmin"}),
        form=lambda w, t: {"next": ["/"]},
        examples=40,
    ),
    Endpoint("mfa_backup_codes", method="GET", users="therapist_a", examples=20),
    # Only a client may turn it off, and the fuzz's clients have it off already.
    Endpoint("mfa_disable", users="client_a therapist_a", examples=30),
    # --- Pages whose only input is the path, the query string and the htmx headers -------
    Endpoint("home", method="GET", users="client_a therapist_a supervisor_a admin", examples=40),
    Endpoint(
        "case_detail",
        method="GET",
        users="client_a therapist_a supervisor_a",
        kind="case",
        examples=40,
    ),
    Endpoint(
        "session_detail",
        method="GET",
        users="client_a therapist_a supervisor_a",
        kind="session",
        examples=90,
    ),
    Endpoint(
        "rupture_card",
        method="GET",
        users="client_a therapist_a supervisor_a",
        kind="rupture",
        examples=75,
    ),
    # Version history: read-only, the path is the only input.
    Endpoint(
        "rupture_history", method="GET", users="client_a therapist_a", kind="rupture", examples=50
    ),
    Endpoint("step_history", method="GET", users="client_a therapist_a", kind="step", examples=30),
    Endpoint("note_history", method="GET", users="client_a therapist_a", kind="note", examples=30),
    Endpoint(
        "session_changes",
        method="GET",
        users="client_a therapist_a supervisor_a",
        kind="session",
        form=lambda w, t: {"rev": ["1"]},
        examples=60,
    ),
    Endpoint(
        "inbox_badge",
        method="GET",
        users="client_a therapist_a",
        form=lambda w, t: {"n": ["0"]},
        examples=60,
    ),
    # --- Creating entries -----------------------------------------------------------------
    Endpoint(
        "rupture_new",
        kind="session",
        writers=may(
            session_a=A_SESSIONS,
            later_session=A_SESSIONS,
            session_inactive=A_SESSIONS,
            session_b="therapist_b",
        ),
        form=lambda w, t: {**listed(entry_data()), "view_of": [], "version": []},
        text_fields=frozenset({"account"}),
        examples=150,
    ),
    Endpoint(
        "rupture_new",
        method="GET",
        users="therapist_a",
        kind="session",
        form=lambda w, t: {"view_of": [str(w.flag.pk)]},
        examples=75,
    ),
    Endpoint(
        "flag_new",
        writers=may(**{"": "client_a client_b"}),
        form=lambda w, t: {**listed(flag_data(w.cast.session_a)), "minute": []},
        text_fields=frozenset({"account"}),
        examples=150,
    ),
    Endpoint(
        "flag_new",
        method="GET",
        users="client_a",
        form=lambda w, t: {"session": [str(w.cast.session_a.pk)]},
        examples=75,
    ),
    Endpoint(
        "check_in",
        kind="session",
        writers=may(
            session_a="client_a therapist_a",
            later_session="client_a therapist_a",
            session_b="client_b therapist_b",
            session_inactive="therapist_a",
        ),
        form=lambda w, t: listed(check_in_data(comment="Fine.")),
        text_fields=frozenset({"comment"}),
        examples=110,
    ),
    # --- Changing an entry ---------------------------------------------------------------
    Endpoint(
        "rupture_edit",
        kind="rupture",
        writers=RUPTURE_EDITORS,
        form=_rupture_edit,
        text_fields=frozenset({"account"}),
        examples=150,
    ),
    Endpoint(
        "rupture_share",
        kind="rupture",
        writers=may(draft="client_a", private_entry="therapist_a"),
        form=lambda w, t: {"version": _version(w, t)},
        examples=75,
    ),
    Endpoint(
        "rupture_withdraw",
        kind="rupture",
        writers=RUPTURE_EDITORS,
        form=lambda w, t: {"version": _version(w, t)},
        examples=90,
    ),
    Endpoint(
        "rupture_status",
        kind="rupture",
        writers=CASELOAD,
        form=lambda w, t: {
            "status": ["repairing"],
            "agreement": ["We agreed to slow down."],
            "version": _version(w, t),
        },
        text_fields=frozenset({"agreement"}),
        examples=110,
    ),
    Endpoint(
        "rupture_link",
        kind="rupture",
        writers=may(flag="therapist_a", other_flag="therapist_b"),
        form=_link,
        examples=90,
    ),
    Endpoint(
        "client_view",
        kind="rupture",
        writers=may(entry="client_a", other_entry="client_b"),
        form=lambda w, t: {"client_view": ["different"]},
        examples=75,
    ),
    # --- Repair steps and the thread -------------------------------------------------------
    Endpoint(
        "step_new",
        kind="rupture",
        writers=CASELOAD,
        form=_step,
        text_fields=frozenset({"description"}),
        examples=110,
    ),
    Endpoint(
        "step_edit",
        kind="step",
        writers=STEP_AUTHORS,
        form=_step_edit,
        text_fields=frozenset({"description"}),
        examples=100,
    ),
    Endpoint(
        "step_withdraw",
        kind="step",
        writers=STEP_AUTHORS,
        form=lambda w, t: {"version": _version(w, t)},
        examples=60,
    ),
    Endpoint(
        "note_new",
        kind="rupture",
        writers=may(
            flag="client_a therapist_a supervisor_a",
            entry="client_a therapist_a supervisor_a",
            private_entry="therapist_a supervisor_a",
            draft="client_a",
            other_entry="client_b therapist_b supervisor_b",
            other_flag="client_b therapist_b supervisor_b",
        ),
        form=lambda w, t: {"body": ["Thank you."], "visibility": ["shared"]},
        text_fields=frozenset({"body"}),
        examples=140,
    ),
    Endpoint(
        "note_edit",
        kind="note",
        writers=NOTE_AUTHORS,
        form=lambda w, t: {"body": ["Edited."], "version": _version(w, t)},
        text_fields=frozenset({"body"}),
        examples=100,
    ),
    Endpoint(
        "note_withdraw",
        kind="note",
        writers=NOTE_AUTHORS,
        form=lambda w, t: {"version": _version(w, t)},
        examples=60,
    ),
    # --- Inbox and notices ----------------------------------------------------------------
    Endpoint(
        "inbox_mark_read",
        kind="item",
        writers=may(item="therapist_a", other_item="therapist_b"),
        form=lambda w, t: {"open": ["1"]},
        examples=60,
    ),
    Endpoint("inbox_mark_all_read", writers=may(**{"": "therapist_a therapist_b"}), examples=40),
    Endpoint(
        "notify_preference",
        writers=may(**{"": "therapist_a therapist_b"}),
        form=lambda w, t: {"notify_by_email": ["on"]},
        examples=50,
    ),
    # --- Review: filters, drill-down, export, the supervisor's marks --------------------
    Endpoint("review", method="GET", users="supervisor_a", form=_review, examples=100),
    Endpoint("patterns", method="GET", users="therapist_a", form=_review, examples=75),
    Endpoint(
        "review_ruptures", method="GET", users="supervisor_a therapist_a", form=_drill, examples=110
    ),
    Endpoint(
        "review_export_ruptures",
        method="GET",
        users="supervisor_a therapist_a",
        form=_drill,
        examples=75,
    ),
    Endpoint(
        "review_export_steps",
        method="GET",
        users="supervisor_a therapist_a",
        form=_drill,
        examples=60,
    ),
    Endpoint(
        "reviewed",
        kind="rupture",
        writers=SUPERVISORS,
        form=lambda w, t: {"undo": []},
        examples=60,
    ),
    Endpoint(
        "reveal_name",
        kind="case",
        users="supervisor_a therapist_a client_a",
        form=lambda w, t: {"reason": ["safeguarding"]},
        examples=40,
    ),
    Endpoint(
        "coding",
        kind="rupture",
        writers=SUPERVISORS,
        form=lambda w, t: {"family": ["withdrawal"], "markers": ["minimal_response"]},
        examples=90,
    ),
    # --- The Django admin: accounts, the alert thresholds, searches --------------------
    Endpoint(
        "admin:login",
        users="superadmin",
        form=lambda w, t: {
            "username": [w.superadmin.email],
            "password": [factories.PASSWORD],
            "next": ["/admin/"],
        },
        examples=30,
    ),
    Endpoint(
        "admin:accounts_user_change",
        kind="user",
        writers=may(therapist_a="superadmin", client_b="superadmin"),
        form=_admin_user,
        text_fields=frozenset({"display_name"}),
        examples=60,
    ),
    Endpoint(
        "admin:repairs_alertsettings_change",
        kind="alerts",
        writers=may(alerts="superadmin"),
        form=lambda w, t: {
            "open_after_sessions": ["3"],
            "unanswered_flag_days": ["7"],
            "confrontation_count": ["3"],
            "confrontation_window": ["5"],
            "disagreeing_check_ins_in_a_row": ["2"],
        },
        examples=60,
    ),
    Endpoint(
        "admin:accounts_user_changelist",
        users="superadmin",
        method="GET",
        form=lambda w, t: {"q": ["theo"], "role__exact": ["therapist"], "o": ["1"], "p": ["0"]},
        examples=50,
    ),
    Endpoint(
        "admin:repairs_rupture_changelist",
        users="superadmin",
        method="GET",
        form=lambda w, t: {"q": [str(w.entry.pk)], "family__exact": ["withdrawal"]},
        examples=50,
    ),
    # --- The client's own record: who opened it, and all of it to keep ---------------
    Endpoint("my_record", method="GET", users="client_a", examples=25),
    Endpoint("my_record_json", method="GET", users="client_a", examples=25),
    Endpoint(
        "record_access",
        method="GET",
        users="client_a",
        form=lambda w, t: {"page": ["1"]},
        examples=50,
    ),
]
