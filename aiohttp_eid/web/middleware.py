"""(5, 7) The middleware: the request's login, refreshed when due, and its session saved.

Reading is the hot path of every application: an anonymous request without a
cookie costs a dictionary lookup; a logged-in one a cached decryption and a JSON
parse.
"""

from __future__ import annotations

import dataclasses
import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp_session import SESSION_KEY, STORAGE_KEY

from ..errors import (
    EidError,
    LoginExpiredError,
    ProviderError,
    ProviderUnavailableError,
    SessionError,
    SessionStoreUnavailableError,
)
from ..identity import Identity
from ..keys import IDENTITY, LOGIN, SESSION_SAVED, SESSION_UNAVAILABLE
from ..runtime import Runtime
from ..session.redis_storage import RedisStorage
from ..session.storage import ChunkedCookieStorage
from ..session.store import StoredLogin, clear_login, read_login, write_login
from .responses import error_response
from .session_io import save_session, session_of

__all__ = ["authenticate", "eid_middleware", "refreshed"]

log = logging.getLogger("aiohttp_eid")


def eid_middleware(runtime: Runtime) -> Middleware:
    """The middleware of one application: the runtime is bound once, not looked up per request."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Set ``request[IDENTITY]``, refresh tokens when due, save the session on every response."""
        request[STORAGE_KEY] = runtime.storage  # so aiohttp_session.get_session() works for the app too
        try:
            request[IDENTITY] = await authenticate(request, runtime)
            response = await handler(request)
        except web.HTTPException as exc:
            await _save_or_replace(request, exc, runtime)
            raise
        except EidError as exc:
            response = error_response(request, exc, default_locale=runtime.config.default_locale)
        if not response.prepared and SESSION_KEY in request:
            return await _save_or_replace(request, response, runtime)
        return response

    return middleware


async def _save_or_replace(request: web.Request, response: web.StreamResponse, runtime: Runtime) -> web.StreamResponse:
    try:
        await save_session(request, response)
    except SessionError as exc:
        # nothing is written: the browser keeps its previous, valid session
        request[SESSION_SAVED] = True
        log.error("session not saved: %s", exc.detail)
        return error_response(request, exc, default_locale=runtime.config.default_locale)
    return response


async def authenticate(request: web.Request, runtime: Runtime) -> Identity | None:
    """The request's identity; ends expired logins, refreshes tokens when due (refresh='auto')."""
    request[LOGIN] = None
    storage = runtime.storage
    try:
        if isinstance(storage, ChunkedCookieStorage | RedisStorage):
            # our storages read the login without building (or parsing) the whole session,
            # and without a Redis round trip when there is no session cookie
            login = await storage.load_login(request)
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
    now = config.clock()
    provider = runtime.providers.get(login.provider)
    idle = config.idle_timeout
    if (
        provider is None
        or now - login.logged_in_at >= config.max_age
        or (idle is not None and now - login.seen_at >= idle)
    ):
        clear_login(await session_of(request))
        return None
    if idle is not None and now - login.seen_at >= min(60.0, idle / 10):
        login = dataclasses.replace(login, seen_at=now)
        write_login(await session_of(request), login)
    tokens = login.tokens
    if (
        config.refresh == "auto"
        and tokens is not None
        and tokens.refresh_token
        and tokens.refresh_due(now, config.leeway)
        and not request.path.startswith(config.prefix + "/")
    ):
        login = await refreshed(request, runtime, login, quiet=True)
        if login is None:
            return None
    request[LOGIN] = login
    return login.identity


async def refreshed(request: web.Request, runtime: Runtime, login: StoredLogin, *, quiet: bool) -> StoredLogin | None:
    """``login`` with fresh tokens, stored in the session.

    A transient failure keeps the login as it is (``quiet``) or raises; a refused
    refresh (the provider ended the login) clears it and returns None.
    """
    assert login.tokens is not None
    provider = runtime.providers[login.provider]
    session = await session_of(request)
    try:
        tokens = await runtime.refresher.refresh(provider, login.tokens)
    except LoginExpiredError:
        clear_login(session)
        request[LOGIN] = None
        request[IDENTITY] = None
        return None
    except (ProviderUnavailableError, ProviderError, SessionStoreUnavailableError):
        if quiet:
            return login
        raise
    login = dataclasses.replace(login, tokens=tokens)
    write_login(session, login)
    request[LOGIN] = login
    return login
