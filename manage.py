#!/usr/bin/env python
"""Django's command-line utility for RuptureLog."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rupturelog.settings")
    if sys.argv[1:2] == ["makemigrations"]:
        # Compares models with migrations and signs nothing, so it needs no real key; this
        # lets the migration check run in a bare checkout (pre-commit hooks, editors).
        os.environ.setdefault("SECRET_KEY", "makemigrations-only-signs-nothing")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, to report errors plainly
    except ImproperlyConfigured as error:
        # Django would otherwise carry on and fail later with an unrelated traceback.
        sys.exit(f"RuptureLog cannot start: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
