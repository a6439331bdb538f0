"""Production settings for the load test, with static files collected outside the checkout.

Everything comes from rupturelog.settings unchanged, environment variables included; only
STATIC_ROOT moves to the load test's temporary directory, so `collectstatic` leaves no
files in the work tree that another run (or `make run`) might pick up.
"""

from __future__ import annotations

import os

from rupturelog.settings import *  # noqa: F403 - the production settings, as they are

STATIC_ROOT = os.environ["LOADTEST_STATIC_ROOT"]
