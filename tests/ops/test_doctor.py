"""The doctor against the shipped emulators: a good configuration passes, and each check fails when it should."""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

import aiohttp_eid
from aiohttp_eid import EidConfig, EidgConfig, ItsmeConfig, OidcConfig, RelyingPartyKeys
from aiohttp_eid.doctor import Report, diagnose
from aiohttp_eid.doctor.local import check_cookie_size, typical_login
from aiohttp_eid.oidc.tokens import TokenSet
from aiohttp_eid.testing import EidgEmulator, Fault, ItsmeEmulator, OidcProviderEmulator
from tests.support.harness import CLIENT_SECRET, SESSION_KEY

GOOD_KEY = secrets.token_urlsafe(32)


@dataclasses.dataclass
class Providers:
    """The three emulators, the app's origin and keys, and a way to build configurations of them."""

    eidg: EidgEmulator
    eidg_url: str
    itsme: ItsmeEmulator
    op: OidcProviderEmulator
    origin: str
    port: int
    keys: RelyingPartyKeys

    def eidg_config(self, **changes: Any) -> EidgConfig:
        settings: dict[str, Any] = {
            "name": "eidg",
            "base_url": self.eidg_url,
            "client_id": self.eidg.client_id,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": f"{self.origin}/auth/eidg/callback",
            "issuer": self.eidg.issuer,
            "jwks_uri": f"{self.eidg_url}/jwks",
        }
        return EidgConfig(**{**settings, **changes})

    def itsme_config(self, **changes: Any) -> ItsmeConfig:
        settings: dict[str, Any] = {
            "name": "itsme",
            "discovery_url": self.itsme.discovery_url,
            "client_id": self.itsme.client_id,
            "service_code": "DEMO_LOGIN",
            "redirect_uri": f"{self.origin}/auth/itsme/callback",
            "keys": self.keys,
        }
        return ItsmeConfig(**{**settings, **changes})

    def op_config(self, **changes: Any) -> OidcConfig:
        settings: dict[str, Any] = {
            "name": "op",
            "discovery_url": self.op.discovery_url,
            "client_id": self.op.client_id,
            "client_secret": self.op.client_secret,
            "redirect_uri": f"{self.origin}/auth/op/callback",
        }
        return OidcConfig(**{**settings, **changes})

    def config(self, *providers: Any, **changes: Any) -> EidConfig:
        chosen = providers or (self.eidg_config(), self.itsme_config(), self.op_config())
        return EidConfig(**{"providers": chosen, "session_key": GOOD_KEY, **changes})

    async def serve_app(self, config: EidConfig) -> TestServer:
        """The application of ``config``, serving its JWKS where the provider fetches it."""
        app = web.Application()
        aiohttp_eid.setup(app, config)
        server = TestServer(app, host="127.0.0.1", port=self.port)
        await server.start_server()
        return server


@pytest.fixture(scope="module")
def rp_keys() -> RelyingPartyKeys:
    return RelyingPartyKeys.generate()


@pytest_asyncio.fixture
async def providers(unused_tcp_port_factory: Callable[[], int], rp_keys: RelyingPartyKeys) -> AsyncIterator[Providers]:
    port = unused_tcp_port_factory()
    origin = f"http://127.0.0.1:{port}"
    eidg = EidgEmulator(client_secret=CLIENT_SECRET, redirect_uris=[f"{origin}/auth/eidg/callback"])
    itsme = ItsmeEmulator(redirect_uris=[f"{origin}/auth/itsme/callback"], rp_jwks_uri=f"{origin}/auth/jwks.json")
    op = OidcProviderEmulator(redirect_uris=[f"{origin}/auth/op/callback"])
    eidg_url = await eidg.start()
    await itsme.start()
    await op.start()
    yield Providers(eidg, eidg_url, itsme, op, origin, port, rp_keys)
    for emulator in (eidg, itsme, op):
        await emulator.close()


def statuses(report: Report) -> dict[tuple[str, str], str]:
    return {(c.provider, c.check): c.status for c in report.checks}


def errors(report: Report) -> set[tuple[str, str]]:
    return {(c.provider, c.check) for c in report.checks if c.status == "error"}


async def discovery_of(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return dict(await resp.json())


async def serve_discovery(emulator: Any, url: str | None = None, **changes: Any) -> None:
    """The emulator's discovery document from now on, with ``changes`` (None: the field removed)."""
    document = {**await discovery_of(url or emulator.discovery_url), **changes}
    body = json.dumps({k: v for k, v in document.items() if v is not None}).encode()
    emulator.faults["discovery"] = Fault(status=200, body=body, times=-1)


EXPECTED = {
    "eidg": {"reachable", "jwks", "redirect_uri", "clock", "cookie_size"},
    "itsme": {"discovery", "endpoints", "algorithms", "client_auth", "jwks", "app_jwks", "redirect_uri", "clock"},
    "op": {"discovery", "endpoints", "algorithms", "client_auth", "jwks", "redirect_uri", "clock", "cookie_size"},
    "-": {"session_key"},
}


async def test_a_good_configuration_passes_every_check(providers: Providers) -> None:
    config = providers.config()
    server = await providers.serve_app(config)
    try:
        report = await diagnose(config)
    finally:
        await server.close()
    found = statuses(report)
    for provider, checks in EXPECTED.items():
        assert checks <= {check for (p, check) in found if p == provider}, provider
    assert not report.failed, report.text()
    assert found[("itsme", "app_jwks")] == "ok"
    assert found[("op", "algorithms")] == "ok"
    for line in report.text().splitlines():
        assert line.split(" ", 1)[0] in ("ok", "warning", "error")


async def test_discovery_down_or_naming_another_issuer(providers: Providers, unused_tcp_port: int) -> None:
    down = providers.op_config(discovery_url=f"http://127.0.0.1:{unused_tcp_port}/.well-known/openid-configuration")
    other = providers.itsme_config(
        name="other", issuer="http://127.0.0.1:1/elsewhere", redirect_uri=f"{providers.origin}/auth/other/callback"
    )
    report = await diagnose(providers.config(down, other))
    assert {("op", "discovery"), ("other", "discovery")} <= errors(report)
    assert "cannot be reached" in next(c.message for c in report.checks if c.provider == "op")
    assert "we expect 'http://127.0.0.1:1/elsewhere'" in report.text()
    eidg_down = providers.eidg_config(base_url=f"http://127.0.0.1:{unused_tcp_port}/oauth2", issuer=None, jwks_uri=None)
    assert ("eidg", "reachable") in errors(await diagnose(providers.config(eidg_down)))


async def test_missing_endpoint_or_no_code_flow(providers: Providers) -> None:
    await serve_discovery(providers.op, token_endpoint=None, response_types_supported=["id_token"])
    report = await diagnose(providers.config(providers.op_config()))
    assert ("op", "endpoints") in errors(report)
    line = next(c for c in report.checks if c.check == "endpoints")
    assert "token_endpoint: missing" in line.message
    assert "no 'code'" in line.message


async def test_algorithms_outside_our_allowlists(providers: Providers) -> None:
    await serve_discovery(providers.op, id_token_signing_alg_values_supported=["HS256", "none"])
    await serve_discovery(providers.itsme, request_object_encryption_alg_values_supported=["RSA1_5"])
    config = providers.config(providers.op_config(), providers.itsme_config())
    server = await providers.serve_app(config)
    try:
        report = await diagnose(config)
    finally:
        await server.close()
    assert {("op", "algorithms"), ("itsme", "algorithms")} <= errors(report)
    assert "RSA1_5" in report.text()


async def test_client_authentication_or_pkce_not_taken(providers: Providers) -> None:
    await serve_discovery(providers.op, token_endpoint_auth_methods_supported=["private_key_jwt"])
    report = await diagnose(providers.config(providers.op_config()))
    assert ("op", "client_auth") in errors(report)
    providers.op.faults.clear()
    await serve_discovery(providers.op, code_challenge_methods_supported=["plain"])
    report = await diagnose(providers.config(providers.op_config()))
    assert ("op", "client_auth") in errors(report)
    assert "not S256" in report.text()


@pytest.mark.parametrize(
    "jwks",
    [b'{"keys": []}', b'{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', b"not json", b'{"keys": [{"kty": "RSA"}]}'],
    ids=["empty", "symmetric", "garbage", "unparsable"],
)
async def test_provider_jwks_without_a_usable_key(providers: Providers, jwks: bytes) -> None:
    providers.op.faults["jwks"] = Fault(status=200, body=jwks, times=-1)
    providers.eidg.faults["jwks"] = Fault(status=200, body=jwks, times=-1)
    report = await diagnose(providers.config(providers.op_config(), providers.eidg_config()))
    assert {("op", "jwks"), ("eidg", "jwks")} <= errors(report)


async def test_the_apps_own_jwks_not_served_or_stale(providers: Providers) -> None:
    config = providers.config(providers.itsme_config())
    report = await diagnose(config)  # the app is not running
    assert ("itsme", "app_jwks") in errors(report)
    served = providers.config(providers.itsme_config(keys=RelyingPartyKeys.generate()))
    server = await providers.serve_app(served)  # serving other keys than the configuration's
    try:
        report = await diagnose(config)
    finally:
        await server.close()
    assert ("itsme", "app_jwks") in errors(report)
    assert "lacks the sig active key" in report.text()


async def test_redirect_uri_off_the_mounted_route(providers: Providers) -> None:
    # a path with '//' never gets this far: EidConfig refuses it (tests/test_config.py)
    mounted = providers.eidg_config(redirect_uri=f"{providers.origin}/app/auth/eidg/callback")
    found = statuses(await diagnose(providers.config(mounted, providers.op_config())))
    assert found[("eidg", "redirect_uri")] == "warning"
    assert found[("op", "redirect_uri")] == "ok"


async def test_a_clock_off_by_more_than_the_leeway(providers: Providers) -> None:
    report = await diagnose(providers.config(providers.op_config(), clock=lambda: time.time() + 120))
    assert ("op", "clock") in errors(report)
    assert "+120 s" in report.text() or "+119 s" in report.text() or "+121 s" in report.text()


async def test_a_weak_session_key(providers: Providers) -> None:
    report = await diagnose(providers.config(providers.op_config(), session_key=[GOOD_KEY, SESSION_KEY]))
    assert ("-", "session_key") in errors(report)
    assert "session_key[1]" in report.text()


def test_a_login_needing_more_than_two_cookies() -> None:
    config = EidConfig(
        providers=[
            OidcConfig(
                name="op",
                discovery_url="http://127.0.0.1:1/.well-known/openid-configuration",
                client_id="c",
                client_secret="s",
                redirect_uri="http://127.0.0.1:1/auth/op/callback",
            )
        ],
        session_key=GOOD_KEY,
    )
    login = typical_login(config.providers[0], tokens=True, refresh=True, id_token=True)
    assert login.tokens is not None
    huge = dataclasses.replace(login, tokens=TokenSet(access_token="a" * 6000, obtained_at=0, id_token="i" * 2000))
    for stored, status in ((login, "warning"), (huge, "error")):
        report = Report([])
        check_cookie_size(report, config, stored)
        assert report.checks[0].status == status


async def test_eidg_with_discovery_is_checked_like_an_openid_provider(providers: Providers) -> None:
    eidg = providers.eidg_config(discovery_url=f"{providers.eidg_url}/.well-known/openid-configuration", jwks_uri=None)
    found = statuses(await diagnose(providers.config(eidg)))
    for check in ("discovery", "algorithms", "client_auth", "jwks"):
        assert found[("eidg", check)] == "ok", check
    await serve_discovery(providers.eidg, eidg.discovery_url, id_token_signing_alg_values_supported=["HS256"])
    assert ("eidg", "algorithms") in errors(await diagnose(providers.config(eidg)))
