"""Writes that touch several models or have side effects: the version check that keeps two
people's edits from silently overwriting each other, the case revision that open pages poll,
inbox items, and email notices.

Views decide *whether* a user may act (through repairs/access.py); these functions carry
the action out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from repairs.codes import (
    AuthorRole,
    CodeKind,
    Family,
    InboxKind,
    Status,
    Visibility,
)
from repairs.history import capture
from repairs.models import ClinicalItem, InboxItem, Note, RepairStep, Rupture, RuptureCode
from rupturelog.accounts.models import Role, User
from rupturelog.audit.middleware import note_change
from rupturelog.history import change
from rupturelog.mailing import send_plain
from sessions.models import Case, CheckIn, RespondentRole, TherapySession


class EditConflict(Exception):
    """Someone else saved the item since the editor loaded it. Nothing was written."""

    def __init__(self, current: ClinicalItem) -> None:
        super().__init__("The item changed since it was opened.")
        self.current = current


def _touch(case_id: int) -> None:
    """Every write path ends here: bump the case's revision, and tell the access log."""
    Case.objects.filter(pk=case_id).update(revision=F("revision") + 1)
    note_change()


def _save_versioned(item: Any, expected_version: int, fields: list[str]) -> None:
    """Write `fields` of `item` only if its stored version is still `expected_version`.

    One conditional UPDATE, so two concurrent saves cannot both pass the check.
    """
    model = type(item)
    values = {name: getattr(item, name) for name in fields}
    capture.keep_baseline(model, [item.pk])
    updated = model.objects.filter(
        pk=item.pk, version=expected_version, withdrawn_at__isnull=True
    ).update(**values, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise EditConflict(model.objects.get(pk=item.pk))
    capture.snapshot(model, [item.pk], "update")
    item.version = expected_version + 1


def _update_ruptures(pks: list[int], **values: Any) -> int:
    """A plain UPDATE of ruptures that is not an edit (links, the client's view), kept in
    the history like any other change."""
    capture.keep_baseline(Rupture, pks)
    updated = Rupture.objects.filter(pk__in=pks).update(**values)
    capture.snapshot(Rupture, pks, "update")
    return updated


def _set_codes(rupture: Rupture, codes: dict[str, list[str]]) -> None:
    """Replace the rupture's codes of each kind given (kinds not given are left alone)."""
    for kind, values in codes.items():
        existing = set(rupture.codes.filter(kind=kind).values_list("code", flat=True))
        wanted = set(values)
        # Rows are clinical data too, so codes that no longer apply are removed only here,
        # through the one editing path; the version history keeps each removed code.
        capture.delete_codes(rupture.codes.filter(kind=kind, code__in=existing - wanted))
        added = sorted(wanted - existing)
        created = RuptureCode.objects.bulk_create(
            [RuptureCode(rupture=rupture, kind=kind, code=code) for code in added]
        )
        capture.snapshot(RuptureCode, [code.pk for code in created], "insert")


def _notify(recipient: User, kind: str, rupture: Rupture | None, therapy_session: TherapySession):
    InboxItem.objects.create(
        recipient=recipient,
        kind=kind,
        case_id=therapy_session.case_id,
        therapy_session=therapy_session,
        rupture=rupture,
    )
    emailed = kind in (InboxKind.CLIENT_FLAG, InboxKind.REPLY)  # what the opt-in promises
    if (
        emailed
        and recipient.role == Role.THERAPIST
        and recipient.notify_by_email
        and recipient.is_active
    ):
        path = reverse("home")
        transaction.on_commit(lambda: _send_notice(recipient, path))


def _send_notice(recipient: User, path: str) -> None:
    # No clinical text, no client name: only that something is waiting, and where.
    send_plain(
        "RuptureLog: something new in your inbox",
        "There is something new for you in RuptureLog.\n\n"
        f"Log in to read it: {settings.SITE_URL}{path}\n\n"
        "You get this email because you asked for notices. "
        "You can turn them off on your home page.",
        recipient.email,
        # A mail outage must not undo the client's flag; the inbox still shows it.
        what=f"an inbox notice to user {recipient.pk}",
    )


def _counterparty(case: Case, author_role: str) -> User:
    return case.therapist if author_role == RespondentRole.CLIENT else case.client


@dataclass
class RuptureData:
    minute: int | None
    account: str
    intensity: int | None
    recognised: str
    family: str = Family.UNCLASSIFIED
    visibility: str = Visibility.SHARED
    markers: list[str] | None = None
    causes: list[str] | None = None
    feelings: list[str] | None = None

    def codes(self) -> dict[str, list[str]]:
        given = {
            CodeKind.MARKER: self.markers,
            CodeKind.CAUSE: self.causes,
            CodeKind.FEELING: self.feelings,
        }
        return {kind: values for kind, values in given.items() if values is not None}


RUPTURE_FIELDS = ["minute", "account", "intensity", "recognised", "family", "visibility"]


@change()
@transaction.atomic
def rupture_create(
    *,
    author: User,
    therapy_session: TherapySession,
    data: RuptureData,
    counterpart: Rupture | None = None,
) -> Rupture:
    role = RespondentRole.CLIENT if author.role == Role.CLIENT else RespondentRole.THERAPIST
    rupture = Rupture(
        author=author,
        author_role=role,
        case_id=therapy_session.case_id,
        therapy_session=therapy_session,
        **{name: getattr(data, name) for name in RUPTURE_FIELDS},
    )
    if role == RespondentRole.CLIENT:
        rupture.family = Family.UNCLASSIFIED  # clients describe, therapists classify
    if rupture.visibility == Visibility.SHARED:
        rupture.shared_at = timezone.now()
    rupture.save()
    capture.snapshot(Rupture, [rupture.pk], "insert")
    _set_codes(rupture, data.codes())
    if counterpart is not None:
        _link(rupture, counterpart)
    if rupture.visibility == Visibility.SHARED:
        kind = InboxKind.CLIENT_FLAG if role == RespondentRole.CLIENT else InboxKind.SHARED_ENTRY
        _notify(_counterparty(therapy_session.case, role), kind, rupture, therapy_session)
    _touch(rupture.case_id)
    return rupture


@change()
@transaction.atomic
def rupture_update(rupture: Rupture, *, expected_version: int, data: RuptureData) -> Rupture:
    was_shared = rupture.visibility == Visibility.SHARED
    for name in RUPTURE_FIELDS:
        setattr(rupture, name, getattr(data, name))
    if rupture.author_role == RespondentRole.CLIENT:
        rupture.family = Family.UNCLASSIFIED
    fields = list(RUPTURE_FIELDS)
    now_shared = rupture.visibility == Visibility.SHARED
    if now_shared and not was_shared:
        rupture.shared_at = timezone.now()
        fields.append("shared_at")
    _save_versioned(rupture, expected_version, fields)
    _set_codes(rupture, data.codes())
    if now_shared and not was_shared:
        _announce_shared(rupture)
    _touch(rupture.case_id)
    return rupture


def _announce_shared(rupture: Rupture) -> None:
    kind = (
        InboxKind.CLIENT_FLAG
        if rupture.author_role == RespondentRole.CLIENT
        else InboxKind.SHARED_ENTRY
    )
    case = Case.objects.select_related("client", "therapist").get(pk=rupture.case_id)
    _notify(_counterparty(case, rupture.author_role), kind, rupture, rupture.therapy_session)


@change()
@transaction.atomic
def rupture_share(rupture: Rupture, *, expected_version: int) -> Rupture:
    """Share a private entry (a client's draft) with the care team."""
    rupture.visibility = Visibility.SHARED
    rupture.shared_at = timezone.now()
    _save_versioned(rupture, expected_version, ["visibility", "shared_at"])
    _announce_shared(rupture)
    _touch(rupture.case_id)
    return rupture


@change()
@transaction.atomic
def rupture_withdraw(rupture: Rupture, *, expected_version: int) -> None:
    """Hide the entry from every view; the row stays for the record."""
    rupture.withdrawn_at = timezone.now()
    _save_versioned(rupture, expected_version, ["withdrawn_at"])
    # A withdrawn report no longer stands for the moment, so the pairing goes with it.
    if rupture.counterpart_id:
        _update_ruptures([rupture.counterpart_id], counterpart=None)
        _update_ruptures([rupture.pk], counterpart=None)
    _touch(rupture.case_id)


@change()
@transaction.atomic
def rupture_set_status(
    rupture: Rupture, *, expected_version: int, status: str, agreement: str
) -> Rupture:
    rupture.status = status
    rupture.agreement = agreement
    _save_versioned(rupture, expected_version, ["status", "agreement"])
    _touch(rupture.case_id)
    return rupture


@change()
@transaction.atomic
def rupture_set_client_view(rupture: Rupture, *, client_view: str) -> Rupture:
    """The client's answer on a therapist's shared entry: did they see it the same way?"""
    _update_ruptures([rupture.pk], client_view=client_view)
    rupture.client_view = client_view
    case = Case.objects.select_related("therapist").get(pk=rupture.case_id)
    _notify(case.therapist, InboxKind.CLIENT_VIEW, rupture, rupture.therapy_session)
    _touch(rupture.case_id)
    return rupture


def _link(one: Rupture, other: Rupture) -> None:
    _update_ruptures([one.pk], counterpart=other)
    _update_ruptures([other.pk], counterpart=one)
    one.counterpart, other.counterpart = other, one


@change()
@transaction.atomic
def rupture_link(flag: Rupture, own_entry: Rupture) -> None:
    """Join a client's flag and the therapist's entry as one moment seen from two sides."""
    _link(flag, own_entry)
    _touch(flag.case_id)


@dataclass
class RepairStepData:
    therapy_session: TherapySession
    initiated_by: str
    strategy: str
    description: str
    outcome: str


STEP_FIELDS = ["therapy_session", "initiated_by", "strategy", "description", "outcome"]


@change()
def repair_step_add(rupture: Rupture, *, author: User, data: RepairStepData) -> RepairStep:
    # Two people adding a step at the same moment race for the next position; the unique
    # constraint turns the loser's insert into an error, so take the next number and retry.
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = rupture.repair_steps.aggregate(last=Max("position"))["last"] or 0
                step = RepairStep.objects.create(
                    rupture=rupture,
                    author=author,
                    position=last + 1,
                    **{name: getattr(data, name) for name in STEP_FIELDS},
                )
                capture.snapshot(RepairStep, [step.pk], "insert")
                if rupture.status == Status.OPEN:
                    capture.keep_baseline(Rupture, [rupture.pk])
                    if Rupture.objects.filter(pk=rupture.pk, status=Status.OPEN).update(
                        status=Status.REPAIRING, version=F("version") + 1
                    ):
                        capture.snapshot(Rupture, [rupture.pk], "update")
                _touch(rupture.case_id)
                return step
        except IntegrityError:
            continue
    raise IntegrityError("Could not number the repair step; please try again.")


@change()
@transaction.atomic
def repair_step_update(step: RepairStep, *, expected_version: int, data: RepairStepData):
    for name in STEP_FIELDS:
        setattr(step, name, getattr(data, name))
    _save_versioned(step, expected_version, STEP_FIELDS)
    _touch(step.rupture.case_id)
    return step


@change()
@transaction.atomic
def repair_step_withdraw(step: RepairStep, *, expected_version: int) -> None:
    step.withdrawn_at = timezone.now()
    _save_versioned(step, expected_version, ["withdrawn_at"])
    _touch(step.rupture.case_id)


@change()
@transaction.atomic
def note_add(rupture: Rupture, *, author: User, body: str, visibility: str) -> Note:
    author_roles: dict[str, AuthorRole] = {
        Role.CLIENT: AuthorRole.CLIENT,
        Role.THERAPIST: AuthorRole.THERAPIST,
        Role.SUPERVISOR: AuthorRole.SUPERVISOR,
    }
    role = author_roles[author.role]
    note = Note.objects.create(
        rupture=rupture, author=author, author_role=role, body=body, visibility=visibility
    )
    capture.snapshot(Note, [note.pk], "insert")
    if visibility == Visibility.SHARED and role != AuthorRole.SUPERVISOR:
        case = Case.objects.select_related("client", "therapist").get(pk=rupture.case_id)
        _notify(_counterparty(case, role), InboxKind.REPLY, rupture, rupture.therapy_session)
    _touch(rupture.case_id)
    return note


@change()
@transaction.atomic
def note_update(note: Note, *, expected_version: int, body: str) -> Note:
    note.body = body
    _save_versioned(note, expected_version, ["body"])
    _touch(note.rupture.case_id)
    return note


@change()
@transaction.atomic
def note_withdraw(note: Note, *, expected_version: int) -> None:
    note.withdrawn_at = timezone.now()
    _save_versioned(note, expected_version, ["withdrawn_at"])
    _touch(note.rupture.case_id)


def check_ins_disagree(client: CheckIn, therapist: CheckIn) -> bool:
    """One saw tension and the other did not, or their resolution ratings differ by 2+."""
    if client.tension != therapist.tension:
        return True
    if client.resolution is not None and therapist.resolution is not None:
        return abs(client.resolution - therapist.resolution) >= 2
    return False


@change()
@transaction.atomic
def check_in_save(
    therapy_session: TherapySession,
    *,
    respondent: User,
    tension: bool,
    intensity: int | None,
    resolution: int | None,
    comment: str,
) -> CheckIn:
    role = RespondentRole.CLIENT if respondent.role == Role.CLIENT else RespondentRole.THERAPIST
    check_in = CheckIn.objects.create(
        therapy_session=therapy_session,
        respondent=respondent,
        respondent_role=role,
        tension=tension,
        intensity=intensity if tension else None,
        resolution=resolution if tension else None,
        comment=comment,
    )
    capture.snapshot(CheckIn, [check_in.pk], "insert")
    other = CheckIn.objects.filter(therapy_session=therapy_session).exclude(pk=check_in.pk).first()
    if other is not None:
        pair = (check_in, other) if role == RespondentRole.CLIENT else (other, check_in)
        if check_ins_disagree(*pair):
            case = therapy_session.case
            _notify(case.therapist, InboxKind.CHECK_IN_DISAGREES, None, therapy_session)
    _touch(therapy_session.case_id)
    return check_in
