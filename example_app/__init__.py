"""An aiohttp application that logs people in with aiohttp-eid.

Run ``python -m example_app`` and open http://127.0.0.1:8080/.

Demo mode (no provider variable set): an emulated InfoCert EID Gateway on
http://localhost:8081 and an emulated itsme on http://localhost:8082, each with
fake test users, a random session key and new itsme keys per start. The home
page's login goes to the provider chooser. Nothing in it is a real identity.

Real mode: configure one provider or both; the app then offers only those, with
no emulator and no demo banner. Setting only some of a provider's required
variables is refused, naming the missing ones.

- ``EID_SESSION_KEY`` (required in real mode):
  ``python -c "import secrets; print(secrets.token_urlsafe(32))"``.
- ``EID_REDIS_URL`` (optional, demo too): keep sessions in Redis, e.g.
  ``redis://127.0.0.1:6379/0``, so several workers share them.
- EIDG, all required: ``EIDG_BASE_URL``, ``EIDG_CLIENT_ID``, ``EIDG_CLIENT_SECRET``,
  ``EIDG_REDIRECT_URI`` (ending in ``/auth/eidg/callback``); optional
  ``EIDG_METHODS`` (space-separated, e.g. ``"SPID_LEVEL_2 CIE"``; also in the demo).
- itsme, all required: ``ITSME_DISCOVERY_URL``, ``ITSME_CLIENT_ID`` (the partner
  code), ``ITSME_SERVICE_CODE``, ``ITSME_REDIRECT_URI`` (ending in
  ``/auth/itsme/callback``), ``ITSME_KEYS_FILE`` (a key file made with
  ``python -m aiohttp_eid keys generate --out FILE``; give BMID the URL of the
  app's ``/auth/jwks.json``); optional ``ITSME_REQUEST_OBJECT_AUDIENCE`` (as your
  onboarding file says; set alone it counts as a partial itsme configuration),
  and, also in the demo, ``ITSME_CLAIMS`` (space-separated short names:
  nationality city_of_birth country_of_birth eid passport_sn device
  transaction_info photo; none by default in real mode, all in the demo),
  ``ITSME_ACR`` (``basic``, the default, or ``advanced``) and ``ITSME_SCOPES``
  (default ``"profile email address phone"``).
- ``EXAMPLE_HOST``/``EXAMPLE_PORT`` choose where the app listens (default
  ``127.0.0.1:8080``; the demo listens on 127.0.0.1 only), ``EXAMPLE_EMULATOR_PORT``
  and ``EXAMPLE_ITSME_PORT`` the demo emulators' ports (8081, 8082).
- ``EXAMPLE_METRICS_PORT`` (optional, needs ``pip install aiohttp-eid[prometheus]``):
  Prometheus metrics at ``http://127.0.0.1:PORT/metrics``, on a loopback listener of
  their own, never on the public one.

``/high`` needs the HIGH assurance level: a lower login is sent to a step-up
login, with CIE at EIDG or with ``acr`` advanced at itsme.
"""

from .app import build_app
from .settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "build_app", "load_settings"]
