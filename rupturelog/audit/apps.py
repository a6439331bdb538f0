from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class AuditConfig(AppConfig):
    name = "rupturelog.audit"
    label = "audit"
    verbose_name = "Access log"

    def ready(self) -> None:
        from rupturelog.audit import triggers

        pre_migrate.connect(triggers.remove_triggers, sender=self)
        post_migrate.connect(triggers.install_triggers, sender=self)
