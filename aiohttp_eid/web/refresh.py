"""(7) Refresh, its web half: fresh tokens for the request's login, written to its session.

The provider call itself, single-flight and with backoff, is ``session.refresh``; the
middleware (refresh='auto') and ``access_token()`` both come here.
"""

from __future__ import annotations

import dataclasses

from aiohttp import web

from ..errors import (
    LoginExpiredError,
    ProviderError,
    ProviderUnavailableError,
    SessionStoreUnavailableError,
    TokenValidationError,
)
from ..runtime import IDENTITY, LOGIN, Runtime
from ..session.login_record import StoredLogin, clear_login, write_login
from .session_io import session_of

__all__ = ["refreshed"]


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
    except (ProviderUnavailableError, ProviderError, TokenValidationError, SessionStoreUnavailableError):
        if quiet:
            return login
        raise
    login = dataclasses.replace(login, tokens=tokens)
    write_login(session, login)
    request[LOGIN] = login
    return login
