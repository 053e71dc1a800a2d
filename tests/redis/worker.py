"""One application worker for the multi-process Redis tests: aiohttp-eid on Redis storage."""

from __future__ import annotations

import argparse

from aiohttp import web

import aiohttp_eid
from aiohttp_eid import EidConfig, EidgConfig

SESSION_KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s"


@aiohttp_eid.login_required
async def me(request: web.Request) -> web.Response:
    identity = aiohttp_eid.get_identity(request)
    assert identity is not None
    return web.json_response({"subject": identity.subject, "port": request.url.port})


@aiohttp_eid.login_required
async def token(request: web.Request) -> web.Response:
    return web.json_response({"access_token": await aiohttp_eid.access_token(request)})


async def home(request: web.Request) -> web.Response:
    return web.json_response({"anonymous": aiohttp_eid.get_identity(request) is None})


@aiohttp_eid.login_required
async def everywhere(request: web.Request) -> web.Response:
    return web.json_response({"ended": await aiohttp_eid.logout_everywhere(request)})


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--port", "--redirect-port"):
        parser.add_argument(name, type=int, required=True)
    for name in ("--redis", "--eidg", "--secret"):
        parser.add_argument(name, required=True)
    parser.add_argument("--lock-timeout", type=float, default=2.0)
    args = parser.parse_args()
    app = web.Application()
    # every worker answers for the same site: the redirect URI names the first worker's port
    aiohttp_eid.setup(
        app,
        EidConfig(
            providers=[
                EidgConfig(
                    name="eidg",
                    base_url=args.eidg,
                    client_id="demo-client",
                    client_secret=args.secret,
                    redirect_uri=f"http://127.0.0.1:{args.redirect_port}/auth/eidg/callback",
                    methods=["infocert:identification:method:SPID_LEVEL_2"],
                )
            ],
            session_key=SESSION_KEY,
            storage=args.redis,
            refresh_lock_timeout=args.lock_timeout,
            http_timeout=args.lock_timeout,
        ),
    )
    app.router.add_get("/", home)
    app.router.add_get("/me", me)
    app.router.add_get("/token", token)
    app.router.add_post("/everywhere", everywhere)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
