"""(3) ``GET {prefix}/{provider}/callback``: finish a login.

The transaction is taken out of the session by ``state`` before any network
call, so a callback URL works once. Then the provider's error (if any) becomes
a page, except one the provider says may pass when the login starts once more
(an undecryptable request object after a key rotation): that login restarts by
itself, once; otherwise the code is exchanged, the answer validated, a NEW session
started (against session fixation) holding the login, ``on_login`` called, and
the browser sent back where it came from.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp_session import new_session

from ..errors import EidError, ReplayError, StateError, at_provider_boundary
from ..runtime import IDENTITY, LOGIN, runtime_of
from ..session.login_record import StoredLogin, clear_login, pending_transactions, write_login, write_pending
from ..session.transaction import pop_transaction
from .login import restart_login
from .responses import error_response
from .session_io import session_of

__all__ = ["callback"]

log = logging.getLogger("aiohttp_eid")


async def callback(request: web.Request) -> web.StreamResponse:
    """Validate the callback and complete the login, or show why it failed."""
    runtime = runtime_of(request)
    name = request.match_info["provider"]
    provider = runtime.providers.get(name)
    if provider is None:
        raise web.HTTPNotFound()
    config = runtime.config
    now = config.clock()
    state = request.query.get("state", "")
    session = await session_of(request)
    pending = pending_transactions(session)
    tx = pop_transaction(pending, state, now) if state else None
    if state in pending or tx is not None:
        write_pending(session, pending)
    started = time.perf_counter()
    try:
        # before the transaction: a replayed pre-callback cookie still holds it
        if state and runtime.used_states.seen(state, now):
            raise ReplayError("callback state already used", provider=name)
        if tx is None or tx.provider != name:
            raise StateError("callback state unknown or expired", provider=name)
        runtime.used_states.add(state, now)
        error = await at_provider_boundary(provider.callback_error(request.query), provider=name, where="callback")
        if error is not None:
            # once per transaction (the new one is marked): a provider that keeps refusing never makes a loop
            if not tx.restarted and await at_provider_boundary(
                provider.restarts_after(error), provider=name, where="callback"
            ):
                log.info("login with %s refused (%s): started once more", name, error.code)
                return await restart_login(request, provider, tx)
            raise error
        result = await at_provider_boundary(provider.complete_login(request.query, tx), provider=name, where="login")
    except EidError as exc:
        log.info("login with %s failed: %s (%s)", name, exc.code, exc.detail[:200])
        runtime.events.failed("login_failed", name, exc, time.perf_counter() - started)
        return error_response(
            request,
            exc,
            default_locale=(tx.locale if tx else None) or config.default_locale,
            retry_url=runtime.login_url(name, tx.return_to if tx else "/"),
            locale_hints=(getattr(provider.config, "ui_locales", None),),
        )
    duration = time.perf_counter() - started  # the provider's part: code exchange, validation, user data
    fresh = await new_session(request)
    login = StoredLogin(
        provider=name,
        identity=result.identity,
        tokens=result.tokens,
        logged_in_at=now,
        seen_at=now,
    )
    write_login(fresh, login)
    request[LOGIN] = login
    request[IDENTITY] = result.identity
    if config.on_login is not None:
        try:
            await config.on_login(request, result.identity, result.details)
        except BaseException:
            clear_login(fresh)
            request[LOGIN] = request[IDENTITY] = None
            raise
    log.info("login with %s at %s", name, result.identity.assurance.name)
    runtime.events("login", name, duration=duration)
    return web.Response(status=302, headers={"Location": tx.return_to, "Cache-Control": "no-store"})
