"""(4) Reading and writing the request's session, for every kind of response.

aiohttp-session's own middleware saves only plain ``web.Response``s, so tokens
refreshed during a file, stream or WebSocket response would be lost. Here the
session is written in the middleware for responses not yet prepared, and in
``on_response_prepare`` for those a handler prepares itself.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import hdrs, web
from aiohttp_session import SESSION_KEY, STORAGE_KEY, Session, get_session

from ..keys import SESSION_SAVED

__all__ = ["on_response_prepare", "save_session", "session_of"]

log = logging.getLogger("aiohttp_eid.session")


async def session_of(request: web.Request) -> Session:
    """The request's aiohttp-session Session (loaded once per request)."""
    return await get_session(request)


def _changed(session: Any) -> bool:
    return bool(getattr(session, "_changed", False))


async def save_session(request: web.Request, response: web.StreamResponse) -> None:
    """Write the session into ``response`` if it changed and was not written yet."""
    if request.get(SESSION_SAVED):
        return
    session = request.get(SESSION_KEY)
    if session is None or not _changed(session):
        return
    storage = request[STORAGE_KEY]
    await storage.save_session(request, response, session)
    request[SESSION_SAVED] = True


async def on_response_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Signal receiver: save before the headers of a handler-prepared response go out.

    aiohttp turns ``response.cookies`` into headers *before* this signal runs, so
    the cookies written here are added to the headers directly.
    """
    # runs for every response: the usual case (no session loaded, or already saved) costs
    # one lookup (our middleware sets SESSION_KEY to None until the session is loaded)
    if request.get(SESSION_KEY) is None or request.get(SESSION_SAVED) or STORAGE_KEY not in request:
        return
    before = {name: _header(morsel) for name, morsel in response.cookies.items()}
    await save_session(request, response)
    for name, morsel in response.cookies.items():
        value = _header(morsel)
        if before.get(name) != value:
            response.headers.add(hdrs.SET_COOKIE, value)


def _header(morsel: Any) -> str:
    return str(morsel.output(header="")[1:])
