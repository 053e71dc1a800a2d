"""The interop tier: our plugin against oidc-provider (npm), configured as itsme and as a generic provider.

Each test gets its own oidc-provider process (tests/interop/provider.mjs) and an application built
with ``build_app``; a browser (an aiohttp session with its own cookies) goes through the provider's
pages by submitting their forms, as a user would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from aiohttp_eid import EidConfig, RelyingPartyKeys
from tests.interop.provider import install_modules, node_binary
from tests.support.app import build_app
from tests.support.harness import SESSION_KEY, FakeClock
from tests.support.interop import Interop, InteropFactory, Providers, generic_config, itsme_config


@pytest.fixture(scope="session")
def node() -> str:
    binary = node_binary()
    install_modules()
    return binary


@pytest.fixture(scope="session")
def providers(node: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Providers]:
    made = Providers(node, tmp_path_factory.mktemp("oidc-provider"))
    yield made
    made.stop_all()


@pytest_asyncio.fixture
async def interop_factory(providers: Providers, rp_keys: RelyingPartyKeys) -> AsyncIterator[InteropFactory]:
    made: list[tuple[Interop, bool]] = []

    async def factory(
        profile: str, *, own_provider: bool = False, provider: dict[str, Any] | None = None, **config: Any
    ) -> Interop:
        """An application logging in with oidc-provider in ``profile``; ``own_provider``: not the shared one."""
        process, port = providers.get(profile, own=own_provider)
        origin = f"http://127.0.0.1:{port}"
        if profile == "itsme":
            configs: list[Any] = [itsme_config(process, origin, rp_keys, **(provider or {}))]
        else:
            configs = [
                generic_config(process, origin, name, rp_keys, **(provider or {})) for name in ("basic", "post", "enc")
            ]
        clock = FakeClock()
        app = build_app(EidConfig(providers=configs, session_key=SESSION_KEY, clock=clock, **config))
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1", port=port))
        browser = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        harness = Interop(app, client, process, clock, origin, browser)
        harness.provider = process
        made.append((harness, own_provider))
        await process.set_clock(browser, 0)  # the shared provider's clock may have been moved by another test
        harness.events_before = len(await process.events(browser))
        await client.start_server()
        return harness

    yield factory
    for harness, own in reversed(made):
        await harness.browser.close()
        await harness.client.close()
        if own:
            providers.stop(harness.provider)


@pytest_asyncio.fixture
async def itsme(interop_factory: InteropFactory) -> Interop:
    return await interop_factory("itsme")


@pytest_asyncio.fixture
async def generic(interop_factory: InteropFactory) -> Interop:
    return await interop_factory("generic")
