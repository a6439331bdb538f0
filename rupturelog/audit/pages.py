"""What the access log records for each page: one entry per URL name, and a test
(tests/rupturelog/audit/test_pages.py) fails when a routed URL has none, so a new page is
never silently left out of the log.

The log itself (rupturelog/audit/middleware.py) reads the object from the URL (its
`case_id`, `session_id`, `rupture_id`, `step_id` or `note_id`) and its case from what the
view noted while loading it through the scoping module. Names only, no imports: the
platform knows the clinical pages by name, as the authorization matrix does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    VIEW = "view"  # shows clinical data; a save through the same page is logged as a change
    CHANGE = "change"  # a POST-only action on clinical data (logged as what it did)
    EXPORT = "export"  # clinical data leaves the app as a file
    REVEAL = "reveal"  # a supervisor sees a client's real name, with the reason chosen
    NONE = "none"  # not logged: `why` says why


@dataclass(frozen=True)
class Page:
    kind: Kind
    why: str = ""
    # What the client reads on "Who opened your record" ("… opened your sessions overview").
    client_words: str = "a part of your record"


VIEW, CHANGE, EXPORT = Page(Kind.VIEW), Page(Kind.CHANGE), Page(Kind.EXPORT)
FOR_SUPERVISION = "an export for supervision (without your name)"

PAGES: dict[str, Page] = {
    # --- The clinical pages (repairs/urls.py) ---
    "home": Page(Kind.VIEW, client_words="their home page"),
    "case_detail": Page(Kind.VIEW, client_words="your sessions overview"),
    "reveal_name": Page(
        Kind.REVEAL, client_words="your real name (supervisors otherwise see a pseudonym)"
    ),
    "session_detail": Page(Kind.VIEW, client_words="a session's timeline"),
    "rupture_card": Page(Kind.VIEW, client_words="a moment on the timeline"),
    "session_changes": Page(
        Kind.NONE,
        "an open timeline asking every few seconds whether its case changed: it answers a "
        "revision number, not clinical content; what it then loads is logged",
    ),
    "rupture_new": VIEW,
    "flag_new": VIEW,
    "rupture_edit": VIEW,
    "rupture_share": CHANGE,
    "rupture_withdraw": CHANGE,
    "rupture_link": VIEW,
    "client_view": VIEW,
    "rupture_status": VIEW,
    "step_new": VIEW,
    "step_edit": VIEW,
    "step_withdraw": CHANGE,
    "note_new": VIEW,
    "note_edit": VIEW,
    "note_withdraw": CHANGE,
    "rupture_history": Page(Kind.VIEW, client_words="the history of a moment"),
    "step_history": Page(Kind.VIEW, client_words="the history of a repair step"),
    "note_history": Page(Kind.VIEW, client_words="the history of a note"),
    "check_in": VIEW,
    "inbox_badge": Page(
        Kind.NONE, "the header's unread count, asked for in the background: a number only"
    ),
    "inbox_mark_read": Page(
        Kind.NONE, "marks the person's own inbox item read; it shows no clinical content"
    ),
    "inbox_mark_all_read": Page(
        Kind.NONE, "marks the person's own inbox items read; it shows no clinical content"
    ),
    "notify_preference": Page(Kind.NONE, "a therapist's own email setting"),
    "review": VIEW,
    "patterns": VIEW,
    "review_ruptures": Page(Kind.VIEW, client_words="a list of moments for supervision"),
    "reviewed": CHANGE,
    "coding": VIEW,
    "review_export_ruptures": Page(Kind.EXPORT, client_words=FOR_SUPERVISION),
    "review_export_steps": Page(Kind.EXPORT, client_words=FOR_SUPERVISION),
    "record_access": Page(
        Kind.NONE, "the client reading their own access log, which holds no clinical content"
    ),
    "my_record": VIEW,
    "my_record_json": EXPORT,
    # --- The platform's pages (rupturelog/urls.py, rupturelog/mfa/urls.py) ---
    "login": Page(Kind.NONE, "signing in; axes keeps its own log of sign-ins"),
    "logout": Page(Kind.NONE, "signing out"),
    "account": Page(Kind.NONE, "the person's own account details, no clinical data"),
    "password_change": Page(Kind.NONE, "the person's own password"),
    "password_change_done": Page(Kind.NONE, "the person's own password"),
    "password_reset": Page(Kind.NONE, "asking for a reset link, no clinical data"),
    "password_reset_done": Page(Kind.NONE, "asking for a reset link, no clinical data"),
    "password_reset_confirm": Page(Kind.NONE, "choosing a new password, no clinical data"),
    "password_reset_complete": Page(Kind.NONE, "choosing a new password, no clinical data"),
    "mfa_verify": Page(Kind.NONE, "the code step of signing in"),
    "mfa_settings": Page(Kind.NONE, "the person's own two-step settings"),
    "mfa_enrol": Page(Kind.NONE, "the person's own two-step settings"),
    "mfa_backup_codes": Page(Kind.NONE, "the person's own two-step settings"),
    "mfa_disable": Page(Kind.NONE, "the person's own two-step settings"),
    "invite_accept": Page(Kind.NONE, "an invitee choosing a password, no clinical data"),
    "client_invite": Page(Kind.NONE, "a therapist's invitations: names and emails only"),
    "client_invite_resend": Page(Kind.NONE, "a therapist's invitations: names and emails only"),
    "client_invite_cancel": Page(Kind.NONE, "a therapist's invitations: names and emails only"),
    "healthz": Page(Kind.NONE, "a health check for the load balancer"),
    "readyz": Page(Kind.NONE, "a health check for the load balancer"),
}
# Django's admin is the administrator's, who reaches no clinical data there (its own
# LogEntry records changes); every admin URL is under this namespace.
ADMIN = Page(Kind.NONE, "the administrator's Django admin, which shows no clinical content")


def page(url_name: str) -> Page:
    """The entry for a URL name. A name with no entry is logged as a view: an unknown page
    is recorded rather than missed (and the test above fails until it gets one)."""
    if url_name.startswith("admin:"):
        return ADMIN
    return PAGES.get(url_name, VIEW)


def client_words(url_name: str) -> str:
    """What a client reads for a page on "Who opened your record"."""
    return page(url_name).client_words
