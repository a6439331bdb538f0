from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from repairs import actions, history_views, inbox, reveal, review_views
from repairs import views as repair_views
from rupturelog import health, views
from rupturelog.accounts import notices
from rupturelog.accounts import views as account_views
from rupturelog.accounts.forms import EmailLoginForm
from rupturelog.audit import views as audit_views
from rupturelog.security import ClearingLogoutView

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", ClearingLogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
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
    path("cases/<int:case_id>/", repair_views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/real-name/", reveal.reveal_name, name="reveal_name"),
    path("sessions/<int:session_id>/", repair_views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/changes/", inbox.session_changes, name="session_changes"),
    path("sessions/<int:session_id>/log/", actions.rupture_new, name="rupture_new"),
    path("sessions/<int:session_id>/check-in/", inbox.check_in, name="check_in"),
    path("flag/", actions.flag_new, name="flag_new"),
    path("ruptures/<int:rupture_id>/card/", actions.rupture_card, name="rupture_card"),
    path("ruptures/<int:rupture_id>/edit/", actions.rupture_edit, name="rupture_edit"),
    path("ruptures/<int:rupture_id>/share/", actions.rupture_share, name="rupture_share"),
    path("ruptures/<int:rupture_id>/withdraw/", actions.rupture_withdraw, name="rupture_withdraw"),
    path("ruptures/<int:rupture_id>/status/", actions.rupture_status, name="rupture_status"),
    path("ruptures/<int:rupture_id>/link/", actions.rupture_link, name="rupture_link"),
    path("ruptures/<int:rupture_id>/my-view/", actions.rupture_client_view, name="client_view"),
    path("ruptures/<int:rupture_id>/steps/new/", actions.repair_step_new, name="step_new"),
    path("ruptures/<int:rupture_id>/notes/new/", actions.note_new, name="note_new"),
    path(
        "ruptures/<int:rupture_id>/history/", history_views.rupture_history, name="rupture_history"
    ),
    path("steps/<int:step_id>/history/", history_views.step_history, name="step_history"),
    path("notes/<int:note_id>/history/", history_views.note_history, name="note_history"),
    path("steps/<int:step_id>/edit/", actions.repair_step_edit, name="step_edit"),
    path("steps/<int:step_id>/withdraw/", actions.repair_step_withdraw, name="step_withdraw"),
    path("notes/<int:note_id>/edit/", actions.note_edit, name="note_edit"),
    path("notes/<int:note_id>/withdraw/", actions.note_withdraw, name="note_withdraw"),
    path("inbox/badge/", inbox.inbox_badge, name="inbox_badge"),
    path("inbox/<int:item_id>/read/", inbox.inbox_mark_read, name="inbox_mark_read"),
    path("inbox/read-all/", inbox.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("settings/notices/", inbox.notify_preference, name="notify_preference"),
    path("review/", review_views.review_page, name="review"),
    path("patterns/", review_views.patterns_page, name="patterns"),
    path("review/ruptures/", review_views.review_ruptures, name="review_ruptures"),
    path(
        "review/export/ruptures.csv",
        review_views.review_export,
        {"what": "ruptures"},
        name="review_export_ruptures",
    ),
    path(
        "review/export/steps.csv",
        review_views.review_export,
        {"what": "steps"},
        name="review_export_steps",
    ),
    path("ruptures/<int:rupture_id>/reviewed/", review_views.rupture_reviewed, name="reviewed"),
    path("ruptures/<int:rupture_id>/coding/", review_views.rupture_coding, name="coding"),
    path("my-record/access/", audit_views.record_access, name="record_access"),
    path("my-record/", review_views.my_record, name="my_record"),
    path("my-record.json", review_views.my_record_json, name="my_record_json"),
    path("admin/", admin.site.urls),
]
