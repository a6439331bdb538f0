"""Writes an access event for every successful view of, or change to, clinical data.

One place for the whole app: the URL's name says what kind of page it is and its keyword
argument which object, so no view can forget to log. Background polls ("anything new?",
the inbox badge) are not views of clinical content and are not logged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from rupturelog.audit.models import AccessEvent, Action
from rupturelog.logs import current_request

# URL keyword argument → (object type, how to find its case id).
OBJECTS = {
    "case_id": "case",
    "session_id": "session",
    "rupture_id": "rupture",
    "step_id": "repair_step",
    "note_id": "note",
}
# Pages that show or change clinical data but name no single object.
SCOPE_PAGES = {"home", "flag_new", "review", "patterns", "review_ruptures", "my_record"}
EXPORTS = {"review_export_ruptures", "review_export_steps", "my_record_json"}
NOT_LOGGED = {"session_changes", "inbox_badge", "healthz", "readyz", "login", "logout"}
# Set by note_change() when the request wrote clinical data (the services call it).
changed: ContextVar[bool] = ContextVar("audit_changed", default=False)
exported: ContextVar[bool] = ContextVar("audit_exported", default=False)
# Set by note_reveal() when a supervisor was shown a client's real name, with the reason.
revealed: ContextVar[str] = ContextVar("audit_revealed", default="")
# (object type, id, case id), set by note_case() in a view that has loaded the URL's object.
known_case: ContextVar[tuple[str, int, int] | None] = ContextVar("audit_known_case", default=None)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def note_export() -> None:
    """Record that this request exported clinical data (the right-of-access downloads)."""
    exported.set(True)


def note_reveal(reason: str) -> None:
    """Record that this request showed a supervisor a client's real name, and why."""
    revealed.set(reason)


def note_case(object_type: str, object_id: int, case_id: int) -> None:
    """Tell the access log which case the URL's object is in, when the view has loaded it
    anyway (through the scoping module), so the log need not look it up again."""
    known_case.set((object_type, object_id, case_id))


def note_change() -> None:
    """Record that this request changed clinical data (called by every write path)."""
    changed.set(True)


def _case_id(object_type: str, object_id: int) -> int | None:
    # Imported here: the audit app sits below the clinical apps it logs.
    from repairs.models import Note, RepairStep, Rupture
    from sessions.models import TherapySession

    if object_type == "case":
        return object_id
    lookups = {
        "session": (TherapySession, "case_id"),
        "rupture": (Rupture, "case_id"),
        "repair_step": (RepairStep, "rupture__case_id"),
        "note": (Note, "rupture__case_id"),
    }
    model, field = lookups[object_type]
    return model.objects.filter(pk=object_id).values_list(field, flat=True).first()


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Each request starts with nothing noted.
        fresh = ((changed, False), (exported, False), (revealed, ""), (known_case, None))
        tokens = [(var, var.set(value)) for var, value in fresh]
        request_token = current_request.set(request)
        try:
            response = self.get_response(request)
            self._log(request, response)
        finally:
            for var, token in tokens:
                var.reset(token)
            current_request.reset(request_token)
        response["X-Request-ID"] = request.request_id
        return response

    def _log(self, request: HttpRequest, response: HttpResponse) -> None:
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None:
            return
        if user.role not in ("client", "therapist", "supervisor"):
            return  # administrators reach no clinical data through these pages
        name = match.view_name
        # Refusals show nothing; a 409 does: the edit conflict view shows the saved version.
        refused = response.status_code >= 400 and response.status_code != 409
        if name in NOT_LOGGED or name.startswith("admin:") or refused:
            return
        object_type, object_id = "", None
        for kwarg, kind in OBJECTS.items():
            if kwarg in match.kwargs:
                object_type, object_id = kind, match.kwargs[kwarg]
                break
        if object_id is None and name not in SCOPE_PAGES | EXPORTS:
            return
        if revealed.get():
            action = Action.REVEAL
        elif name in EXPORTS or exported.get():
            action = Action.EXPORT
        elif changed.get():
            action = Action.CHANGE
        else:
            action = Action.VIEW
        AccessEvent.objects.create(
            user=user,
            role=user.role,
            action=action,
            page=name,
            object_type=object_type,
            object_id=object_id,
            case_id=self._case_id(object_type, object_id),
            ip=request.META.get("REMOTE_ADDR") or None,
            request_id=request.request_id,
            reason=revealed.get(),
        )

    @staticmethod
    def _case_id(object_type: str, object_id: int | None) -> int | None:
        if object_id is None:
            return None
        known = known_case.get()
        if known is not None and known[:2] == (object_type, object_id):
            return known[2]
        return _case_id(object_type, object_id)
