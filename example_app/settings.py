"""Settings from environment variables: real providers (EIDG, itsme), or the demo on emulators.

A provider is configured for real when any of its required variables is set
(``ITSME_REQUEST_OBJECT_AUDIENCE`` counts too: it only means something to a real
itsme); then all of them must be set, and ``EID_SESSION_KEY`` too. With one or
both configured the app runs in real mode with exactly those providers. With
none, it runs the demo: an emulated EIDG and an emulated itsme on ``localhost``
(another site for cookies than the app on ``127.0.0.1``, as a real provider is),
a random session key and new itsme keys per start. Some but not all of a
provider's variables set is an error, never a silent demo.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping, Sequence
from typing import Literal

from aiohttp_eid import ConfigurationError, EidConfig, EidgConfig, ItsmeConfig, RelyingPartyKeys

__all__ = [
    "EIDG_VARIABLES",
    "ITSME_CLAIMS",
    "ITSME_VARIABLES",
    "PROVIDER_VARIABLES",
    "Settings",
    "SettingsError",
    "load_settings",
]

EIDG_VARIABLES = ("EIDG_BASE_URL", "EIDG_CLIENT_ID", "EIDG_CLIENT_SECRET", "EIDG_REDIRECT_URI")
ITSME_VARIABLES = (
    "ITSME_DISCOVERY_URL",
    "ITSME_CLIENT_ID",
    "ITSME_SERVICE_CODE",
    "ITSME_REDIRECT_URI",
    "ITSME_KEYS_FILE",
)
#: optional, but only meaningful with a real itsme: set alone, it is a partial itsme configuration
ITSME_REAL_ONLY = ("ITSME_REQUEST_OBJECT_AUDIENCE",)
#: the required variables of each provider, by its name (and its route: /auth/<name>/...)
PROVIDER_VARIABLES: Mapping[str, tuple[str, ...]] = {"eidg": EIDG_VARIABLES, "itsme": ITSME_VARIABLES}
METHOD_PREFIX = "infocert:identification:method:"
DEFAULT_METHODS = (METHOD_PREFIX + "SPID_LEVEL_2", METHOD_PREFIX + "CIE")
#: every itsme claim by its short name: the demo asks for all of them
ITSME_CLAIMS = (
    "nationality",
    "city_of_birth",
    "country_of_birth",
    "eid",
    "passport_sn",
    "device",
    "transaction_info",
    "photo",
)
DEFAULT_ITSME_SCOPES = ("profile", "email", "address", "phone")
DEMO_SERVICE_CODE = "DEMO_LOGIN"
DEMO_HOST = "127.0.0.1"
PREFIX = "/auth"


class SettingsError(ValueError):
    """The environment does not describe an application we can start; the message says why."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    eid: EidConfig
    host: str = DEMO_HOST
    port: int = 8080
    #: the emulated EIDG's port (on localhost) in demo mode; None with real providers
    emulator_port: int | None = None
    #: the emulated itsme's port (on localhost) in demo mode; None with real providers
    itsme_emulator_port: int | None = None
    #: where Prometheus metrics are served (127.0.0.1 only, its own listener); None: not served
    metrics_port: int | None = None

    @property
    def demo(self) -> bool:
        return self.emulator_port is not None

    @property
    def eidg(self) -> EidgConfig | None:
        """The EIDG provider, when there is one."""
        return next((p for p in self.eid.providers if isinstance(p, EidgConfig)), None)

    @property
    def itsme(self) -> ItsmeConfig | None:
        """The itsme provider, when there is one."""
        return next((p for p in self.eid.providers if isinstance(p, ItsmeConfig)), None)

    @property
    def login_url(self) -> str:
        """The home page's login: the provider's own with one provider, else aiohttp-eid's chooser."""
        providers = self.eid.providers
        if len(providers) == 1:
            return f"{self.eid.prefix}/{providers[0].name}/login?next=/account"
        return f"{self.eid.prefix}/?next=/account"


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read the settings from ``environ``; a ``SettingsError`` lists every problem at once."""
    problems: list[str] = []
    metrics_port = _port(environ, "EXAMPLE_METRICS_PORT", 0, problems) or None
    settings = _providers_settings(environ, problems)
    return dataclasses.replace(settings, metrics_port=metrics_port)


def _providers_settings(environ: Mapping[str, str], problems: list[str]) -> Settings:
    """The providers and the app's listener; a SettingsError names every problem, those found before too."""
    port = _port(environ, "EXAMPLE_PORT", 8080, problems)
    methods = _methods(environ.get("EIDG_METHODS", ""))
    acr = _acr(environ.get("ITSME_ACR", ""), problems)
    scopes = tuple(environ.get("ITSME_SCOPES", "").split()) or DEFAULT_ITSME_SCOPES
    real_eidg = _any_set(environ, EIDG_VARIABLES)
    real_itsme = _any_set(environ, (*ITSME_VARIABLES, *ITSME_REAL_ONLY))
    if not (real_eidg or real_itsme):
        return _demo(environ, problems, port, methods, scopes, acr)

    missing = [name for name in EIDG_VARIABLES if real_eidg and _blank(environ, name)]
    missing += [name for name in ITSME_VARIABLES if real_itsme and _blank(environ, name)]
    missing += ["EID_SESSION_KEY"] if _blank(environ, "EID_SESSION_KEY") else []
    if missing:
        needs = [f"EIDG needs {', '.join(EIDG_VARIABLES)}"] if real_eidg else []
        needs += [f"itsme needs {', '.join(ITSME_VARIABLES)}"] if real_itsme else []
        problems.append(
            f"{'; '.join(needs)}; real providers need EID_SESSION_KEY too; missing: {', '.join(missing)} "
            "(unset every EIDG_* and ITSME_* variable to run the demo instead)"
        )
        raise SettingsError("\n".join(problems))

    providers: list[EidgConfig | ItsmeConfig] = []
    if real_eidg:
        providers.append(
            EidgConfig(
                name="eidg",
                label=_eidg_label(methods),
                base_url=environ["EIDG_BASE_URL"].strip(),
                client_id=environ["EIDG_CLIENT_ID"].strip(),
                client_secret=environ["EIDG_CLIENT_SECRET"].strip(),
                redirect_uri=environ["EIDG_REDIRECT_URI"].strip(),
                methods=methods,
            )
        )
    keys = _keys(environ["ITSME_KEYS_FILE"].strip(), problems) if real_itsme else None
    if keys is not None:
        providers.append(
            ItsmeConfig(
                name="itsme",
                label="itsme",
                discovery_url=environ["ITSME_DISCOVERY_URL"].strip(),
                client_id=environ["ITSME_CLIENT_ID"].strip(),
                service_code=environ["ITSME_SERVICE_CODE"].strip(),
                redirect_uri=environ["ITSME_REDIRECT_URI"].strip(),
                keys=keys,
                scopes=scopes,
                claims=environ.get("ITSME_CLAIMS", "").split(),  # none unless asked: BMID approves each
                acr=acr,
                request_object_audience=environ.get("ITSME_REQUEST_OBJECT_AUDIENCE", "").strip() or None,
            )
        )
    host = environ.get("EXAMPLE_HOST", "").strip() or DEMO_HOST
    return _settings(
        problems, providers, environ["EID_SESSION_KEY"].strip(), host=host, port=port, storage=_storage(environ)
    )


def _demo(
    environ: Mapping[str, str],
    problems: list[str],
    port: int,
    methods: tuple[str, ...],
    scopes: tuple[str, ...],
    acr: Literal["basic", "advanced"],
) -> Settings:
    eidg_port = _port(environ, "EXAMPLE_EMULATOR_PORT", 8081, problems)
    itsme_port = _port(environ, "EXAMPLE_ITSME_PORT", 8082, problems)
    if environ.get("EXAMPLE_HOST", DEMO_HOST) != DEMO_HOST:
        problems.append(f"EXAMPLE_HOST: the demo listens on {DEMO_HOST} only")
    if len({port, eidg_port, itsme_port}) != 3:
        problems.append(
            "EXAMPLE_PORT, EXAMPLE_EMULATOR_PORT, EXAMPLE_ITSME_PORT: the app and the two emulators need "
            "different ports"
        )
    app = f"http://{DEMO_HOST}:{port}"
    eidg = EidgConfig(
        name="eidg",
        label=_eidg_label(methods),
        base_url=f"http://localhost:{eidg_port}/oauth2",
        client_id="example-app",
        client_secret=secrets.token_urlsafe(16),
        redirect_uri=f"{app}{PREFIX}/eidg/callback",
        methods=methods,
    )
    itsme = ItsmeConfig(
        name="itsme",
        label="itsme",
        discovery_url=f"http://localhost:{itsme_port}/oidc/.well-known/openid-configuration",
        client_id="example-app",
        service_code=DEMO_SERVICE_CODE,
        redirect_uri=f"{app}{PREFIX}/itsme/callback",
        keys=RelyingPartyKeys.generate(),  # new keys per start; the emulator fetches them from /auth/jwks.json
        scopes=scopes,
        claims=environ.get("ITSME_CLAIMS", "").split() or ITSME_CLAIMS,
        acr=acr,
    )
    return _settings(
        problems,
        [eidg, itsme],
        secrets.token_urlsafe(32),
        host=DEMO_HOST,
        port=port,
        emulator_port=eidg_port,
        itsme_emulator_port=itsme_port,
        storage=_storage(environ),
    )


def _settings(
    problems: list[str],
    providers: Sequence[EidgConfig | ItsmeConfig],
    session_key: str,
    *,
    host: str,
    port: int,
    emulator_port: int | None = None,
    itsme_emulator_port: int | None = None,
    storage: str = "cookie",
) -> Settings:
    if not providers:  # the only provider's keys could not be read: ``problems`` says why
        raise SettingsError("\n".join(problems))
    try:
        eid = EidConfig(providers=providers, session_key=session_key, prefix=PREFIX, storage=storage)
    except ConfigurationError as exc:
        raise SettingsError("\n".join([*problems, *exc.problems])) from None
    if problems:
        raise SettingsError("\n".join(problems))
    return Settings(eid=eid, host=host, port=port, emulator_port=emulator_port, itsme_emulator_port=itsme_emulator_port)


def _storage(environ: Mapping[str, str]) -> str:
    """``EID_REDIS_URL`` (sessions shared by several workers, in Redis), else encrypted cookies."""
    return environ.get("EID_REDIS_URL", "").strip() or "cookie"


def _any_set(environ: Mapping[str, str], names: Sequence[str]) -> bool:
    return any(name in environ for name in names)


def _blank(environ: Mapping[str, str], name: str) -> bool:
    return not environ.get(name, "").strip()


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


def _eidg_label(methods: Sequence[str]) -> str:
    """The chooser's label: ``SPID, CIE (EID Gateway)`` for SPID_LEVEL_2 and CIE."""
    channels = dict.fromkeys(m.removeprefix(METHOD_PREFIX).split("_LEVEL")[0] for m in methods)
    return f"{', '.join(channels)} (EID Gateway)"


def _acr(value: str, problems: list[str]) -> Literal["basic", "advanced"]:
    value = value.strip() or "basic"
    if value == "basic":
        return "basic"
    if value == "advanced":
        return "advanced"
    problems.append(f"ITSME_ACR: 'basic' (SUBSTANTIAL) or 'advanced' (HIGH), not {value!r}")
    return "basic"


def _keys(path: str, problems: list[str]) -> RelyingPartyKeys | None:
    """The key file made by ``python -m aiohttp_eid keys generate --out FILE``; None (and a problem) if unusable."""
    try:
        return RelyingPartyKeys.load(path)
    except OSError as exc:
        problems.append(f"ITSME_KEYS_FILE: cannot read {path!r} ({exc.strerror or type(exc).__name__})")
    except ValueError as exc:  # its messages never quote the file, which holds private keys
        reason = str(exc)[:120]
        problems.append(
            f"ITSME_KEYS_FILE: {path!r} is not a usable key file ({reason}); "
            "make one with: python -m aiohttp_eid keys generate --out FILE"
        )
    return None
