"""An application of the suite's build_app, customised before it starts, logging in with an emulated EIDG."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aiohttp_eid import EidConfig, EidgConfig
from aiohttp_eid.testing import EidgEmulator
from tests.support.app import build_app
from tests.support.harness import CLIENT_SECRET, SESSION_KEY, SPID, FakeClock, Harness


@contextlib.asynccontextmanager
async def served_eidg(
    port: int, customize: Callable[[web.Application], None] = lambda _: None, **server: Any
) -> AsyncIterator[Harness]:
    """The app on 127.0.0.1:``port``; ``server`` goes to aiohttp's runner (``access_log_class=...``)."""
    clock = FakeClock()
    origin = f"http://127.0.0.1:{port}"
    emulator = EidgEmulator(
        client_secret=CLIENT_SECRET, redirect_uris=[f"{origin}/auth/eidg/callback"], auto_approve="ada", clock=clock
    )
    base_url = await emulator.start()
    provider = EidgConfig(
        name="eidg",
        base_url=base_url,
        client_id=emulator.client_id,
        client_secret=CLIENT_SECRET,
        redirect_uri=f"{origin}/auth/eidg/callback",
        methods=[SPID],
    )
    app = build_app(EidConfig(providers=[provider], session_key=SESSION_KEY, clock=clock))
    customize(app)
    test_server = TestServer(app, host="127.0.0.1", port=port)
    await test_server.start_server(**server)  # TestServer(...) would not hand these to the runner
    try:
        async with TestClient(test_server) as client, aiohttp.ClientSession() as browser:
            yield Harness(app, client, emulator, clock, origin, browser)
    finally:
        await emulator.close()
