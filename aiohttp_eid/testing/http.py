"""The HTTP answer shapes every emulator shares: JSON, pages, redirects, and reading forms."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

__all__ = ["FORM", "NO_STORE", "json_ok", "page", "read_form", "redirect"]

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def json_ok(body: Mapping[str, object], status: int = 200) -> web.Response:
    return web.json_response(dict(body), status=status, headers=NO_STORE)


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
