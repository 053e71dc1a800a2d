"""(4) Reading and writing the request's session, for every kind of response.

aiohttp-session's own middleware saves only plain ``web.Response``s, so tokens
refreshed during a file, stream or WebSocket response would be lost. Here the
session is written in the middleware for responses not yet prepared, and in
``on_response_prepare`` for those a handler prepares itself. A write that fails
(too large for the cookies, Redis down) is never dropped without a word: the
response becomes the error, or, once its headers are out, the connection is
closed and the error logged.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import hdrs, web
from aiohttp.http_writer import StreamWriter
from aiohttp_session import SESSION_KEY, STORAGE_KEY, Session, get_session

from ..errors import SessionError
from ..runtime import SESSION_SAVED

__all__ = ["abandon_started_response", "on_response_prepare", "save_or_error", "save_session", "session_of"]

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
    session._changed = False  # so a change made after this write is seen (abandon_started_response)


async def save_or_error(request: web.Request, response: web.StreamResponse) -> SessionError | None:
    """Save as ``save_session`` does; the error (logged) when the session could not be written."""
    try:
        await save_session(request, response)
    except SessionError as exc:
        # nothing is written: the browser keeps its previous, valid session
        request[SESSION_SAVED] = True
        log.error("session not saved: %s", exc.detail)
        return exc
    return None


async def on_response_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Signal receiver: save before the headers of a handler-prepared response go out.

    aiohttp turns ``response.cookies`` into headers *before* this signal runs, so
    the cookies written here are added to the headers directly. A failed write
    raises from the handler's ``prepare()`` (so it writes nothing), and the
    middleware answers with the error instead.
    """
    # runs for every response: the usual case (no session loaded, or already saved) costs
    # one lookup (our middleware sets SESSION_KEY to None until the session is loaded)
    if request.get(SESSION_KEY) is None or request.get(SESSION_SAVED) or STORAGE_KEY not in request:
        return
    before = {name: _header(morsel) for name, morsel in response.cookies.items()}
    error = await save_or_error(request, response)
    if error is not None:
        _unframe(request)
        raise error
    for name, morsel in response.cookies.items():
        value = _header(morsel)
        if before.get(name) != value:
            response.headers.add(hdrs.SET_COOKIE, value)


def _unframe(request: web.Request) -> None:
    # aiohttp sets the connection's writer up for the response (chunking, compression)
    # before this signal runs; the error response sent instead must start from a clean
    # writer, or an API client gets a Content-Length header over a chunked body
    writer = request.writer
    if isinstance(writer, StreamWriter):
        writer.chunked = False
        writer._compress = None


def abandon_started_response(request: web.Request) -> None:
    """The session changed after the response's headers went out: log it and close the connection.

    Nothing can be written any more; closing tells the client that the response
    (if not complete yet) failed, instead of ending it as a success.
    """
    session = request.get(SESSION_KEY)
    if session is None or not _changed(session):
        return
    log.error("session not saved: it changed after the response had started; the connection is closed")
    transport = request.transport
    if transport is not None:
        transport.close()


def _header(morsel: Any) -> str:
    return str(morsel.output(header="")[1:])
