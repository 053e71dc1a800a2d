"""Shared fixtures: an EIDG emulator and an application using aiohttp-eid, on 127.0.0.1.

Everything speaks real HTTP with real cryptography. Time is a ``FakeClock``
shared by the application and the emulator, so expiry is reached by advancing
it, never by sleeping. Every test's log records are checked for secrets and
personal data (``no_secrets_in_logs``).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import aiohttp_session
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

import aiohttp_eid
from aiohttp_eid import Assurance, EidConfig, EidgConfig
from aiohttp_eid.testing import DEFAULT_EIDG_USERS, DEFAULT_ITSME_USERS, EidgEmulator

pytest_plugins = ["tests.providers.fixtures"]  # itsme and OpenID provider fixtures

SESSION_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
CLIENT_SECRET = "s3cret-of-the-demo-client"
SPID = "infocert:identification:method:SPID_LEVEL_2"
CIE = "infocert:identification:method:CIE"


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def identity_json(identity: aiohttp_eid.Identity | None) -> dict[str, Any] | None:
    return None if identity is None else identity.to_dict()


async def home(request: web.Request) -> web.Response:
    return web.json_response({"identity": identity_json(aiohttp_eid.get_identity(request))})


@aiohttp_eid.login_required
async def me(request: web.Request) -> web.Response:
    return web.json_response({"identity": identity_json(aiohttp_eid.get_identity(request))})


@aiohttp_eid.requires_assurance(Assurance.HIGH)
async def high(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@aiohttp_eid.login_required
async def token(request: web.Request) -> web.Response:
    return web.json_response({"access_token": await aiohttp_eid.access_token(request)})


@aiohttp_eid.login_required
async def refresh_identity(request: web.Request) -> web.Response:
    identity = await aiohttp_eid.refresh_identity(request)
    return web.json_response({"identity": identity_json(identity)})


@aiohttp_eid.login_required
async def file(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(Path(__file__))


@aiohttp_eid.login_required
async def stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    response.content_type = "text/plain"
    await response.prepare(request)
    for i in range(3):
        await response.write(f"chunk {i}\n".encode())
    await response.write_eof()
    return response


@aiohttp_eid.login_required
async def websocket(request: web.Request) -> web.StreamResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str("hello")
    await ws.close()
    return ws


async def app_data(request: web.Request) -> web.Response:
    """The application's own session data, beside aiohttp-eid's."""
    session = await aiohttp_session.get_session(request)
    session["app_data"] = "y" * int(request.query.get("size", "10"))
    return web.json_response({"ok": True})


@aiohttp_eid.login_required
async def everywhere(request: web.Request) -> web.Response:
    return web.json_response({"ended": await aiohttp_eid.logout_everywhere(request)})


class ProtectedView(web.View):
    @aiohttp_eid.login_required
    async def get(self) -> web.Response:
        return web.json_response({"view": True})


async def hinted_login(request: web.Request) -> web.StreamResponse:
    # the application vouches for this hint (from its own account record), never from the query
    return await aiohttp_eid.login_redirect(
        request, request.match_info["provider"], next="/me", login_hint="32+123456789"
    )


def build_app(config: EidConfig) -> web.Application:
    app = web.Application()
    aiohttp_eid.setup(app, config)
    app.router.add_get("/", home)
    app.router.add_get("/me", me)
    app.router.add_get("/high", high)
    app.router.add_get("/token", token)
    app.router.add_get("/refresh-identity", refresh_identity)
    app.router.add_get("/file", file)
    app.router.add_get("/stream", stream)
    app.router.add_get("/ws", websocket)
    app.router.add_get("/app-data", app_data)
    app.router.add_get("/everywhere", everywhere)
    app.router.add_view("/view", ProtectedView)
    app.router.add_get("/hinted/{provider}", hinted_login)
    return app


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


HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}

HarnessFactory = Callable[..., Awaitable[Harness]]


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


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name not in {"key", "gender", "idp", "physical_id_name", "os", "locale", "nationality"}:
                yield from _strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _personal_values() -> set[str]:
    values: set[str] = {CLIENT_SECRET, SESSION_KEY}
    for user in (*DEFAULT_EIDG_USERS, *DEFAULT_ITSME_USERS):
        for value in _strings(user):
            if len(value) >= 5 and value.lower() not in {"null", "true", "false"}:
                values.add(value)
                if value.startswith(("TIN", "VAT")):
                    values.add(value.rpartition("-")[2])  # "TINIT-CODE": the bare code too
    return values


PERSONAL_VALUES = _personal_values()

_JOSE_HEADER_CANDIDATE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}")


def holds_jose(text: str | bytes) -> bool:
    """Whether ``text`` holds a JOSE segment: base64url that decodes to at least 12 bytes of JSON text.

    A bare ``"eyJ"`` test is not enough: random base64url (states, ciphertexts) holds it by chance,
    while 12 printable bytes after ``{"`` happen by chance about once in 150,000 candidates.
    """
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    for match in _JOSE_HEADER_CANDIDATE.finditer(text):
        segment = match.group()[:32]
        decoded = base64.urlsafe_b64decode(segment[: len(segment) // 4 * 4])
        if len(decoded) >= 12 and all(0x20 <= byte < 0x7F for byte in decoded):
            return True
    return False


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
