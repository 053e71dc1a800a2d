"""``python -m example_app``: see ``example_app/__init__.py`` for the environment variables."""

from __future__ import annotations

import logging
import os
import sys

from aiohttp import web

from aiohttp_eid import PathOnlyAccessLogger
from aiohttp_eid.testing import DEFAULT_EIDG_USERS, DEFAULT_ITSME_USERS

from .app import build_app
from .pages import BANNER
from .settings import SettingsError, load_settings


def main() -> int:
    try:
        settings = load_settings(os.environ)
    except SettingsError as exc:
        print(f"example_app: cannot start:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.demo:
        print(
            f"\n*** {BANNER} ***\n"
            f"*** EIDG emulator on http://localhost:{settings.emulator_port}/oauth2, "
            f"test users: {', '.join(user.key for user in DEFAULT_EIDG_USERS)} ***\n"
            f"*** itsme emulator on http://localhost:{settings.itsme_emulator_port}/oidc, "
            f"test users: {', '.join(user.key for user in DEFAULT_ITSME_USERS)} ***\n",
            flush=True,
        )
    if settings.metrics_port is not None:
        print(f"metrics on http://127.0.0.1:{settings.metrics_port}/metrics (not on the public listener)", flush=True)
    web.run_app(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        access_log_class=PathOnlyAccessLogger,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
