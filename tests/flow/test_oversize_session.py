"""(4) A session write that cannot fit is never silent, whatever the response type.

The handlers below grow the session past the two-cookie budget (or, for ``/late``, change it after
their response started), then answer with a redirect raised as an exception, JSON, a file, a stream
(plain and compressed) or a WebSocket. Each must end in the documented ``session_too_large`` error
(docs/sessions.md), well framed so the keep-alive connection goes on, and the browser keeps its
previous session. A change made after the headers went out closes the connection, with the error logged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import aiohttp_session
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

import aiohttp_eid
from aiohttp_eid import EidConfig, EidgConfig
from tests.support.harness import HTML, JSON, SESSION_KEY

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def grow(request: web.Request) -> None:
    session = await aiohttp_session.get_session(request)
    session["data"] = "y" * int(request.query.get("size", "9000"))


async def redirect(request: web.Request) -> web.StreamResponse:
    await grow(request)
    raise web.HTTPFound("/elsewhere")


async def json_answer(request: web.Request) -> web.StreamResponse:
    await grow(request)
    return web.json_response({"ok": True})


async def file(request: web.Request) -> web.StreamResponse:
    await grow(request)
    return web.FileResponse(Path(__file__))


async def stream(request: web.Request) -> web.StreamResponse:
    await grow(request)
    response = web.StreamResponse()
    response.content_type = "text/plain"
    if "compress" in request.query:
        response.enable_compression()
    await response.prepare(request)
    await response.write(b"streamed data")
    await response.write_eof()
    return response


async def websocket(request: web.Request) -> web.StreamResponse:
    await grow(request)
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str("hello")
    await ws.close()
    return ws


async def late(request: web.Request) -> web.StreamResponse:
    """Changes the session after its headers went out: nothing can carry the change any more."""
    session = await aiohttp_session.get_session(request)
    response = web.StreamResponse()
    response.content_type = "text/plain"
    await response.prepare(request)
    await response.write(b"first part")
    session["data"] = "changed after the headers"
    return response


@aiohttp_eid.login_required
async def guarded(request: web.Request) -> web.StreamResponse:
    return web.json_response({"reached": True})


async def read(request: web.Request) -> web.StreamResponse:
    session = await aiohttp_session.get_session(request)
    return web.json_response({"data": session.get("data")})


ROUTES: dict[str, Handler] = {
    "/redirect": redirect,
    "/json": json_answer,
    "/file": file,
    "/stream": stream,
    "/ws": websocket,
    "/late": late,
    "/read": read,
    "/guarded": guarded,
}


@pytest_asyncio.fixture
async def origin(unused_tcp_port: int) -> AsyncIterator[str]:
    origin = f"http://127.0.0.1:{unused_tcp_port}"
    app = web.Application()
    config = EidConfig(
        providers=[
            EidgConfig(
                name="eidg",
                base_url="http://127.0.0.1:9/oauth2",  # never called: these requests need no provider
                client_id="c",
                client_secret="s",
                redirect_uri=f"{origin}/auth/eidg/callback",
            )
        ],
        session_key=SESSION_KEY,
    )
    aiohttp_eid.setup(app, config)
    for path, handler in ROUTES.items():
        app.router.add_get(path, handler)
    server = TestServer(app, host="127.0.0.1", port=unused_tcp_port)
    await server.start_server()
    yield origin
    await server.close()


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    # one connection: a badly framed answer would corrupt the next one on it
    connector = aiohttp.TCPConnector(limit=1)
    timeout = aiohttp.ClientTimeout(total=20)  # the old behaviour of /late hangs the client: fail instead
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=timeout
    ) as session:
        yield session


async def stored(browser: aiohttp.ClientSession, origin: str) -> object:
    async with browser.get(f"{origin}/read", headers=JSON) as resp:
        assert resp.status == 200
        return (await resp.json())["data"]


@pytest.mark.parametrize("path", ["/redirect", "/json", "/file", "/stream", "/stream?compress=1"])
@pytest.mark.parametrize("accept", ["json", "html"])
async def test_an_oversize_session_ends_in_the_documented_error_for_every_response_type(
    origin: str, browser: aiohttp.ClientSession, path: str, accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with browser.get(f"{origin}/json?size=10") as resp:  # a small, valid session first
        assert resp.status == 200
    assert await stored(browser, origin) == "y" * 10
    headers = JSON if accept == "json" else HTML
    async with browser.get(f"{origin}{path}", headers=headers, allow_redirects=False) as resp:
        assert resp.status == 500
        assert "Set-Cookie" not in resp.headers
        if accept == "json":
            assert (await resp.json())["error"] == "session_too_large"
        else:
            assert resp.content_type == "text/html"
            assert "session_too_large" in await resp.text()
    # the same keep-alive connection answers the next request cleanly, and the old session is intact
    assert await stored(browser, origin) == "y" * 10
    assert any("session not saved" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


async def test_a_login_a_guard_starts_in_a_nearly_full_session_ends_in_the_documented_error(
    origin: str, browser: aiohttp.ClientSession
) -> None:
    # the application's data leaves no room for the pending login the guard starts
    async with browser.get(f"{origin}/json?size=5150") as resp:
        assert resp.status == 200
    async with browser.get(f"{origin}/guarded", headers=HTML, allow_redirects=False) as resp:
        assert resp.status == 500  # not a redirect to the provider without its pending login
        assert "Set-Cookie" not in resp.headers
        assert "session_too_large" in await resp.text()
    assert await stored(browser, origin) == "y" * 5150


async def test_an_oversize_session_at_a_websocket_handshake_gets_the_error_not_an_upgrade(
    origin: str, browser: aiohttp.ClientSession
) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await browser.ws_connect(f"{origin}/ws", headers=JSON)
    assert refused.value.status == 500
    async with browser.get(f"{origin}/read", headers=JSON) as resp:
        assert resp.status == 200
        assert (await resp.json())["data"] is None


async def test_a_websocket_with_a_session_that_fits_still_saves_it(origin: str, browser: aiohttp.ClientSession) -> None:
    ws = await browser.ws_connect(f"{origin}/ws?size=10")
    assert (await ws.receive_str()) == "hello"
    await ws.close()
    assert await stored(browser, origin) == "y" * 10


async def test_a_change_after_the_response_started_closes_the_connection_and_is_logged(
    origin: str, browser: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    async with browser.get(f"{origin}/late", headers=JSON) as resp:
        assert resp.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()  # the body never ends as a success
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("changed after the response had started" in m for m in messages)
    assert await stored(browser, origin) is None
