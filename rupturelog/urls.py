from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from repairs import views as repair_views
from rupturelog import views
from rupturelog.accounts.forms import EmailLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/<int:case_id>/", repair_views.case_detail, name="case_detail"),
    path("sessions/<int:session_id>/", repair_views.session_detail, name="session_detail"),
    path("admin/", admin.site.urls),
]
