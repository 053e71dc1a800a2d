"""The application under test and its emulator, driven as a browser would: ``Harness``, its clock and constants."""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient
from yarl import URL

SESSION_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
CLIENT_SECRET = "s3cret-of-the-demo-client"
SPID = "infocert:identification:method:SPID_LEVEL_2"
CIE = "infocert:identification:method:CIE"
HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclasses.dataclass
class Harness:
    """The application under test, its client, the emulator and the shared clock."""

    app: web.Application
    client: TestClient[web.Request, web.Application]
    emulator: Any  # EidgEmulator, ItsmeEmulator or OidcProviderEmulator
    clock: FakeClock
    origin: str
    browser: aiohttp.ClientSession  # for the provider's pages (no cookies of the app)

    async def start_login(self, next_path: str = "/me", *, provider: str = "eidg", **query: str) -> str:
        resp = await self.client.get(
            f"/auth/{provider}/login", params={"next": next_path, **query}, allow_redirects=False
        )
        assert resp.status == 302, await resp.text()
        return resp.headers["Location"]

    async def at_provider(self, authorize_url: str) -> URL:
        """Follow the authorize URL at the emulator; the callback URL it redirects to."""
        async with self.browser.get(authorize_url, allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
            return URL(resp.headers["Location"])

    async def callback(self, url: URL, **kwargs: Any) -> aiohttp.ClientResponse:
        assert url.origin() == URL(self.origin), url
        return await self.client.get(url.path_qs, allow_redirects=False, headers=HTML, **kwargs)

    async def login(self, next_path: str = "/me", *, provider: str = "eidg", **query: str) -> aiohttp.ClientResponse:
        """A whole login; the callback's response (302 to next_path on success)."""
        url = await self.at_provider(await self.start_login(next_path, provider=provider, **query))
        return await self.callback(url)

    async def get_json(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.client.get(path, allow_redirects=False, **kwargs) as resp:
            body = await resp.text()
            return resp.status, json.loads(body) if resp.content_type == "application/json" else body


HarnessFactory = Callable[..., Awaitable[Harness]]
