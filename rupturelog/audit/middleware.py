"""Writes an access event for every successful view of, or change to, clinical data.

One place for the whole app: rupturelog/audit/pages.py says what each URL name is (a view,
a change, an export, a reveal, or not logged, and why), the URL's keyword argument which
object, and the view, which loads that object through the scoping module, notes its case
(`note_case`), so no view can forget to log and the platform needs no clinical model.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from rupturelog.accounts.models import Role
from rupturelog.audit.models import AccessEvent, Action
from rupturelog.audit.pages import Kind, page
from rupturelog.http import TracedHttpRequest
from rupturelog.logs import current_request

# URL keyword argument → object type.
OBJECTS = {
    "case_id": "case",
    "session_id": "session",
    "rupture_id": "rupture",
    "step_id": "repair_step",
    "note_id": "note",
}
CLINICAL_ROLES = (Role.CLIENT, Role.THERAPIST, Role.SUPERVISOR)
# Set by note_change() when the request wrote clinical data (the services call it).
changed: ContextVar[bool] = ContextVar("audit_changed", default=False)
exported: ContextVar[bool] = ContextVar("audit_exported", default=False)
# Set by note_reveal() when a supervisor was shown a client's real name, with the reason.
revealed: ContextVar[str] = ContextVar("audit_revealed", default="")
# (object type, id) → case id, noted by note_case() as a view loads objects in scope.
known_cases: ContextVar[dict[tuple[str, int], int] | None] = ContextVar(
    "audit_known_cases", default=None
)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def note_export() -> None:
    """Record that this request exported clinical data (the right-of-access downloads)."""
    exported.set(True)


def note_reveal(reason: str) -> None:
    """Record that this request showed a supervisor a client's real name, and why."""
    revealed.set(reason)


def note_case(object_type: str, object_id: int, case_id: int) -> None:
    """Tell the access log which case an object is in, as the view loads it through the
    scoping module (repairs/access.py `get_in_scope` does it for every object)."""
    noted = known_cases.get()
    if noted is None:  # outside a request (a shell, a command): nothing to log
        return
    # The middleware gave each request its own dict: mutating it (not setting the variable)
    # also reaches the middleware from a view run in a copied context.
    noted[(object_type, int(object_id))] = case_id


def note_change() -> None:
    """Record that this request changed clinical data (called by every write path)."""
    changed.set(True)


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TracedHttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Each request starts with nothing noted. A token per variable, not a loop over
        # (variable, value) pairs: in one list, which token belongs to which type is lost.
        changed_token = changed.set(False)
        exported_token = exported.set(False)
        revealed_token = revealed.set("")
        known_cases_token = known_cases.set({})
        request_token = current_request.set(request)
        try:
            response = self.get_response(request)
            self._log(request, response)
        finally:
            changed.reset(changed_token)
            exported.reset(exported_token)
            revealed.reset(revealed_token)
            known_cases.reset(known_cases_token)
            current_request.reset(request_token)
        response["X-Request-ID"] = request.request_id
        return response

    def _log(self, request: TracedHttpRequest, response: HttpResponse) -> None:
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None:
            return
        if user.role not in CLINICAL_ROLES:
            return  # administrators reach no clinical data through these pages
        entry = page(match.view_name)
        # Refusals show nothing; a 409 does: the edit conflict view shows the saved version.
        refused = response.status_code >= 400 and response.status_code != 409
        if entry.kind == Kind.NONE or refused:
            return
        object_type, object_id = "", None
        for kwarg, kind in OBJECTS.items():
            if kwarg in match.kwargs:
                object_type, object_id = kind, match.kwargs[kwarg]
                break
        AccessEvent.objects.create(
            user=user,
            role=user.role,
            action=self._action(entry.kind),
            page=match.view_name,
            object_type=object_type,
            object_id=object_id,
            case_id=self._case_id(object_type, object_id),
            ip=request.META.get("REMOTE_ADDR") or None,
            request_id=request.request_id,
            reason=revealed.get(),
        )

    @staticmethod
    def _action(kind: Kind) -> str:
        """What the request did, from the page's kind and what the view noted."""
        if revealed.get():
            return Action.REVEAL
        if kind == Kind.EXPORT or exported.get():
            return Action.EXPORT
        if changed.get():
            return Action.CHANGE
        return Action.VIEW

    @staticmethod
    def _case_id(object_type: str, object_id: int | None) -> int | None:
        """The case of the URL's object: a case is its own; any other object's case is what
        the view noted while loading it (None if it noted nothing, which a test prevents)."""
        if object_id is None:
            return None
        if object_type == "case":
            return int(object_id)
        return (known_cases.get() or {}).get((object_type, int(object_id)))
