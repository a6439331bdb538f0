from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = "Ruptures and repair"

    def ready(self) -> None:
        from repairs import triggers

        # Sent once per migrate run for this app (sender), around all migrations.
        pre_migrate.connect(triggers.remove_triggers, sender=self)
        post_migrate.connect(triggers.install_triggers, sender=self)
