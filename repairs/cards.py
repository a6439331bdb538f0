"""What a moment's card shows to the person looking at it, worked out once per card in
Python: its labels, and the actions the viewer may take — offered exactly when the scoping
module's `may_*` predicates allow them, the same predicates the views check.

Reading a model's attributes and calling its `get_..._display` from the template, a lookup
at a time, was most of a long timeline's rendering; a card is a plain dict instead. Nothing
is kept after the request.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.urls import get_script_prefix, get_urlconf, reverse

from repairs import access
from repairs.codes import CODES_BY_KIND, AuthorRole, CodeKind, Visibility
from rupturelog.accounts.models import Role
from sessions.models import RespondentRole

if TYPE_CHECKING:
    from repairs.access import NamedNote, NumberedStep, ThreadedRupture
    from repairs.models import Rupture
    from rupturelog.accounts.models import User

# An id that no URL pattern's fixed text contains, to mark where the id goes.
_PLACEHOLDER = "987654321"


# Bounded: the script prefix comes from the server's environment, but nothing here should
# grow without limit whatever a request carries.
@lru_cache(maxsize=256)
def _url_shape(urlconf: str | None, script_prefix: str, name: str) -> tuple[str, str]:
    """The text before and after the id in the URL `name`, reversed once per process. Only
    the URL's shape is kept, never data: the same for every user and request."""
    url = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)
    if url.count(_PLACEHOLDER) != 1:
        raise ValueError(f"Cannot tell where the id goes in {name}'s URL {url}")
    before, _, after = url.partition(_PLACEHOLDER)
    return before, after


def id_url(name: str, object_id: int) -> str:
    """`reverse(name, args=[object_id])` for a URL that takes one integer id, without
    walking the URL resolver each time: a card prints several such links."""
    before, after = _url_shape(get_urlconf(), get_script_prefix(), name)
    return f"{before}{int(object_id)}{after}"


def reporter_text(rupture: Rupture, viewer_id: int | None, viewer_role: str | None) -> str:
    """Who noted the moment and when, as the viewer reads it ("You noted a moment at minute
    12"); what repairs/_reporter.html prints."""
    if rupture.author_id == viewer_id:
        who = "You noted"
    elif rupture.author_role == RespondentRole.CLIENT:
        who = "You noted" if viewer_role == Role.CLIENT else "Client flagged"
    else:
        who = "Your therapist noted" if viewer_role == Role.CLIENT else "Therapist noted"
    if rupture.minute is None:
        return f"{who} a moment (not sure when)"
    return f"{who} a moment at minute {rupture.minute}"


def _step(step: NumberedStep, viewer_role: str | None, edits: bool) -> dict[str, Any]:
    if viewer_role == Role.CLIENT:
        raised = step.initiated_by == RespondentRole.CLIENT
        heading = "You raised it" if raised else "Your therapist responded"
    else:
        heading = step.get_strategy_display()
    return {
        "heading": heading,
        "session_number": step.session_number,
        "initiated_by": str(step.get_initiated_by_display()).lower(),
        "outcome": str(step.get_outcome_display()).lower(),
        "description": step.description,
        "version": step.version,
        "edit_url": id_url("step_edit", step.pk) if edits else "",
        "withdraw_url": id_url("step_withdraw", step.pk) if edits else "",
    }


def _note(note: NamedNote, user: User) -> dict[str, Any]:
    mine = access.may_edit_note(user, note)
    if note.author_id == user.pk:
        author = "You"
    elif note.author_role == AuthorRole.CLIENT and user.role == Role.SUPERVISOR:
        author = "Client"
    else:
        author = note.author_name
    if note.author_role == AuthorRole.SUPERVISOR:
        tag = "supervision note"
    elif note.visibility == Visibility.PRIVATE:
        tag = "private"
    else:
        tag = ""
    return {
        "author_role": note.author_role,
        "author": author,
        "tag": tag,
        "created_at": note.created_at,
        "body": note.body,
        "mine": mine,
        "version": note.version,
        "edit_url": id_url("note_edit", note.pk) if mine else "",
        "withdraw_url": id_url("note_withdraw", note.pk) if mine else "",
    }


def _private_tag(rupture: Rupture, author: bool) -> str:
    if rupture.visibility != Visibility.PRIVATE:
        return ""
    if rupture.author_role == RespondentRole.CLIENT:
        whose = "you" if author else "the client"
        return f"Private draft — only {whose} can see this"
    return "Private — therapist and supervisor only"


def _counterpart(rupture: ThreadedRupture, viewer_id: int | None, client: bool) -> tuple[str, str]:
    """The link to the other side's report of the same moment, and whose it is, when the
    viewer may see that report."""
    # Without a counterpart both ids are None: testing both is for the type checker.
    counterpart_id, session_id = rupture.counterpart_id, rupture.counterpart_session_id
    if (
        not counterpart_id
        or session_id is None
        or not (
            rupture.counterpart_visibility == Visibility.SHARED
            or rupture.counterpart_author_id == viewer_id
        )
    ):
        return "", ""
    url = f"{id_url('session_detail', session_id)}#rupture-{int(counterpart_id)}"
    if rupture.author_role == RespondentRole.CLIENT:
        return url, "the therapist's"
    return url, "your" if client else "the client's"


def _codes(rupture: ThreadedRupture, client: bool) -> list[tuple[str, str]]:
    codes = []
    for kind, code in access.code_list(rupture):
        label = CODES_BY_KIND[kind](code).label
        if kind == CodeKind.FEELING:
            codes.append(("code-feeling", f"felt {str(label).lower()}"))
        elif not client:
            codes.append((f"code-{kind}", label))
    return codes


def _actions(user: User, rupture: ThreadedRupture) -> dict[str, Any]:
    """What the viewer may do with the card, and the URL of each action allowed."""
    allowed = {
        "note_new": access.may_add_note(user, rupture),
        "rupture_edit": access.may_edit(user, rupture),
        "rupture_withdraw": access.may_edit(user, rupture),
        "rupture_share": access.may_share(user, rupture),
        "step_new": access.may_repair(user, rupture),
        "rupture_status": access.may_repair(user, rupture),
        "rupture_link": access.may_link(user, rupture),
        "client_view": access.may_give_client_view(user, rupture),
        "coding": access.may_mark(user, rupture),
        "reviewed": access.may_mark(user, rupture),
        "rupture_history": access.may_open_history(user, rupture),
    }
    actions: dict[str, Any] = {
        f"{name}_url": id_url(name, rupture.pk) for name, ok in allowed.items() if ok
    }
    if allowed["rupture_link"]:
        # "Record my view of it": a new entry in the flag's session, as its counterpart.
        actions["rupture_new_url"] = id_url("rupture_new", rupture.therapy_session_id)
    actions.update(
        member=access.is_care_team_member(user),
        supervisor=user.role == Role.SUPERVISOR,
        can_reply=allowed["note_new"],
        author=allowed["rupture_edit"],
        can_share=allowed["rupture_share"],
        case_therapist=allowed["step_new"],
        can_link=allowed["rupture_link"],
        can_client_view=allowed["client_view"],
        history_url=actions.get("rupture_history_url", ""),
    )
    return actions


def card_for(rupture: ThreadedRupture, user: User, page_session_id: int | None) -> dict[str, Any]:
    """The card of `rupture` (from `access.ruptures_with_threads(user)`) for `user`, on the
    timeline of session `page_session_id`."""
    client = user.role == Role.CLIENT
    actions = _actions(user, rupture)
    counterpart_url, counterpart_whose = _counterpart(rupture, user.pk, client)
    return {
        "rid": rupture.pk,
        "family": rupture.family,
        "author_role": rupture.author_role,
        "status": rupture.status,
        "version": rupture.version,
        "reporter": reporter_text(rupture, user.pk, user.role),
        "elsewhere": rupture.therapy_session_id != page_session_id,
        "session_number": rupture.session_number,
        "recognised": str(rupture.get_recognised_display()).lower(),
        "family_label": "" if client else rupture.get_family_display(),
        "intensity": rupture.intensity,
        "status_label": rupture.get_status_display(),
        "private_tag": _private_tag(rupture, rupture.author_id == user.pk),
        "counterpart_url": counterpart_url,
        "counterpart_whose": counterpart_whose,
        "account": rupture.account,
        "codes": _codes(rupture, client),
        "codes_label": "What it felt like" if client else "Codes",
        "agreement": rupture.agreement,
        "client_view": rupture.get_client_view_display() if rupture.client_view else "",
        "client": client,
        "steps": [_step(s, user.role, actions["case_therapist"]) for s in rupture.visible_steps],
        "notes": [_note(n, user) for n in rupture.visible_notes],
        "reviewed": bool(getattr(rupture, "my_reviews", None)),
        "therapy_session_id": rupture.therapy_session_id,
        "versions": rupture.version if rupture.version > 1 else None,
        **actions,
    }
