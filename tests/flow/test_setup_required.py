"""Without ``setup()``, every public helper that needs the plugin says so plainly, instead of a bare KeyError."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpClient

import aiohttp_eid
from aiohttp_eid import Assurance, ConfigurationError

SETUP_FIRST = "call aiohttp_eid.setup(app, EidConfig(...)) first"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def explain(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Shows the ConfigurationError's text; any other exception stays aiohttp's plain 500."""
    try:
        return await handler(request)
    except ConfigurationError as exc:
        return web.Response(status=500, text=str(exc))


async def token(request: web.Request) -> web.Response:
    return web.Response(text=await aiohttp_eid.access_token(request))


async def fresh(request: web.Request) -> web.Response:
    return web.Response(text=(await aiohttp_eid.refresh_identity(request)).subject)


async def everywhere(request: web.Request) -> web.Response:
    return web.Response(text=str(await aiohttp_eid.logout_everywhere(request)))


async def redirect(request: web.Request) -> web.StreamResponse:
    return await aiohttp_eid.login_redirect(request, "eidg")


@aiohttp_eid.login_required
async def guarded(request: web.Request) -> web.Response:
    return web.Response(text="in")


@aiohttp_eid.requires_assurance(Assurance.HIGH)
async def high(request: web.Request) -> web.Response:
    return web.Response(text="in")


async def checked(request: web.Request) -> web.Response:
    aiohttp_eid.require_identity(request, claims=("tax_id",))
    return web.Response(text="in")


@pytest.mark.parametrize(
    "handler", [token, fresh, everywhere, redirect, guarded, high, checked], ids=lambda h: h.__name__
)
async def test_a_helper_used_without_setup_names_the_missing_call(
    aiohttp_client: AiohttpClient, handler: Handler
) -> None:
    app = web.Application(middlewares=[explain])
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    resp = await client.get("/", allow_redirects=False)
    assert resp.status == 500
    assert SETUP_FIRST in await resp.text()
