from __future__ import annotations

from django.apps import AppConfig


class TherapySessionsConfig(AppConfig):
    # `sessions` is django.contrib.sessions' label; ours is set before the first migration.
    name = "sessions"
    label = "therapy_sessions"
    verbose_name = "Cases and sessions"

    def ready(self) -> None:
        from rupturelog.accounts.signals import client_joined
        from sessions import receivers

        client_joined.connect(receivers.open_case_for_new_client, dispatch_uid="open_case")
