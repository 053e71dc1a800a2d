"""Settings from environment variables: a real EIDG provider, or the demo on an emulator.

Real mode needs all four ``EIDG_*`` variables plus ``EID_SESSION_KEY``. With none of
them set the app runs the demo: an emulated provider on ``localhost`` (another site
for cookies than the app on ``127.0.0.1``, as a real provider is) and a random
session key per start. Some but not all set is an error, never a silent demo.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping

from aiohttp_eid import ConfigurationError, EidConfig, EidgConfig

__all__ = ["PROVIDER_VARIABLES", "Settings", "SettingsError", "load_settings"]

PROVIDER_VARIABLES = ("EIDG_BASE_URL", "EIDG_CLIENT_ID", "EIDG_CLIENT_SECRET", "EIDG_REDIRECT_URI")
METHOD_PREFIX = "infocert:identification:method:"
DEFAULT_METHODS = (METHOD_PREFIX + "SPID_LEVEL_2", METHOD_PREFIX + "CIE")
DEMO_HOST = "127.0.0.1"


class SettingsError(ValueError):
    """The environment does not describe an application we can start; the message says why."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    eid: EidConfig
    host: str = DEMO_HOST
    port: int = 8080
    #: the emulated provider's port (on localhost) in demo mode; None with a real provider
    emulator_port: int | None = None

    @property
    def demo(self) -> bool:
        return self.emulator_port is not None

    @property
    def provider(self) -> EidgConfig:
        provider = self.eid.providers[0]
        assert isinstance(provider, EidgConfig)
        return provider


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read the settings from ``environ``; a ``SettingsError`` lists every problem at once."""
    problems: list[str] = []
    port = _port(environ, "EXAMPLE_PORT", 8080, problems)
    methods = _methods(environ.get("EIDG_METHODS", ""))
    if not any(name in environ for name in PROVIDER_VARIABLES):
        emulator_port = _port(environ, "EXAMPLE_EMULATOR_PORT", 8081, problems)
        if environ.get("EXAMPLE_HOST", DEMO_HOST) != DEMO_HOST:
            problems.append(f"EXAMPLE_HOST: the demo listens on {DEMO_HOST} only")
        if port == emulator_port:
            problems.append("EXAMPLE_PORT, EXAMPLE_EMULATOR_PORT: the app and the emulator need different ports")
        provider = EidgConfig(
            name="eidg",
            base_url=f"http://localhost:{emulator_port}/oauth2",
            client_id="example-app",
            client_secret=secrets.token_urlsafe(16),
            redirect_uri=f"http://{DEMO_HOST}:{port}/auth/eidg/callback",
            methods=methods,
        )
        return _settings(problems, provider, secrets.token_urlsafe(32), DEMO_HOST, port, emulator_port)

    missing = [name for name in (*PROVIDER_VARIABLES, "EID_SESSION_KEY") if not environ.get(name, "").strip()]
    if missing:
        problems.append(
            f"a real provider needs {', '.join(PROVIDER_VARIABLES)} and EID_SESSION_KEY; "
            f"missing: {', '.join(missing)} (unset every EIDG_* variable to run the demo instead)"
        )
        raise SettingsError("\n".join(problems))
    provider = EidgConfig(
        name="eidg",
        base_url=environ["EIDG_BASE_URL"],
        client_id=environ["EIDG_CLIENT_ID"],
        client_secret=environ["EIDG_CLIENT_SECRET"],
        redirect_uri=environ["EIDG_REDIRECT_URI"],
        methods=methods,
    )
    host = environ.get("EXAMPLE_HOST", "").strip() or DEMO_HOST
    return _settings(problems, provider, environ["EID_SESSION_KEY"], host, port, None)


def _settings(
    problems: list[str], provider: EidgConfig, session_key: str, host: str, port: int, emulator_port: int | None
) -> Settings:
    try:
        eid = EidConfig(providers=[provider], session_key=session_key)
    except ConfigurationError as exc:
        raise SettingsError("\n".join([*problems, *exc.problems])) from None
    if problems:
        raise SettingsError("\n".join(problems))
    return Settings(eid=eid, host=host, port=port, emulator_port=emulator_port)


def _port(environ: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        problems.append(f"{name}: a TCP port number (1-65535), not {value!r}")
        return default
    return int(value)


def _methods(value: str) -> tuple[str, ...]:
    """``EIDG_METHODS="SPID_LEVEL_2 CIE"``: short names or full ``infocert:...`` ones."""
    names = value.split()
    if not names:
        return DEFAULT_METHODS
    return tuple(name if name.startswith(METHOD_PREFIX) else METHOD_PREFIX + name for name in names)
