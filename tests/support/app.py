"""The application the tests log in to: every kind of route ``aiohttp_eid`` guards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_session
from aiohttp import web

import aiohttp_eid
from aiohttp_eid import Assurance, EidConfig


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
    app.router.add_post("/me", me)  # a form posted to a protected page
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
