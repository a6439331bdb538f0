from __future__ import annotations

from django.urls import path

from rupturelog.mfa import views

urlpatterns = [
    path("two-step/", views.verify, name="mfa_verify"),
    path("settings/two-step/", views.settings_page, name="mfa_settings"),
    path("settings/two-step/set-up/", views.enrol, name="mfa_enrol"),
    path("settings/two-step/backup-codes/", views.backup_codes, name="mfa_backup_codes"),
    path("settings/two-step/turn-off/", views.turn_off, name="mfa_disable"),
]
