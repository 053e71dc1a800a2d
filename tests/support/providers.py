"""Applications logging in with itsme and a standard OpenID provider, against the emulators on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from joserfc import jwe
from yarl import URL

from aiohttp_eid import EidConfig, ItsmeConfig, OidcConfig, RelyingPartyKeys
from aiohttp_eid.testing import ItsmeEmulator, OidcProviderEmulator
from tests.support.app import build_app
from tests.support.harness import SESSION_KEY, FakeClock, Harness

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


def request_object_claims(emulator: Any, authorize_url: str) -> dict[str, Any]:
    """What the application put in its encrypted request object (read with the provider's key)."""
    token = URL(authorize_url).query["request"]
    signed = jwe.decrypt_compact(token, emulator.encryption_key).plaintext
    assert signed is not None
    payload = signed.split(b".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4))))


ProviderFactory = Callable[..., Awaitable[Harness]]


def _settings(kind: str, emu: Any, origin: str, rp_keys: RelyingPartyKeys) -> dict[str, Any]:
    """The provider configuration an application of ``kind`` needs against ``emu``."""
    common = {"discovery_url": emu.discovery_url, "client_id": emu.client_id, "keys": rp_keys}
    if kind == "itsme":
        return {
            **common,
            "name": "itsme",
            "service_code": "DEMO_LOGIN",
            "redirect_uri": f"{origin}/auth/itsme/callback",
            "scopes": ["profile", "email", "address", "phone"],
            "claims": list(ALL_ITSME_CLAIMS),
        }
    return {
        **common,
        "name": "op",
        "client_secret": emu.client_secret,
        "redirect_uri": f"{origin}/auth/op/callback",
        "post_logout_redirect_uri": f"{origin}/",
    }


async def provider_harnesses(
    kind: str, unused_tcp_port_factory: Callable[[], int], rp_keys: RelyingPartyKeys
) -> AsyncIterator[ProviderFactory]:
    """Applications logging in with an emulated itsme (``kind="itsme"``) or OpenID provider (``"op"``)."""
    made: list[Harness] = []
    emulator_class = ItsmeEmulator if kind == "itsme" else OidcProviderEmulator
    config_class = ItsmeConfig if kind == "itsme" else OidcConfig

    async def factory(
        *, emulator: dict[str, Any] | None = None, provider: dict[str, Any] | None = None, **config: Any
    ) -> Harness:
        clock = FakeClock()
        port = unused_tcp_port_factory()
        origin = f"http://127.0.0.1:{port}"
        emu = emulator_class(
            redirect_uris=[f"{origin}/auth/{kind}/callback"],
            rp_jwks_uri=f"{origin}/auth/jwks.json",
            auto_approve="jan",
            clock=clock,
            **(emulator or {}),
        )
        await emu.start()
        settings = {**_settings(kind, emu, origin, rp_keys), **(provider or {})}
        eid = EidConfig(providers=[config_class(**settings)], session_key=SESSION_KEY, clock=clock, **config)
        app = build_app(eid)
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
