from __future__ import annotations

from django.apps import AppConfig


class TherapySessionsConfig(AppConfig):
    # `sessions` is django.contrib.sessions' label; ours is set before the first migration.
    name = "sessions"
    label = "therapy_sessions"
    verbose_name = "Cases and sessions"
