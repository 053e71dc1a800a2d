"""The example application: three pages behind aiohttp-eid, and the demo's emulated providers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

import aiohttp_eid
from aiohttp_eid import Assurance
from aiohttp_eid.testing import EidgEmulator, ItsmeEmulator

from . import pages
from .metrics import with_metrics
from .settings import Settings

__all__ = ["SETTINGS", "build_app", "demo_banner", "emulated_providers"]

SETTINGS = web.AppKey("example_app.settings", Settings)


async def home(request: web.Request) -> web.Response:
    identity = aiohttp_eid.get_identity(request)  # None when anonymous
    return _html(pages.home_page(identity, request.app[SETTINGS].login_url))


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


async def emulated_providers(app: web.Application) -> AsyncIterator[None]:
    """Demo mode: serve an emulated EIDG and an emulated itsme on localhost, another site than 127.0.0.1.

    They show their page with the test users (no ``auto_approve``). The itsme
    emulator fetches the app's public keys from ``/auth/jwks.json`` during a
    login only, when the app is serving.
    """
    settings = app[SETTINGS]
    eidg, itsme = settings.eidg, settings.itsme
    eidg_port, itsme_port = settings.emulator_port, settings.itsme_emulator_port
    if eidg is None or itsme is None or eidg_port is None or itsme_port is None:
        raise RuntimeError("emulated_providers: demo settings only")
    emulators: list[tuple[EidgEmulator | ItsmeEmulator, int]] = [
        (
            EidgEmulator(
                client_id=eidg.client_id,
                client_secret=eidg.client_secret,
                redirect_uris=[eidg.redirect_uri],
                auto_approve=None,
            ),
            eidg_port,
        ),
        (
            ItsmeEmulator(
                client_id=itsme.client_id,
                service_codes=[itsme.service_code],
                redirect_uris=[itsme.redirect_uri],
                rp_jwks_uri=f"http://{settings.host}:{settings.port}{settings.eid.prefix}/jwks.json",
                auto_approve=None,
            ),
            itsme_port,
        ),
    ]
    started: list[EidgEmulator | ItsmeEmulator] = []
    try:
        for emulator, port in emulators:
            await emulator.start("localhost", port)
            started.append(emulator)
        yield
    finally:
        for emulator in reversed(started):
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
    eid = settings.eid
    if settings.metrics_port is not None:
        eid, serve_metrics = with_metrics(eid, settings.metrics_port)
        app.cleanup_ctx.append(serve_metrics)
    aiohttp_eid.setup(app, eid)
    if settings.demo:
        # first: the emulators are up when aiohttp-eid fetches itsme's discovery document at startup
        app.cleanup_ctx.insert(0, emulated_providers)
        app.middlewares.insert(0, demo_banner)  # outermost: it sees aiohttp-eid's pages too
    app.router.add_get("/", home)
    app.router.add_get("/account", account)
    app.router.add_get("/high", high)
    return app
