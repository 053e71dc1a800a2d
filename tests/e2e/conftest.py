"""The example app, in process (aiohttp's TestClient) on free loopback ports."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aiohttp_eid.testing.redis_server import free_port
from example_app import Settings, build_app, load_settings


def demo_settings() -> Settings:
    ports = {"EXAMPLE_PORT": free_port(), "EXAMPLE_EMULATOR_PORT": free_port(), "EXAMPLE_ITSME_PORT": free_port()}
    return load_settings({name: str(port) for name, port in ports.items()})


@pytest_asyncio.fixture
async def demo_client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The demo app (and so its emulators, on localhost) served on its configured port."""
    settings = demo_settings()
    server = TestServer(build_app(settings), host=settings.host, port=settings.port)
    async with TestClient(server) as client:
        yield client
