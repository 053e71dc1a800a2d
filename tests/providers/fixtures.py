"""Applications logging in with itsme and a standard OpenID provider, against the emulators on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from joserfc import jwe
from yarl import URL

from aiohttp_eid import EidConfig, ItsmeConfig, OidcConfig, RelyingPartyKeys
from aiohttp_eid.testing import ItsmeEmulator, OidcProviderEmulator
from tests.conftest import SESSION_KEY, FakeClock, Harness, build_app

ALL_ITSME_CLAIMS = (
    "nationality",
    "city_of_birth",
    "country_of_birth",
    "eid",
    "passport_sn",
    "device",
    "transaction_info",
    "photo",
)


@pytest.fixture(scope="session")
def rp_keys() -> RelyingPartyKeys:
    """The application's keys, made once: generating RSA keys is slow."""
    return RelyingPartyKeys.generate()


def request_object_claims(emulator: Any, authorize_url: str) -> dict[str, Any]:
    """What the application put in its encrypted request object (read with the provider's key)."""
    token = URL(authorize_url).query["request"]
    signed = jwe.decrypt_compact(token, emulator.encryption_key).plaintext
    assert signed is not None
    payload = signed.split(b".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4))))


ProviderFactory = Callable[..., Awaitable[Harness]]


@pytest_asyncio.fixture
async def itsme_factory(
    unused_tcp_port_factory: Callable[[], int], rp_keys: RelyingPartyKeys
) -> AsyncIterator[ProviderFactory]:
    made: list[Harness] = []

    async def factory(
        *, emulator: dict[str, Any] | None = None, provider: dict[str, Any] | None = None, **config: Any
    ) -> Harness:
        clock = FakeClock()
        port = unused_tcp_port_factory()
        origin = f"http://127.0.0.1:{port}"
        redirect_uri = f"{origin}/auth/itsme/callback"
        emu = ItsmeEmulator(
            redirect_uris=[redirect_uri],
            rp_jwks_uri=f"{origin}/auth/jwks.json",
            auto_approve="jan",
            clock=clock,
            **(emulator or {}),
        )
        await emu.start()
        settings: dict[str, Any] = {
            "name": "itsme",
            "discovery_url": emu.discovery_url,
            "client_id": emu.client_id,
            "service_code": "DEMO_LOGIN",
            "redirect_uri": redirect_uri,
            "keys": rp_keys,
            "scopes": ["profile", "email", "address", "phone"],
            "claims": list(ALL_ITSME_CLAIMS),
            **(provider or {}),
        }
        app = build_app(EidConfig(providers=[ItsmeConfig(**settings)], session_key=SESSION_KEY, clock=clock, **config))
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1", port=port))
        await client.start_server()
        harness = Harness(app, client, emu, clock, origin, aiohttp.ClientSession())
        made.append(harness)
        return harness

    yield factory
    for harness in reversed(made):
        await harness.browser.close()
        await harness.client.close()
        await harness.emulator.close()


@pytest_asyncio.fixture
async def itsme(itsme_factory: ProviderFactory) -> Harness:
    return await itsme_factory()


@pytest_asyncio.fixture
async def oidc_factory(
    unused_tcp_port_factory: Callable[[], int], rp_keys: RelyingPartyKeys
) -> AsyncIterator[ProviderFactory]:
    made: list[Harness] = []

    async def factory(
        *, emulator: dict[str, Any] | None = None, provider: dict[str, Any] | None = None, **config: Any
    ) -> Harness:
        clock = FakeClock()
        port = unused_tcp_port_factory()
        origin = f"http://127.0.0.1:{port}"
        redirect_uri = f"{origin}/auth/op/callback"
        emu = OidcProviderEmulator(
            redirect_uris=[redirect_uri],
            rp_jwks_uri=f"{origin}/auth/jwks.json",
            auto_approve="jan",
            clock=clock,
            **(emulator or {}),
        )
        await emu.start()
        settings: dict[str, Any] = {
            "name": "op",
            "discovery_url": emu.discovery_url,
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
            "redirect_uri": redirect_uri,
            "post_logout_redirect_uri": f"{origin}/",
            "keys": rp_keys,
            **(provider or {}),
        }
        app = build_app(EidConfig(providers=[OidcConfig(**settings)], session_key=SESSION_KEY, clock=clock, **config))
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1", port=port))
        await client.start_server()
        harness = Harness(app, client, emu, clock, origin, aiohttp.ClientSession())
        made.append(harness)
        return harness

    yield factory
    for harness in reversed(made):
        await harness.browser.close()
        await harness.client.close()
        await harness.emulator.close()
