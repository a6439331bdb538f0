"""Template helpers for showing clinical records to the person looking at them."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

from repairs.codes import CODES_BY_KIND
from rupturelog import access
from sessions.models import Case

register = template.Library()


@register.filter
def client_name_for(case: Case, viewer) -> str:
    """The client's name, or their pseudonym where the viewer is a supervisor."""
    return access.client_name(viewer, case)


def _number(value: object) -> bool:
    # A missing figure reaches a filter as None, or as "" from an absent attribute.
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def percent(value: float | None) -> str:
    """0.625 → "63%"; nothing to divide by → "—"."""
    return f"{value * 100:.0f}%" if _number(value) else "—"


@register.filter
def one_decimal(value: float | None) -> str:
    return f"{value:.1f}" if _number(value) else "—"


@register.filter
def two_decimals(value: float | None) -> str:
    return f"{value:.2f}" if _number(value) else "—"


@register.filter
def heat(value: float | None) -> str:
    """A CSS class for a heat-map cell: five steps of resolution rate, plus none."""
    if not _number(value):
        return "heat-none"
    return f"heat-{min(4, int(value * 5))}"


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key, 0)


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


@register.simple_tag
def id_url(name: str, object_id: int) -> str:
    """`{% url name object_id %}` for a URL that takes one integer id, without walking the
    URL resolver each time: a timeline prints several such links per card, and reversing
    them was a tenth of the page's rendering."""
    return _id_url(name, object_id)


def _id_url(name: str, object_id: int) -> str:
    before, after = _url_shape(get_urlconf(), get_script_prefix(), name)
    return f"{before}{int(object_id)}{after}"


def reporter_text(rupture, viewer_id: int | None, viewer_role: str | None) -> str:
    """Who noted the moment and when, as the viewer reads it ("You noted a moment at minute
    12"); what repairs/_reporter.html prints."""
    if rupture.author_id == viewer_id:
        who = "You noted"
    elif rupture.author_role == "client":
        who = "You noted" if viewer_role == "client" else "Client flagged"
    else:
        who = "Your therapist noted" if viewer_role == "client" else "Therapist noted"
    if rupture.minute is None:
        return f"{who} a moment (not sure when)"
    return f"{who} a moment at minute {rupture.minute}"


@register.simple_tag(takes_context=True)
def reporter(context, rupture) -> str:
    user = context.get("user")
    return reporter_text(rupture, getattr(user, "pk", None), getattr(user, "role", None))


def _step(step, viewer_role: str | None, edits: bool) -> dict:
    if viewer_role == "client":
        heading = "You raised it" if step.initiated_by == "client" else "Your therapist responded"
    else:
        heading = step.get_strategy_display()
    return {
        "heading": heading,
        "session_number": step.session_number,
        "initiated_by": str(step.get_initiated_by_display()).lower(),
        "outcome": str(step.get_outcome_display()).lower(),
        "description": step.description,
        "version": step.version,
        "edit_url": _id_url("step_edit", step.pk) if edits else "",
        "withdraw_url": _id_url("step_withdraw", step.pk) if edits else "",
    }


def _note(note, viewer_id: int | None, viewer_role: str | None) -> dict:
    mine = note.author_id == viewer_id
    if mine:
        author = "You"
    elif note.author_role == "client" and viewer_role == "supervisor":
        author = "Client"
    else:
        author = note.author_name
    if note.author_role == "supervisor":
        tag = "supervision note"
    elif note.visibility == "private":
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
        "edit_url": _id_url("note_edit", note.pk) if mine else "",
        "withdraw_url": _id_url("note_withdraw", note.pk) if mine else "",
    }


@register.simple_tag(takes_context=True)
def rupture_card(context, rupture) -> dict:
    """What a rupture card prints, worked out once in Python for the viewer (`user`) on the
    page of `therapy_session`: labels, the viewer's permissions and the links, as a plain
    dict. Reading a model's attributes and calling its `get_..._display` from the template,
    a lookup at a time, was most of a long timeline's rendering. Nothing is kept after the
    request."""
    user = context.get("user")
    viewer_id = getattr(user, "pk", None)
    viewer_role = getattr(user, "role", None)
    page_session = context.get("therapy_session")
    if isinstance(page_session, dict):
        page_session_id = page_session.get("pk")
    else:
        page_session_id = getattr(page_session, "pk", None)
    rid = rupture.pk
    client = viewer_role == "client"
    case_therapist = viewer_id == rupture.case_therapist_id
    author = rupture.author_id == viewer_id
    by_client = rupture.author_role == "client"
    private = rupture.visibility == "private"

    if private and by_client:
        whose = "you" if author else "the client"
        private_tag = f"Private draft — only {whose} can see this"
    elif private:
        private_tag = "Private — therapist and supervisor only"
    else:
        private_tag = ""
    counterpart_url = counterpart_whose = ""
    if rupture.counterpart_id and (
        rupture.counterpart_visibility == "shared" or rupture.counterpart_author_id == viewer_id
    ):
        counterpart_url = (
            f"{_id_url('session_detail', rupture.counterpart_session_id)}"
            f"#rupture-{int(rupture.counterpart_id)}"
        )
        counterpart_whose = "the therapist's" if by_client else "your" if client else "the client's"
    codes = []
    for kind, code in access.code_list(rupture):
        label = CODES_BY_KIND[kind](code).label
        if kind == "feeling":
            codes.append(("code-feeling", f"felt {str(label).lower()}"))
        elif not client:
            codes.append((f"code-{kind}", label))
    member = viewer_role in ("client", "therapist")
    card = {
        "rid": rid,
        "family": rupture.family,
        "author_role": rupture.author_role,
        "status": rupture.status,
        "version": rupture.version,
        "reporter": reporter_text(rupture, viewer_id, viewer_role),
        "elsewhere": rupture.therapy_session_id != page_session_id,
        "session_number": rupture.session_number,
        "recognised": str(rupture.get_recognised_display()).lower(),
        "family_label": "" if client else rupture.get_family_display(),
        "intensity": rupture.intensity,
        "status_label": rupture.get_status_display(),
        "private_tag": private_tag,
        "counterpart_url": counterpart_url,
        "counterpart_whose": counterpart_whose,
        "account": rupture.account,
        "codes": codes,
        "codes_label": "What it felt like" if client else "Codes",
        "agreement": rupture.agreement,
        "client_view": rupture.get_client_view_display() if rupture.client_view else "",
        "client": client,
        "steps": [_step(s, viewer_role, case_therapist) for s in rupture.visible_steps],
        "notes": [_note(n, viewer_id, viewer_role) for n in rupture.visible_notes],
        "supervisor": viewer_role == "supervisor",
        "reviewed": bool(getattr(rupture, "my_reviews", None)),
        "member": member,
        "case_therapist": case_therapist,
        "author": author,
        "can_reply": client or case_therapist,
        "can_share": private and by_client,
        "can_link": by_client and not rupture.counterpart_id,
        "can_client_view": client
        and rupture.author_role == "therapist"
        and rupture.visibility == "shared",
        "therapy_session_id": rupture.therapy_session_id,
        "history_url": _id_url("rupture_history", rid),
        "versions": rupture.version if rupture.version > 1 else None,
    }
    urls = []
    if viewer_role == "supervisor":
        urls += ["note_new", "coding", "reviewed"]
    elif member:
        if card["can_reply"]:
            urls.append("note_new")
        if author:
            urls += ["rupture_edit", "rupture_share", "rupture_withdraw"]
        if case_therapist:
            urls += ["step_new", "rupture_status", "rupture_link"]
        if card["can_client_view"]:
            urls.append("client_view")
    for name in urls:
        card[f"{name}_url"] = _id_url(name, rid)
    if case_therapist and card["can_link"]:
        card["rupture_new_url"] = _id_url("rupture_new", rupture.therapy_session_id)
    return card
