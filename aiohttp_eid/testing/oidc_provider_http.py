"""The shapes of the OpenID provider emulator's HTTP answers, and reading its requests."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from multidict import MultiDict, MultiDictProxy, MultiMapping

__all__ = ["FORM", "NO_STORE", "OAuthFailure", "json_error", "json_ok", "page", "read_form", "read_params", "redirect"]

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class OAuthFailure(Exception):
    """An OAuth 2.0 / OpenID Connect error answer: ``error`` code, description, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def json_ok(body: Mapping[str, object], status: int = 200) -> web.Response:
    return web.json_response(dict(body), status=status, headers=NO_STORE)


def json_error(failure: OAuthFailure, *, scheme: str | None = None) -> web.Response:
    """RFC 6749 section 5.2 (and RFC 6750 section 3 for ``scheme="Bearer"``)."""
    response = json_ok({"error": failure.error, "error_description": failure.description}, failure.status)
    if scheme is not None and failure.status == 401:
        challenge = f'{scheme} realm="emulator"'
        if scheme == "Bearer":
            challenge += f', error="{failure.error}"'
        response.headers["WWW-Authenticate"] = challenge
    return response


def page(html: str, status: int = 200) -> web.Response:
    return web.Response(text=html, status=status, content_type="text/html", headers=_PAGE_HEADERS)


def redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location, **NO_STORE})


async def read_form(request: web.Request) -> MultiDictProxy[str]:
    """The urlencoded form of a request (empty for any other content type)."""
    if request.content_type != FORM or not request.body_exists:
        return MultiDictProxy(MultiDict())
    posted = await request.post()
    return MultiDictProxy(MultiDict((k, v) for k, v in posted.items() if isinstance(v, str)))


async def read_params(request: web.Request) -> MultiMapping[str]:
    """The parameters of a request that may come as GET query or POST form (OpenID Core 3.1.2.1)."""
    if request.method == "POST":
        return await read_form(request)
    return request.query
