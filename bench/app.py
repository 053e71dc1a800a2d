"""A benchmark server: the same trivial handler, bare or behind aiohttp-session or aiohttp-eid.

python -m bench.app --variant cookie --port 8001 --eidg http://127.0.0.1:8101/oauth2 [--redis URL]
python -m bench.app --variant oidc --port 8002 --oidc http://127.0.0.1:8103/oidc
"""

from __future__ import annotations

import argparse
import base64
import json

import aiohttp_session
from aiohttp import web
from aiohttp_session.cookie_storage import EncryptedCookieStorage

import aiohttp_eid
from aiohttp_eid import EidConfig, EidgConfig, ItsmeConfig, OidcConfig, RelyingPartyKeys
from aiohttp_eid.config import ProviderConfig

SESSION_KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s"
VARIANTS = ("bare", "aiohttp_session", "cookie", "redis", "anonymous", "itsme", "oidc")


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


@aiohttp_eid.login_required
async def protected(request: web.Request) -> web.Response:
    return web.Response(text="hello")


async def token(request: web.Request) -> web.Response:
    return web.Response(text=await aiohttp_eid.access_token(request))


async def with_aiohttp_session(request: web.Request) -> web.Response:
    session = await aiohttp_session.get_session(request)
    if "login" not in session:
        raise web.HTTPUnauthorized()
    return web.Response(text="hello")


async def fill(request: web.Request) -> web.Response:
    session = await aiohttp_session.get_session(request)
    session["login"] = json.loads(request.query["payload"])
    return web.Response(text="ok")


def build(variant: str, port: int, eidg: str, itsme: str, redis: str, oidc: str) -> web.Application:
    app = web.Application()
    if variant == "bare":
        app.router.add_get("/", hello)
    elif variant == "aiohttp_session":
        aiohttp_session.setup(app, EncryptedCookieStorage(base64.urlsafe_b64decode(SESSION_KEY + "=")))
        app.router.add_get("/", with_aiohttp_session)
        app.router.add_get("/fill", fill)
    else:
        name = variant if variant in ("itsme", "oidc") else "eidg"
        redirect = f"http://127.0.0.1:{port}/auth/{name}/callback"
        provider: ProviderConfig
        if variant == "oidc":
            provider = OidcConfig(
                name="oidc",
                discovery_url=f"{oidc}/.well-known/openid-configuration",
                client_id="demo-rp",
                client_secret="demo-rp-secret",
                redirect_uri=redirect,
            )
        elif variant == "itsme":
            provider = ItsmeConfig(
                name="itsme",
                discovery_url=f"{itsme}/.well-known/openid-configuration",
                client_id="demo-rp",
                service_code="DEMO_LOGIN",
                redirect_uri=redirect,
                keys=RelyingPartyKeys.generate(),
                scopes=["profile", "email", "address", "phone"],
                claims=["nationality", "eid", "device", "photo"],
            )
        else:
            provider = EidgConfig(
                name="eidg",
                base_url=eidg,
                client_id="demo-client",
                client_secret="demo-secret",
                redirect_uri=redirect,
                methods=["infocert:identification:method:SPID_LEVEL_2"],
            )
        storage = redis if variant == "redis" else "cookie"
        aiohttp_eid.setup(app, EidConfig(providers=[provider], session_key=SESSION_KEY, storage=storage))
        app.router.add_get("/", hello if variant == "anonymous" else protected)
        app.router.add_get("/token", token)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--eidg", default="http://127.0.0.1:1/oauth2")
    parser.add_argument("--itsme", default="http://127.0.0.1:1/oidc")
    parser.add_argument("--redis", default="redis://127.0.0.1:1/0")
    parser.add_argument("--oidc", default="http://127.0.0.1:1/oidc")
    args = parser.parse_args()
    app = build(args.variant, args.port, args.eidg, args.itsme, args.redis, args.oidc)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
