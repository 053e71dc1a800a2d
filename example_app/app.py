"""The example application: three pages behind aiohttp-eid, and the demo's emulated provider."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

import aiohttp_eid
from aiohttp_eid import Assurance
from aiohttp_eid.testing import EidgEmulator

from . import pages
from .settings import Settings

__all__ = ["SETTINGS", "PathOnlyAccessLogger", "build_app", "demo_banner", "emulated_provider"]

SETTINGS = web.AppKey("example_app.settings", Settings)


async def home(request: web.Request) -> web.Response:
    identity = aiohttp_eid.get_identity(request)  # None when anonymous
    return _html(pages.home_page(identity))


@aiohttp_eid.login_required
async def account(request: web.Request) -> web.Response:
    identity = aiohttp_eid.require_identity(request)  # the typed Identity; never None here
    return _html(pages.account_page(identity))


@aiohttp_eid.requires_assurance(Assurance.HIGH)  # a lower login is sent to a step-up login
async def high(request: web.Request) -> web.Response:
    identity = aiohttp_eid.require_identity(request)
    return _html(pages.high_page(identity))


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", headers={"Cache-Control": "no-store"})


async def emulated_provider(app: web.Application) -> AsyncIterator[None]:
    """Demo mode: serve an emulated EIDG on localhost, another site than the app's 127.0.0.1."""
    settings = app[SETTINGS]
    assert settings.emulator_port is not None
    provider = settings.provider
    emulator = EidgEmulator(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        redirect_uris=[provider.redirect_uri],
        auto_approve=None,  # show the page with the test users
    )
    await emulator.start("localhost", settings.emulator_port)
    yield
    await emulator.close()


@web.middleware
async def demo_banner(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Demo mode: the banner on every HTML page, aiohttp-eid's own (errors, logout) included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _add_banner(exc)
        raise
    _add_banner(response)
    return response


def _add_banner(response: web.StreamResponse) -> None:
    if isinstance(response, web.Response) and response.content_type == "text/html" and response.text:
        response.text = response.text.replace("<body>", "<body>" + pages.BANNER_HTML, 1)


def build_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    aiohttp_eid.setup(app, settings.eid)
    if settings.demo:
        app.cleanup_ctx.append(emulated_provider)
        app.middlewares.insert(0, demo_banner)  # outermost: it sees aiohttp-eid's pages too
    app.router.add_get("/", home)
    app.router.add_get("/account", account)
    app.router.add_get("/high", high)
    return app


class PathOnlyAccessLogger(AbstractAccessLogger):
    """An access log without query strings: a login callback's query holds a one-time code."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.3fs", request.method, request.path, response.status, time)
