from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rupturelog import health
from rupturelog.accounts import notices
from rupturelog.accounts import views as account_views
from rupturelog.accounts.forms import EmailLoginForm
from rupturelog.security import ClearingLogoutView

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", ClearingLogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    # Changing one's password ends every other session of the account (Django keeps this
    # session, whose hash it updates).
    path(
        "account/password/",
        notices.NoticePasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Two-step sign-in: the code after the password, and its settings (rupturelog/mfa/).
    path("", include("rupturelog.mfa.urls")),
    # Password reset by email: Django's views. The answer is the same whether or not an
    # account has that address, and the new password meets AUTH_PASSWORD_VALIDATORS.
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        notices.NoticePasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Invitations: the only way in for someone without an account (no self-registration).
    path("invite/<str:token>/", account_views.invite_accept, name="invite_accept"),
    path("clients/invite/", account_views.client_invite, name="client_invite"),
    path(
        "clients/invite/<int:invitation_id>/resend/",
        account_views.client_invite_resend,
        name="client_invite_resend",
    ),
    path(
        "clients/invite/<int:invitation_id>/cancel/",
        account_views.client_invite_cancel,
        name="client_invite_cancel",
    ),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # The clinical pages (home, cases, timelines, review, the client's record).
    path("", include("repairs.urls")),
]
