from __future__ import annotations

from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = "Ruptures and repair"
