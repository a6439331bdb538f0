from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MfaConfig(AppConfig):
    default = True
    name = "rupturelog.mfa"
    label = "mfa"
    verbose_name = "Two-step sign-in"

    def ready(self) -> None:
        from rupturelog.mfa import signals  # noqa: F401 - connects the login/logout log lines


class VerifiedAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that only a two-step verified staff member may use."""

    default = False  # named in INSTALLED_APPS in place of "django.contrib.admin"
    default_site = "rupturelog.mfa.admin.VerifiedAdminSite"
