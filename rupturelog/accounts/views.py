"""Invitations: a therapist invites their own new clients, and anyone invited sets their
password from the emailed link. (Administrators invite anyone from the Django admin.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from rupturelog.accounts import invitations
from rupturelog.accounts.forms import ClientInviteForm
from rupturelog.accounts.models import Invitation, InvitationQuerySet, Role
from rupturelog.http import AuthenticatedHttpRequest, posted, see_other

NOT_EMAILED = (
    "The invitation is saved, but the email could not be sent just now. "
    "Use “Send again” in a few minutes."
)


def _therapist(request: AuthenticatedHttpRequest) -> None:
    # Only therapists invite from here; to anyone else this page does not exist.
    if request.user.role != Role.THERAPIST:
        raise Http404


def _pending(request: AuthenticatedHttpRequest) -> InvitationQuerySet:
    return (
        Invitation.objects.open()
        .filter(therapist=request.user, role=Role.CLIENT)
        .order_by("-sent_at", "-pk")
    )


def _own_invitation(request: AuthenticatedHttpRequest, invitation_id: int) -> Invitation:
    """One of this therapist's open invitations; anything else is the same 404."""
    _therapist(request)
    invitation = _pending(request).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


@login_required
def client_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    _therapist(request)
    form = ClientInviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            sent = invitations.invite(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                role=Role.CLIENT,
                invited_by=request.user,
                therapist=request.user,
            )
        except invitations.InvitationRefused as refusal:
            form.add_error("email", str(refusal))
        else:
            if sent.emailed:
                messages.success(
                    request,
                    f"Invitation sent to {sent.invitation.email}. The link works for 72 hours.",
                )
            else:
                messages.warning(request, NOT_EMAILED)
            return see_other("client_invite")
    return render(
        request,
        "accounts/client_invite.html",
        {"form": form, "pending": list(_pending(request))},
    )


@login_required
@require_POST
def client_invite_resend(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _own_invitation(request, invitation_id)
    sent = invitations.resend(invitation)
    if sent.emailed:
        messages.success(
            request, f"A new link went to {invitation.email}. The earlier link no longer works."
        )
    else:
        messages.warning(request, NOT_EMAILED)
    return see_other("client_invite")


@login_required
@require_POST
def client_invite_cancel(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _own_invitation(request, invitation_id)
    invitations.cancel(invitation)
    messages.success(request, f"The invitation to {invitation.email} is cancelled.")
    return see_other("client_invite")


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: choose a password, and the account is made.

    A forged, mistyped, replaced or cancelled link gets a 404 that says nothing about any
    invitation; a used or expired one says so (410), since only the person it was sent to
    has the link."""
    invitation = invitations.find(token)
    if invitation is None or invitation.revoked_at:
        return render(request, "accounts/invite_closed.html", {"state": "unknown"}, status=404)
    if invitation.accepted_at or invitation.is_expired:
        state = "used" if invitation.accepted_at else "expired"
        return render(request, "accounts/invite_closed.html", {"state": state}, status=410)
    user = invitations.unsaved_user(invitation)
    form = SetPasswordForm(user, posted(request))
    if request.method == "POST" and form.is_valid():
        form.save(commit=False)
        try:
            invitations.accept(invitation, user)
        except invitations.InvitationRefused as refusal:
            return render(
                request,
                "accounts/invite_closed.html",
                {"state": "refused", "reason": str(refusal)},
                status=410,
            )
        if request.user.is_authenticated:
            # Someone else was signed in on this browser; the new account is not theirs.
            logout(request)
        messages.success(
            request, "Your password is set. Log in with your email and your new password."
        )
        return see_other("login")
    return render(request, "accounts/invite_accept.html", {"form": form, "invitation": invitation})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: who they are signed in as, and what they can
    change about it. No clinical data."""
    return render(request, "account.html")
