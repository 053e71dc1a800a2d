"""An aiohttp application that logs people in with aiohttp-eid.

Run ``python -m example_app`` and open http://127.0.0.1:8080/.

Demo mode (no ``EIDG_*`` variable set): an emulated InfoCert EID Gateway with
test users on http://localhost:8081 and a random session key per start. Nothing
in it is a real identity.

Real mode: set all of ``EIDG_BASE_URL``, ``EIDG_CLIENT_ID``, ``EIDG_CLIENT_SECRET``,
``EIDG_REDIRECT_URI`` (ending in ``/auth/eidg/callback``) and ``EID_SESSION_KEY``
(``python -c "import secrets; print(secrets.token_urlsafe(32))"``); optionally
``EIDG_METHODS`` (space-separated, e.g. ``"SPID_LEVEL_2 CIE"``). Setting only some of
them is refused. ``EXAMPLE_HOST``/``EXAMPLE_PORT`` choose where the app listens
(default ``127.0.0.1:8080``), ``EXAMPLE_EMULATOR_PORT`` the demo emulator's port.
"""

from .app import build_app
from .settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "build_app", "load_settings"]
