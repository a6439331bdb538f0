"""The one place that decides what clinical data a user may see.

Every view loads cases, sessions, check-ins, ruptures, repair steps and notes through these
functions; none calls `Model.objects.get` on clinical data. An object outside a user's scope
is simply absent from their querysets, so `get_object_or_404(cases_for(user), pk=...)` gives
the same 404 for "not yours" as for "does not exist".

The rules (../shared/DESIGN.md, "People and what each may see"):

* client — their own cases; what they wrote (drafts included); what others shared with the
  care team. Never therapist-private or supervisor notes.
* therapist — their own cases in full, except clients' private drafts.
* supervisor — the cases of therapists they supervise: shared items and the therapist's
  private ones, never clients' private drafts. Clients are shown by pseudonym.
* admin (and anyone inactive or anonymous) — no clinical data.
* Withdrawn items are hidden from everyone here; the rows stay for the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, TypeVar, cast

from django.db.models import (
    Aggregate,
    CharField,
    Count,
    F,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from repairs.codes import AuthorRole, Status, Visibility
from repairs.models import InboxItem, Note, RepairStep, Rupture, RuptureCode, RuptureReview
from rupturelog.accounts.models import Role, Supervision, User
from rupturelog.audit.middleware import note_case
from sessions.models import Case, CheckIn, RespondentRole, TherapySession

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import WithAnnotations

    AnyUser = User | AnonymousUser

_M = TypeVar("_M", bound=Model)

NOTHING = Q(pk__in=[])
UNRESOLVED = [Status.OPEN, Status.REPAIRING]


def _clinical_role(user: AnyUser) -> str | None:
    """The role that decides what the user sees; None for anyone who sees no clinical data."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in (Role.CLIENT, Role.THERAPIST, Role.SUPERVISOR):
        return user.role
    return None


def supervised_therapist_ids(user: AnyUser) -> QuerySet:
    """The ids of therapists this user supervises, as a subquery."""
    return Supervision.objects.filter(supervisor_id=user.pk).values("therapist_id")


def supervised_therapists(user: AnyUser) -> QuerySet[User]:
    if _clinical_role(user) != Role.SUPERVISOR:
        return User.objects.none()
    return User.objects.filter(pk__in=supervised_therapist_ids(user), is_active=True)


def figure_therapists_for(user: AnyUser) -> QuerySet[User]:
    """Whose figures the user may see: a supervisor's supervisees, a therapist themself."""
    role = _clinical_role(user)
    if role == Role.SUPERVISOR:
        return supervised_therapists(user).order_by("display_name")
    # A role means a signed-in user; the second test says so to the type checker.
    if role == Role.THERAPIST and user.is_authenticated:
        return User.objects.filter(pk=user.pk)
    return User.objects.none()


def _case_q(user: AnyUser, prefix: str = "") -> Q:
    """Cases this user may open, as a Q on `prefix` (e.g. "case__")."""
    role = _clinical_role(user)
    if role == Role.CLIENT:
        return Q(**{f"{prefix}client": user})
    if role == Role.THERAPIST:
        return Q(**{f"{prefix}therapist": user})
    if role == Role.SUPERVISOR:
        return Q(**{f"{prefix}therapist_id__in": supervised_therapist_ids(user)})
    return NOTHING


def _rupture_q(user: AnyUser, prefix: str = "") -> Q:
    """Ruptures this user may see, as a Q on `prefix` (e.g. "rupture__")."""
    role = _clinical_role(user)
    if role is None:
        return NOTHING
    p = prefix
    in_scope = _case_q(user, f"{p}case__") & Q(**{f"{p}withdrawn_at__isnull": True})
    if role in (Role.CLIENT, Role.THERAPIST):
        # Their own entries (a client's drafts, a therapist's private notes to self) and
        # everything shared with the care team.
        return in_scope & (Q(**{f"{p}author": user}) | Q(**{f"{p}visibility": Visibility.SHARED}))
    # Supervisor: shared entries and the therapist's private ones; never a client's draft.
    return in_scope & (
        Q(**{f"{p}visibility": Visibility.SHARED}) | Q(**{f"{p}author_role": AuthorRole.THERAPIST})
    )


def _note_q(user: AnyUser) -> Q:
    return _rupture_q(user, "rupture__") & _note_rules(user)


def _note_rules(user: AnyUser) -> Q:
    """Which notes on a rupture the user may see, given that they may see the rupture."""
    role = _clinical_role(user)
    if role is None:
        return NOTHING
    live = Q(withdrawn_at__isnull=True)
    shared = Q(visibility=Visibility.SHARED)
    if role == Role.CLIENT:
        return live & ~Q(author_role=AuthorRole.SUPERVISOR) & (Q(author=user) | shared)
    if role == Role.THERAPIST:
        return live & (Q(author=user) | shared | Q(author_role=AuthorRole.SUPERVISOR))
    return live & (shared | Q(author_role__in=[AuthorRole.THERAPIST, AuthorRole.SUPERVISOR]))


def cases_for(user: AnyUser) -> QuerySet[Case]:
    """Cases the user may open, with client and therapist loaded."""
    return Case.objects.filter(_case_q(user)).select_related("client", "therapist")


def sessions_for(user: AnyUser) -> QuerySet[TherapySession]:
    """Therapy sessions in the user's cases, with the case, client and therapist loaded."""
    return TherapySession.objects.filter(_case_q(user, "case__")).select_related(
        "case__client", "case__therapist"
    )


class _Neighbours(TypedDict):
    """What `add_neighbours` gives a session: its case's previous and next session."""

    previous_id: int | None
    previous_number: int | None
    next_id: int | None
    next_number: int | None


if TYPE_CHECKING:
    SessionWithNeighbours = WithAnnotations[TherapySession, _Neighbours]


def add_neighbours(therapy_session: TherapySession) -> SessionWithNeighbours:
    """Give a session the pk and number of its case's previous and next session
    (`previous_id`, `previous_number`, `next_id`, `next_number`; None at either end), for a
    pager. Scope is per case, so a neighbour in the same case is as visible as the session
    itself. One small query of (number, pk) pairs: four correlated subqueries on the
    session's own query cost more to build than this costs to run.
    """
    number = therapy_session.number
    before = after = None
    for other_number, other_pk in TherapySession.objects.filter(
        case_id=therapy_session.case_id
    ).values_list("number", "pk"):
        if other_number < number and (before is None or other_number > before[0]):
            before = (other_number, other_pk)
        elif other_number > number and (after is None or other_number < after[0]):
            after = (other_number, other_pk)
    # The same object, from here on with the attributes set below.
    paged = cast("SessionWithNeighbours", therapy_session)
    paged.previous_number, paged.previous_id = before or (None, None)
    paged.next_number, paged.next_id = after or (None, None)
    return paged


def check_ins_for(user: AnyUser) -> QuerySet[CheckIn]:
    """Check-ins: a client sees their own answers; therapist and supervisor see both sides."""
    role = _clinical_role(user)
    scope = _case_q(user, "therapy_session__case__")
    if role == Role.CLIENT:
        scope &= Q(respondent=user)
    return CheckIn.objects.filter(scope)


def check_ins_of_session(user: AnyUser, therapy_session: TherapySession) -> QuerySet[CheckIn]:
    """`check_ins_for(user)` of one session the user may open (loaded through
    `sessions_for(user)`): the case's scope is already decided, so only the client's "their
    own answers" rule remains, without the joins to check the case again."""
    role = _clinical_role(user)
    if role is None:
        return CheckIn.objects.none()
    check_ins = CheckIn.objects.filter(therapy_session_id=therapy_session.pk)
    if role == Role.CLIENT:
        check_ins = check_ins.filter(respondent_id=user.pk)
    return check_ins


def ruptures_for(user: AnyUser) -> QuerySet[Rupture]:
    """Ruptures the user may see (not withdrawn), with session, case and author loaded."""
    return Rupture.objects.filter(_rupture_q(user)).select_related(
        "therapy_session", "case", "author"
    )


def repair_steps_for(user: AnyUser) -> QuerySet[RepairStep]:
    """Repair steps of ruptures the user may see (not withdrawn)."""
    return RepairStep.objects.filter(
        _rupture_q(user, "rupture__"), withdrawn_at__isnull=True
    ).select_related("therapy_session", "rupture")


def notes_for(user: AnyUser) -> QuerySet[Note]:
    """Notes the user may read, oldest first, with their author loaded."""
    return Note.objects.filter(_note_q(user)).select_related("author", "rupture")


class _CommaList(Aggregate):
    """The values of a group joined with commas, in no particular order: GROUP_CONCAT on
    SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
            **extra_context,
        )


class _StepNumber(TypedDict):
    session_number: int


class _NoteAuthor(TypedDict):
    author_name: str


class _Thread(TypedDict):
    """What `ruptures_with_threads` adds to each rupture (its docstring says what each is)."""

    visible_steps: list[NumberedStep]
    visible_notes: list[NamedNote]
    code_list: str | None  # None: no codes
    session_number: int
    case_therapist_id: int
    counterpart_visibility: str | None  # these three None: no counterpart
    counterpart_author_id: int | None
    counterpart_session_id: int | None


if TYPE_CHECKING:
    # A rupture as a card shows it, with its thread's steps and notes. (`my_reviews`,
    # prefetched for supervisors only, is read with getattr.)
    ThreadedRupture = WithAnnotations[Rupture, _Thread]
    NumberedStep = WithAnnotations[RepairStep, _StepNumber]
    NamedNote = WithAnnotations[Note, _NoteAuthor]


def code_list(rupture: ThreadedRupture) -> list[tuple[str, str]]:
    """A card's codes as (kind, code) pairs, in the order of `RuptureCode.Meta.ordering`,
    from the `code_list` annotation of `ruptures_with_threads` ("kind:code,kind:code")."""
    if not rupture.code_list:
        return []
    pairs = (pair.split(":", 1) for pair in rupture.code_list.split(","))
    return sorted((kind, code) for kind, code in pairs)


def ruptures_with_threads(user: AnyUser) -> QuerySet[ThreadedRupture]:
    """`ruptures_for(user)` with everything a rupture card shows, in a fixed number of
    queries: the repair steps and notes the user may see, as `visible_steps` (each with its
    `session_number`) and `visible_notes` (each with its `author_name`); and, as
    annotations, the rupture's codes as `code_list` (read them with `code_list(rupture)`),
    its `session_number`, its case's `case_therapist_id`, and its counterpart's
    `counterpart_visibility`, `counterpart_author_id` and `counterpart_session_id`, which
    decide whether and where the card links to it.

    A card needs a few columns of the related rows, so it gets those columns rather than
    the rows (the session, case, author and counterpart rows were most of the query's cost
    and of the objects built per card). The codes are short fixed words (kinds and
    codes are slugs, never a comma or colon), so they come as one string column of the
    rupture's row instead of a query and a row object each.
    """
    # The threads hang off ruptures this queryset has already scoped, so they are filtered
    # by their own rules only: the rupture's scope again would add joins and subqueries to
    # every prefetch and change nothing.
    steps = RepairStep.objects.filter(withdrawn_at__isnull=True).annotate(
        session_number=F("therapy_session__number")
    )
    notes = Note.objects.filter(_note_rules(user)).annotate(author_name=F("author__display_name"))
    codes = (
        RuptureCode.objects.filter(rupture_id=OuterRef("pk"))
        .order_by()
        .values("rupture_id")
        .annotate(codes=_CommaList(Concat("kind", Value(":"), "code")))
        .values("codes")
    )
    ruptures = (
        ruptures_for(user)
        .select_related(None)
        .annotate(
            session_number=F("therapy_session__number"),
            case_therapist_id=F("case__therapist_id"),
            counterpart_visibility=F("counterpart__visibility"),
            counterpart_author_id=F("counterpart__author_id"),
            counterpart_session_id=F("counterpart__therapy_session_id"),
            code_list=Subquery(codes),
        )
        .prefetch_related(
            Prefetch("repair_steps", queryset=steps, to_attr="visible_steps"),
            Prefetch("notes", queryset=notes, to_attr="visible_notes"),
        )
    )
    if _clinical_role(user) == Role.SUPERVISOR:
        # The supervisor's own "reviewed" mark, for the card's button.
        ruptures = ruptures.prefetch_related(
            Prefetch(
                "reviews",
                queryset=RuptureReview.objects.filter(supervisor_id=user.pk),
                to_attr="my_reviews",
            )
        )
    # django-stubs reads the prefetched lists as of the abstract ClinicalItem, without the
    # annotations their querysets add: the type says what they hold.
    return cast("QuerySet[ThreadedRupture]", ruptures)


def sees_client_by_pseudonym(viewer: AnyUser, case: Case) -> bool:
    """Supervisors see clients by pseudonym; the client and their therapist by name."""
    return _clinical_role(viewer) == Role.SUPERVISOR and case.therapist_id != viewer.pk


def client_name(viewer: AnyUser, case: Case) -> str:
    client = case.client
    if sees_client_by_pseudonym(viewer, case):
        return client.pseudonym or "Client"
    return client.display_name


def with_case_counts(cases: QuerySet[Case], user: AnyUser) -> QuerySet[Case]:
    """Annotate cases with what a caseload list shows, counting only what `user` may see:
    `session_count`, `last_session_at`, `rupture_count`, `open_rupture_count`.
    """
    visible = _rupture_q(user, "ruptures__")
    unresolved = Q(ruptures__status__in=UNRESOLVED)
    return cases.annotate(
        session_count=Count("therapy_sessions", distinct=True),
        last_session_at=Max("therapy_sessions__starts_at"),
        rupture_count=Count("ruptures", filter=visible, distinct=True),
        open_rupture_count=Count("ruptures", filter=visible & unresolved, distinct=True),
    )


def with_session_counts(therapy_sessions: QuerySet[TherapySession], user: AnyUser):
    """Annotate sessions with `rupture_count` and `open_rupture_count` the user may see."""
    visible = _rupture_q(user, "ruptures__")
    unresolved = Q(ruptures__status__in=UNRESOLVED)
    return therapy_sessions.annotate(
        rupture_count=Count("ruptures", filter=visible, distinct=True),
        open_rupture_count=Count("ruptures", filter=visible & unresolved, distinct=True),
    )


# --- Lists a user works through ---------------------------------------------------------


def caseload_ruptures_for(user: AnyUser) -> QuerySet[Rupture]:
    """Ruptures in the therapist's own cases (their home page's "still open" list)."""
    if _clinical_role(user) != Role.THERAPIST:
        return Rupture.objects.none()
    return ruptures_for(user).filter(case__therapist_id=user.pk)


def flaggable_sessions_for(user: AnyUser) -> QuerySet[TherapySession]:
    """Sessions a client or therapist may report a moment in: their cases', already begun."""
    if _clinical_role(user) not in (Role.CLIENT, Role.THERAPIST):
        return TherapySession.objects.none()
    return sessions_for(user).filter(starts_at__lte=timezone.now())


def inbox_for(user: AnyUser) -> QuerySet[InboxItem]:
    """The user's inbox items, newest first, in cases they may still open."""
    if _clinical_role(user) is None:
        return InboxItem.objects.none()
    return (
        InboxItem.objects.filter(recipient_id=user.pk)
        .filter(_case_q(user, "case__"))
        .select_related("therapy_session", "case__client")
    )


# --- Whose version history a user may open ----------------------------------------------
# The history keeps withdrawn items, so these scopes include them. The item's author and the
# case's therapist may open it; a client, the history of what they wrote or what was shared
# with them. Never a client's draft that was never shared (nor a therapist's private entry
# for the client); supervisors only their own notes. Versions from while an item was
# private are then hidden from everyone but its author (repairs/history/versions.py).


def _history_rupture_q(user: AnyUser, prefix: str = "") -> Q:
    if _clinical_role(user) not in (Role.CLIENT, Role.THERAPIST):
        return NOTHING
    p = prefix
    ever_shared = Q(**{f"{p}visibility": Visibility.SHARED}) | Q(**{f"{p}shared_at__isnull": False})
    return _case_q(user, f"{p}case__") & (Q(**{f"{p}author": user}) | ever_shared)


def rupture_histories_for(user: AnyUser) -> QuerySet[Rupture]:
    """Ruptures whose history the user may open, withdrawn ones included."""
    return Rupture.objects.filter(_history_rupture_q(user)).select_related(
        "therapy_session", "case"
    )


def repair_step_histories_for(user: AnyUser) -> QuerySet[RepairStep]:
    """Repair steps (withdrawn included) of ruptures whose history the user may open."""
    return RepairStep.objects.filter(_history_rupture_q(user, "rupture__")).select_related(
        "rupture__therapy_session", "therapy_session"
    )


def note_histories_for(user: AnyUser) -> QuerySet[Note]:
    """Notes (withdrawn included) whose history the user may open."""
    role = _clinical_role(user)
    own = Q(author=user)
    shared = Q(visibility=Visibility.SHARED)
    if role == Role.CLIENT:
        scope = _history_rupture_q(user, "rupture__") & ~Q(author_role=AuthorRole.SUPERVISOR)
        scope &= own | shared
    elif role == Role.THERAPIST:
        scope = _history_rupture_q(user, "rupture__")
        scope &= own | shared | Q(author_role=AuthorRole.SUPERVISOR)
    elif role == Role.SUPERVISOR:
        scope = own & _case_q(user, "rupture__case__")
    else:
        scope = NOTHING
    return Note.objects.filter(scope).select_related("rupture__therapy_session", "author")


# --- Who may do what --------------------------------------------------------------------
# The one source for "may this person act here", used by the views (a refusal is the same
# 404 as an object outside their scope) and by the card presenter (repairs/cards.py), which
# offers exactly the actions these allow. Each takes an object the user has already loaded
# through their scope above, so "may act" never exceeds "may see".


def get_in_scope(queryset: QuerySet[_M], pk: int) -> _M:
    """The object `pk` of a scoped queryset, or a 404 exactly like a missing one; and the
    access log is told which case it is in (the platform's middleware cannot look it up)."""
    item = get_object_or_404(queryset, pk=pk)
    note_case(_AUDIT_TYPES[type(item)], item.pk, _case_id_of(item))
    return item


_AUDIT_TYPES: dict[type, str] = {
    Case: "case",
    TherapySession: "session",
    Rupture: "rupture",
    RepairStep: "repair_step",
    Note: "note",
    InboxItem: "inbox_item",
}


def _case_id_of(item: Model) -> int:
    if isinstance(item, Case):
        return item.pk
    if isinstance(item, RepairStep | Note):
        return item.rupture.case_id
    if isinstance(item, TherapySession | Rupture | InboxItem):
        return item.case_id
    # Unreachable from get_in_scope, which has already looked the type up in _AUDIT_TYPES.
    raise TypeError(f"{type(item).__name__} is in no case")


def _case_therapist_id(rupture: Rupture) -> int:
    """The rupture's case's therapist: a card carries it as an annotation
    (`ruptures_with_threads`), a rupture loaded by `ruptures_for` has its case."""
    annotated = getattr(rupture, "case_therapist_id", None)
    return annotated if annotated is not None else rupture.case.therapist_id


def is_case_therapist(user: AnyUser, rupture: Rupture) -> bool:
    return _clinical_role(user) == Role.THERAPIST and _case_therapist_id(rupture) == user.pk


def is_care_team_member(user: AnyUser) -> bool:
    """Client or therapist: the two people who write to each other on the timeline."""
    return _clinical_role(user) in (Role.CLIENT, Role.THERAPIST)


# Pages a role opens.


def may_flag(user: AnyUser) -> bool:
    """ "Flag a moment" is the client's."""
    return _clinical_role(user) == Role.CLIENT


def may_log(user: AnyUser) -> bool:
    """Logging a moment from the therapist's side."""
    return _clinical_role(user) == Role.THERAPIST


def may_check_in(user: AnyUser) -> bool:
    return is_care_team_member(user)


def may_review(user: AnyUser) -> bool:
    """The supervisor's review across their supervisees."""
    return _clinical_role(user) == Role.SUPERVISOR


def may_see_patterns(user: AnyUser) -> bool:
    """A therapist's own patterns page."""
    return _clinical_role(user) == Role.THERAPIST


def may_see_figures(user: AnyUser) -> bool:
    """The moments behind a figure, and the CSV: whoever has a figures page."""
    return may_review(user) or may_see_patterns(user)


def may_set_notices(user: AnyUser) -> bool:
    """Email notices of new flags and replies are a therapist's setting."""
    return _clinical_role(user) == Role.THERAPIST


def may_read_own_record(user: AnyUser) -> bool:
    """The right of access: a client's whole record and who opened it."""
    return _clinical_role(user) == Role.CLIENT


# A session (loaded through `sessions_for`).


def _has_begun(therapy_session: TherapySession) -> bool:
    return therapy_session.starts_at <= timezone.now()


def may_log_in(user: AnyUser, therapy_session: TherapySession) -> bool:
    """The case's therapist logs moments in sessions that have begun."""
    return (
        may_log(user)
        and _has_begun(therapy_session)
        and therapy_session.case.therapist_id == user.pk
    )


def may_flag_in(user: AnyUser, therapy_session: TherapySession) -> bool:
    """The case's client flags moments in sessions that have begun."""
    case = therapy_session.case
    return may_flag(user) and _has_begun(therapy_session) and case.client_id == user.pk


def may_check_in_to(user: AnyUser, therapy_session: TherapySession) -> bool:
    """The case's client or therapist answers a session's check-in once it has begun (once
    each: the view says so when they already have)."""
    case = therapy_session.case
    return (
        may_check_in(user)
        and _has_begun(therapy_session)
        and user.pk in (case.client_id, case.therapist_id)
    )


# A rupture (loaded through `ruptures_for` or `ruptures_with_threads`).


def may_edit(user: AnyUser, rupture: Rupture) -> bool:
    """Only the author edits or withdraws an entry."""
    return is_care_team_member(user) and rupture.author_id == user.pk


def may_share(user: AnyUser, rupture: Rupture) -> bool:
    """A client shares their own private draft. (A therapist's private entry is shared by
    editing its visibility.)"""
    return (
        may_edit(user, rupture)
        and rupture.author_role == RespondentRole.CLIENT
        and rupture.visibility == Visibility.PRIVATE
    )


def may_repair(user: AnyUser, rupture: Rupture) -> bool:
    """The case's therapist adds and edits repair steps, and sets status and agreement."""
    return is_case_therapist(user, rupture)


def may_link(user: AnyUser, rupture: Rupture) -> bool:
    """The case's therapist links a client's flag, not yet linked, to their own entry for
    the same moment (or records their view of it)."""
    return (
        is_case_therapist(user, rupture)
        and rupture.author_role == RespondentRole.CLIENT
        and not rupture.counterpart_id
    )


def may_add_note(user: AnyUser, rupture: Rupture) -> bool:
    """The client and the case's therapist reply; a supervisor adds a supervision note."""
    role = _clinical_role(user)
    return role in (Role.CLIENT, Role.SUPERVISOR) or is_case_therapist(user, rupture)


def may_give_client_view(user: AnyUser, rupture: Rupture) -> bool:
    """On a therapist's shared entry, the client says whether they saw it the same way."""
    return (
        _clinical_role(user) == Role.CLIENT
        and rupture.author_role == RespondentRole.THERAPIST
        and rupture.visibility == Visibility.SHARED
    )


def may_mark(user: AnyUser, rupture: Rupture) -> bool:
    """A supervisor marks a supervisee's moment reviewed, or codes it blind."""
    return _clinical_role(user) == Role.SUPERVISOR


def may_open_history(user: AnyUser, rupture: Rupture) -> bool:
    """The card's "History" link: for the client and therapist (supervisors open only their
    own notes' history, from elsewhere)."""
    return is_care_team_member(user)


# A note (loaded through `notes_for`).


def may_edit_note(user: AnyUser, note: Note) -> bool:
    """Only the author edits or withdraws a note."""
    return note.author_id == user.pk


def require(allowed: bool) -> None:
    """Refuse an action the person may not take with the same 404 as an object outside
    their scope: nothing tells them whether it exists."""
    if not allowed:
        raise Http404
