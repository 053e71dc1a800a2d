"""The EIDG login's HTTP exchanges with none of the protocol's work: what aiohttp itself costs.

python -m bench.http_floor --port 8004 --eidg http://127.0.0.1:8101/oauth2

The same requests and answers as a real login against the emulator: a 302 to the provider
with a cookie the size of our pre-login session, then the code exchanged with HTTP Basic
(the same outbound ClientSession settings as the plugin's) and ``/user-info`` read, and a
302 with a cookie the size of a logged-in session. No state, PKCE, validation, SAML or
sealing: a login's CPU minus this floor is what the protocol and aiohttp-eid cost.
"""

from __future__ import annotations

import argparse
import base64
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from aiohttp_eid.oidc.pkce import code_challenge
from aiohttp_eid.oidc.transport import new_client_session

#: the sizes of our session cookies' values after the login redirect and after the callback
PRE_LOGIN_COOKIE, LOGGED_IN_COOKIE = 400, 2800
_VERIFIER = "v" * 43
_CLIENT = web.AppKey("client", aiohttp.ClientSession)


def build(port: int, eidg: str) -> web.Application:
    redirect_uri = f"http://127.0.0.1:{port}/auth/eidg/callback"
    authorize = f"{eidg}/authorize?" + urlencode(
        {
            "client_id": "demo-client",
            "state": "s" * 43,
            "redirect_uri": redirect_uri,
            "acr_values": "infocert:identification:method:SPID_LEVEL_2",
            "response_type": "code",
            "scope": "openid",
            "ui_locales": "it",
            "code_challenge_method": "S256",
            "code_challenge": code_challenge(_VERIFIER),
        }
    )
    basic = "Basic " + base64.b64encode(b"demo-client:demo-secret").decode()

    async def login(request: web.Request) -> web.Response:
        response = web.Response(status=302, headers={"Location": authorize, "Cache-Control": "no-store"})
        response.set_cookie("EID", "x" * PRE_LOGIN_COOKIE, httponly=True, samesite="Lax", max_age=28800)
        return response

    async def callback(request: web.Request) -> web.Response:
        client = request.app[_CLIENT]
        form = {"code": request.query["code"], "grant_type": "authorization_code"}
        form |= {"code_verifier": _VERIFIER, "redirect_uri": redirect_uri}
        headers = {"Authorization": basic, "Accept": "application/json"}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        async with client.post(f"{eidg}/token", data=urlencode(form).encode(), headers=headers) as resp:
            tokens = await resp.json()
        bearer = {"Authorization": f"Bearer {tokens['accessToken']}", "Accept": "application/json"}
        async with client.get(f"{eidg}/user-info", headers=bearer) as resp:
            await resp.json()
        response = web.Response(status=302, headers={"Location": "/", "Cache-Control": "no-store"})
        response.set_cookie("EID", "x" * LOGGED_IN_COOKIE, httponly=True, samesite="Lax", max_age=28800)
        return response

    async def client_context(app: web.Application) -> AsyncIterator[None]:
        app[_CLIENT] = new_client_session(10.0)
        yield
        await app[_CLIENT].close()

    app = web.Application()
    app.cleanup_ctx.append(client_context)
    app.router.add_get("/auth/eidg/login", login)
    app.router.add_get("/auth/eidg/callback", callback)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--eidg", required=True)
    args = parser.parse_args()
    web.run_app(build(args.port, args.eidg), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
