"""(5) The middleware: the request's login, refreshed when due (``web.refresh``), and its session saved.

It also starts the login a guard asks for with ``StartLogin`` (``login_redirect``), so a browser goes
from a protected page straight to the provider, its pending login saved as the login route saves it.

Reading is the hot path of every application: an anonymous request without a
cookie costs a header lookup; a logged-in one whose login is in memory (decoded
once per Cookie header; on Redis, while Redis reports changes) one dictionary
lookup and one clock reading.
"""

from __future__ import annotations

import dataclasses
import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp_session import SESSION_KEY, STORAGE_KEY, AbstractStorage

from ..errors import (
    EidError,
    ProviderUnavailableError,
    SessionStoreUnavailableError,
)
from ..identity import Identity
from ..runtime import IDENTITY, LOGIN, SESSION_UNAVAILABLE, Runtime
from ..session.cookie_storage import ChunkedCookieStorage
from ..session.login_record import NOT_CACHED, LoginReader, clear_login, read_login, write_login
from ..session.redis_storage import RedisStorage
from .guards import StartLogin
from .login import login_redirect
from .refresh import refreshed
from .responses import error_response
from .session_io import abandon_started_response, save_or_error, session_of

__all__ = ["authenticate", "eid_middleware"]

log = logging.getLogger("aiohttp_eid")


def eid_middleware(runtime: Runtime) -> Middleware:
    """The middleware of one application: everything it needs is bound once, not looked up per request."""
    storage = runtime.storage
    reader = login_reader(storage)
    lifetimes = runtime.lifetimes

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Set ``request[IDENTITY]``, refresh tokens when due, save the session on every response."""
        request[STORAGE_KEY] = storage  # so aiohttp_session.get_session() works for the app too
        request[SESSION_KEY] = None  # not loaded yet: get_session() loads it on first use
        try:
            try:
                # the hot path: a login known from memory that needs no write, no refresh and no expiry
                login = reader.cached_login(request) if reader is not None else NOT_CACHED
                if login is None or (login is not NOT_CACHED and lifetimes.usable_as_is(login)):
                    request[LOGIN] = login
                    request[IDENTITY] = login.identity if login is not None else None
                else:
                    request[IDENTITY] = await authenticate(request, runtime)
                response = await handler(request)
            except StartLogin as start:
                # a guard's login, started here: the browser goes straight to the provider, and
                # the session with the new transaction is saved below as the login route's is
                response = await login_redirect(request, start.provider, next=start.next, assurance=start.assurance)
        except web.HTTPException as exc:
            # a redirect raised after the session grew too large must not go out without it
            replaced = await _save_or_replace(request, exc, runtime)
            if replaced is exc:
                raise
            return replaced
        except EidError as exc:
            runtime.events.raised(exc, only=ProviderUnavailableError)  # a login start, access_token(), ...
            response = error_response(request, exc, default_locale=runtime.config.default_locale)
        if request[SESSION_KEY] is not None:
            if not response.prepared:
                return await _save_or_replace(request, response, runtime)
            abandon_started_response(request)
        return response

    return middleware


def login_reader(storage: AbstractStorage) -> LoginReader | None:
    """The storage itself when it reads logins without building the whole session (ours do)."""
    return storage if isinstance(storage, ChunkedCookieStorage | RedisStorage) else None


async def _save_or_replace(request: web.Request, response: web.StreamResponse, runtime: Runtime) -> web.StreamResponse:
    error = await save_or_error(request, response)
    if error is not None:
        return error_response(request, error, default_locale=runtime.config.default_locale)
    return response


async def authenticate(request: web.Request, runtime: Runtime) -> Identity | None:
    """The request's identity; ends expired logins, refreshes tokens when due (refresh='auto')."""
    request[LOGIN] = None
    storage = runtime.storage
    reader = login_reader(storage)
    try:
        if reader is not None:
            # without building (or parsing) the whole session, and without a Redis
            # round trip when there is no session cookie
            login = await reader.load_login(request)
        elif storage.cookie_name in request.cookies:
            login = read_login(await session_of(request))
        else:
            return None
    except SessionStoreUnavailableError:
        # the handler may not need the session; guards and get_session() answer 503
        request[SESSION_UNAVAILABLE] = True
        log.warning("session store unavailable")
        return None
    if login is None:
        return None
    config = runtime.config
    lifetimes = runtime.lifetimes
    now = config.clock()
    if lifetimes.ended(login, now):
        clear_login(await session_of(request))
        return None
    if lifetimes.touch_due(login, now):
        login = dataclasses.replace(login, seen_at=now)
        write_login(await session_of(request), login)
    if lifetimes.refresh_due(login, now) and not request.path.startswith(config.prefix + "/"):
        login = await refreshed(request, runtime, login, quiet=True)
        if login is None:
            return None
    request[LOGIN] = login
    return login.identity
