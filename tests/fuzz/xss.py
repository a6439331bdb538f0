"""Stored-XSS payloads, put into every free-text field through the app's own forms, and a
check that a page shows them only as inert text.

The payloads go in as a person would type them: display names through the admin's user
form (as a full administrator), accounts through "Log a rupture" and "Flag a moment",
the agreement through "Status and agreement", repair-step descriptions, notes from the
client, the therapist (shared and private) and the supervisor, and check-in comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from repairs.models import Note, RepairStep, Rupture
from rupturelog.accounts.models import User
from tests import factories
from tests.conftest import Cast
from tests.repairs.conftest import check_in_data, entry_data, flag_data, step_data

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '" hx-get="/logout/" hx-trigger="load',
    "'><svg onload=alert(1)>",
    "{{ 7*7 }}",
    "</textarea><script>",
    '<img src=x onerror="window.__xss=1">',
]
ALL = "\n".join(PAYLOADS)  # one per line: linebreaksbr must escape before it breaks lines
ONE_LINE = " ".join(PAYLOADS)  # for the one-line check-in comment (280 characters at most)
# Display names hold 120 characters: the payloads shared out among the people of case A.
NAMES = {
    "therapist_a": f"Theo {PAYLOADS[0]} {PAYLOADS[7]}",
    "client_a": f"Ada {PAYLOADS[3]} {PAYLOADS[4]}",
    "supervisor_a": f"Sol {PAYLOADS[2]} {PAYLOADS[5]}",
    "therapist_b": f"Tamsin {PAYLOADS[1]} {PAYLOADS[6]}",
}
# Payloads that contain markup characters: none may ever appear raw in a page.
MARKUP = [p for p in PAYLOADS if set(p) & set("<>\"'")]
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@dataclass
class XssWorld:
    cast: Cast
    superadmin: User
    flag: Rupture  # client_a's shared flag (account, agreement)
    draft: Rupture  # client_a's private draft
    entry: Rupture  # therapist_a's shared entry (account, agreement, step, notes)
    private_entry: Rupture  # therapist_a's private entry
    step: RepairStep
    notes: dict[str, Note]  # by author persona (and "therapist_private")

    def login(self, persona: str, **headers: str) -> Client:
        user = self.superadmin if persona == "superadmin" else self.cast.persona(persona)
        client = Client(raise_request_exception=False, **headers)
        if user is not None:
            client.force_login(user)
        return client


def _post(client: Client, url: str, data: dict, *, expect: int = 303) -> None:
    response = client.post(url, data)
    assert response.status_code == expect, (url, response.status_code, response.content[:2000])


def build_xss_world(cast: Cast) -> XssWorld:
    """Every free-text field of case A (and a display name in case B) filled with the
    payloads, through the forms people use."""
    assert len(ONE_LINE) <= 280 and all(len(name) <= 120 for name in NAMES.values())
    superadmin = factories.make_admin(display_name="Root Admin", is_superuser=True)
    admin = Client()
    admin.force_login(superadmin)
    for persona, name in NAMES.items():
        user = cast.persona(persona)
        data = {"email": user.email, "display_name": name, "role": user.role, "is_active": "on"}
        _post(admin, reverse("admin:accounts_user_change", args=[user.pk]), data, expect=302)
        user.refresh_from_db()
        assert user.display_name == name

    world_partial: dict = {}
    client, therapist, supervisor = Client(), Client(), Client()
    client.force_login(cast.client_a)
    therapist.force_login(cast.therapist_a)
    supervisor.force_login(cast.supervisor_a)
    session = cast.session_a
    factories.make_session(cast.case_a)  # session 2: where open moments are carried over

    def newest() -> Rupture:
        return Rupture.objects.latest("pk")

    _post(client, reverse("flag_new"), flag_data(session, account=ALL))
    world_partial["flag"] = newest()
    _post(client, reverse("flag_new"), flag_data(session, account=ALL, visibility="private"))
    world_partial["draft"] = newest()
    _post(therapist, reverse("rupture_new", args=[session.pk]), entry_data(account=ALL))
    world_partial["entry"] = newest()
    _post(
        therapist,
        reverse("rupture_new", args=[session.pk]),
        entry_data(account=ALL, visibility="private"),
    )
    world_partial["private_entry"] = newest()
    for rupture in (world_partial["flag"], world_partial["entry"]):
        rupture.refresh_from_db()
        _post(
            therapist,
            reverse("rupture_status", args=[rupture.pk]),
            {"status": "repairing", "agreement": ALL, "version": rupture.version},
        )
    entry = world_partial["entry"]
    _post(therapist, reverse("step_new", args=[entry.pk]), step_data(session, description=ALL))
    step = RepairStep.objects.latest("pk")
    notes = {}
    for persona, who, data in (
        ("client_a", client, {"body": ALL}),
        ("therapist_a", therapist, {"body": ALL, "visibility": "shared"}),
        ("therapist_private", therapist, {"body": ALL, "visibility": "private"}),
        ("supervisor_a", supervisor, {"body": ALL}),
    ):
        _post(who, reverse("note_new", args=[entry.pk]), data)
        notes[persona] = Note.objects.latest("pk")
    _post(therapist, reverse("note_new", args=[world_partial["flag"].pk]), {"body": ALL})
    for who in (client, therapist):
        _post(who, reverse("check_in", args=[session.pk]), check_in_data(comment=ONE_LINE))
    for rupture in world_partial.values():
        rupture.refresh_from_db()
    return XssWorld(cast=cast, superadmin=superadmin, step=step, notes=notes, **world_partial)


# --- Checking a page --------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def injections(html: str) -> list[str]:
    """What a payload would look like had it escaped its text: script elements without a
    src (the app has no inline script), event-handler attributes (it has none), javascript:
    URLs, htmx attributes pointing at /logout/, an image from "x", and any payload raw."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag == "script" and "src" not in attrs:
            found.append(f"inline <script> {attrs}")
        for name, value in attrs.items():
            text = (value or "").strip().lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            if text.startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
            if name.startswith(("hx-", "data-hx-")) and "/logout/" in text:
                found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and attrs.get("src") == "x":
            found.append(f"<img src=x {attrs}>")
    found += [f"raw payload {p!r}" for p in MARKUP if p in html]
    return found
