"""The request's login for handlers: identity, a valid access token, fresh user data."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from ..errors import ConfigurationError, LoginExpiredError, NotAuthenticatedError, at_provider_boundary
from ..identity import Identity
from ..runtime import IDENTITY, LOGIN, runtime_of
from ..session.login_record import StoredLogin, clear_login, write_login
from ..session.redis_storage import RedisStorage
from .refresh import refreshed
from .session_io import session_of

__all__ = ["access_token", "get_identity", "logout_everywhere", "refresh_identity"]


def get_identity(request: web.Request) -> Identity | None:
    """Who the request is from, or None for an anonymous request."""
    return request.get(IDENTITY)


async def access_token(request: web.Request) -> str:
    """A valid access token of the request's provider login, refreshed first if due.

    Raises ``NotAuthenticatedError`` without a login, ``LoginExpiredError`` when
    the provider ended it, ``ProviderUnavailableError`` when a due refresh failed
    for a transient reason (the login is kept; try again later).
    """
    runtime = runtime_of(request)
    login: StoredLogin | None = request.get(LOGIN)
    if login is None or login.tokens is None:
        raise NotAuthenticatedError("no login with tokens")
    now = runtime.config.clock()
    if login.tokens.refresh_due(now, runtime.config.leeway):
        if not login.tokens.refresh_token:
            if login.tokens.expired(now):
                raise LoginExpiredError("access token expired and there is no refresh token")
            return login.tokens.access_token
        fresh = await refreshed(request, runtime, login, quiet=False)
        if fresh is None or fresh.tokens is None:
            raise LoginExpiredError("the provider ended the login")
        login = fresh
    assert login.tokens is not None
    token: str = login.tokens.access_token
    return token


async def refresh_identity(request: web.Request) -> Identity:
    """Fetch the user's data from the provider again, store it and return it."""
    runtime = runtime_of(request)
    await access_token(request)
    login = request.get(LOGIN)
    assert login is not None
    assert login.tokens is not None
    provider = runtime.providers[login.provider]
    session = await session_of(request)
    try:
        identity: Identity = await at_provider_boundary(
            provider.fetch_identity(login.tokens, login.identity), provider=provider.name, where="user data"
        )
    except LoginExpiredError:
        # the provider answered about someone else: end this login rather than switch person
        clear_login(session)
        request[LOGIN] = request[IDENTITY] = None
        raise
    login = dataclasses.replace(login, identity=identity)
    write_login(session, login)
    request[LOGIN] = login
    request[IDENTITY] = identity
    return identity


async def logout_everywhere(request: web.Request) -> int:
    """End every session of the request's identity (all browsers, all workers); how many were ended.

    Needs Redis storage: a cookie session lives in the browser and cannot be
    revoked on the server (``ConfigurationError``). The current session is
    cleared too; the provider's own session is not touched (use the logout route).
    """
    runtime = runtime_of(request)
    if not isinstance(runtime.storage, RedisStorage):
        raise ConfigurationError(["storage: logout_everywhere needs Redis storage (EidConfig(storage='redis://...'))"])
    identity = get_identity(request)
    if identity is None:
        raise NotAuthenticatedError("no login to end")
    ended = await runtime.storage.end_sessions_of(identity.provider, identity.subject)
    (await session_of(request)).invalidate()
    request[LOGIN] = None
    request[IDENTITY] = None
    return ended
