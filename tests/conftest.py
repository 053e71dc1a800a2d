"""Shared fixtures: an EIDG emulator and an application using aiohttp-eid, on 127.0.0.1.

Everything speaks real HTTP with real cryptography. Time is a ``FakeClock``
shared by the application and the emulator, so expiry is reached by advancing
it, never by sleeping. Every test's log records are checked for secrets and
personal data (``no_secrets_in_logs``). The helpers are in ``tests/support/``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aiohttp_eid import EidConfig, EidgConfig, RelyingPartyKeys
from aiohttp_eid.testing import EidgEmulator
from tests.support.app import build_app
from tests.support.harness import CIE, CLIENT_SECRET, SESSION_KEY, SPID, FakeClock, Harness, HarnessFactory
from tests.support.privacy import PERSONAL_VALUES, holds_jose
from tests.support.providers import ProviderFactory, provider_harnesses


@pytest_asyncio.fixture
async def harness_factory(unused_tcp_port_factory: Callable[[], int]) -> AsyncIterator[HarnessFactory]:
    made: list[tuple[Harness, EidgEmulator]] = []

    async def factory(
        *,
        emulator: dict[str, Any] | None = None,
        provider: dict[str, Any] | None = None,
        verify_id_token: bool = False,
        **config: Any,
    ) -> Harness:
        clock = FakeClock()
        port = unused_tcp_port_factory()
        origin = f"http://127.0.0.1:{port}"
        redirect_uri = f"{origin}/auth/eidg/callback"
        emu = EidgEmulator(
            client_secret=CLIENT_SECRET,
            redirect_uris=[redirect_uri],
            auto_approve="ada",
            clock=clock,
            **(emulator or {}),
        )
        base_url = await emu.start()
        provider_config = {
            "name": "eidg",
            "base_url": base_url,
            "client_id": emu.client_id,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": redirect_uri,
            "methods": [SPID, CIE],
            **({"issuer": emu.issuer, "jwks_uri": f"{base_url}/jwks"} if verify_id_token else {}),
            **(provider or {}),
        }
        eid_config = EidConfig(
            providers=[EidgConfig(**provider_config)],
            session_key=SESSION_KEY,
            clock=clock,
            **config,
        )
        app = build_app(eid_config)
        client: TestClient[web.Request, web.Application] = TestClient(TestServer(app, host="127.0.0.1", port=port))
        await client.start_server()
        browser = aiohttp.ClientSession()
        harness = Harness(app, client, emu, clock, origin, browser)
        made.append((harness, emu))
        return harness

    yield factory
    for harness, emu in reversed(made):
        await harness.browser.close()
        await harness.client.close()
        await emu.close()


@pytest_asyncio.fixture
async def harness(harness_factory: HarnessFactory) -> Harness:
    return await harness_factory()


@pytest.fixture(scope="session")
def rp_keys() -> RelyingPartyKeys:
    """The application's keys, made once: generating RSA keys is slow."""
    return RelyingPartyKeys.generate()


@pytest_asyncio.fixture
async def itsme_factory(
    unused_tcp_port_factory: Callable[[], int], rp_keys: RelyingPartyKeys
) -> AsyncIterator[ProviderFactory]:
    async for factory in provider_harnesses("itsme", unused_tcp_port_factory, rp_keys):
        yield factory


@pytest_asyncio.fixture
async def oidc_factory(
    unused_tcp_port_factory: Callable[[], int], rp_keys: RelyingPartyKeys
) -> AsyncIterator[ProviderFactory]:
    async for factory in provider_harnesses("op", unused_tcp_port_factory, rp_keys):
        yield factory


@pytest_asyncio.fixture
async def itsme(itsme_factory: ProviderFactory) -> Harness:
    return await itsme_factory()


@pytest.fixture(autouse=True)
def no_secrets_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test whose log lines hold a token, a secret or a test user's personal data."""
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.records:
        line = record.getMessage()
        assert not holds_jose(line), f"a JWT in the log: {record.name}: {line[:200]}"
        for value in PERSONAL_VALUES:
            assert value not in line, f"personal data or a secret in the log ({record.name})"
