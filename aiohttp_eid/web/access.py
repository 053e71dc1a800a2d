"""The request's login for handlers: identity, a valid access token, fresh user data."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from ..errors import LoginExpiredError, NotAuthenticatedError
from ..identity import Identity
from ..keys import IDENTITY, LOGIN, RUNTIME
from ..session.store import StoredLogin, write_login
from .middleware import refreshed
from .session_io import session_of

__all__ = ["access_token", "get_identity", "refresh_identity"]


def get_identity(request: web.Request) -> Identity | None:
    """Who the request is from, or None for an anonymous request."""
    return request.get(IDENTITY)


async def access_token(request: web.Request) -> str:
    """A valid access token of the request's provider login, refreshed first if due.

    Raises ``NotAuthenticatedError`` without a login, ``LoginExpiredError`` when
    the provider ended it, ``ProviderUnavailableError`` when a due refresh failed
    for a transient reason (the login is kept; try again later).
    """
    runtime = request.config_dict[RUNTIME]
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
    runtime = request.config_dict[RUNTIME]
    await access_token(request)
    login = request.get(LOGIN)
    assert login is not None
    assert login.tokens is not None
    provider = runtime.providers[login.provider]
    identity: Identity = await provider.fetch_identity(login.tokens, login.identity)
    login = dataclasses.replace(login, identity=identity)
    write_login(await session_of(request), login)
    request[LOGIN] = login
    request[IDENTITY] = identity
    return identity
