"""(1) ``GET {prefix}/{provider}/login?next=/path[&assurance=HIGH]``: start a login."""

from __future__ import annotations

from aiohttp import web

from ..errors import InsufficientAssuranceError, at_provider_boundary
from ..identity import Assurance
from ..oidc.pkce import new_code_verifier, random_token
from ..providers.base import Provider
from ..runtime import runtime_of
from ..session.login_record import pending_transactions, write_pending
from ..session.transaction import Transaction, push_transaction
from .responses import locale_of
from .session_io import session_of

__all__ = ["begin_login", "login", "login_redirect", "parse_assurance", "restart_login", "safe_return_path"]

_MAX_RETURN_PATH = 2048


def safe_return_path(value: str | None) -> str:
    """``value`` if it is a same-origin path (with an optional query), else ``"/"``.

    It must start with a single ``/``, hold no backslash and no control or space
    characters (browsers strip a tab, so ``/\\t/evil`` would become ``//evil``),
    no fragment, and is used as received (decoded once, by the query parser).
    """
    if not value or len(value) > _MAX_RETURN_PATH:
        return "/"
    if not value.startswith("/") or value.startswith("//"):
        return "/"
    if any(c == "\\" or c == "#" or ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return "/"
    return value


async def login(request: web.Request) -> web.StreamResponse:
    """The login route: start a login with the provider in the path; ``next`` and ``assurance`` from the query.

    A ``login_hint`` is never taken from the query: a link carrying someone else's phone number
    would log the victim in as them (login CSRF). Applications that know the user's hint call
    ``login_redirect`` themselves.
    """
    return await login_redirect(
        request,
        request.match_info["provider"],
        next=request.query.get("next") or "/",
        assurance=parse_assurance(request.query.get("assurance")),
    )


async def login_redirect(
    request: web.Request,
    provider: str,
    *,
    next: str = "/",
    assurance: Assurance | None = None,
    login_hint: str | None = None,
) -> web.Response:
    """Start a login with ``provider`` and return the 302 response that sends the browser to it.

    ``next`` is where the browser returns after the login (a path on this site; anything else
    becomes ``/``); ``assurance`` asks for at least that level; ``login_hint`` is passed to the
    provider (for itsme, the user's phone number as ``<countrycode>+<number>``, carried inside
    the signed request object). Only call it with a hint your application vouches for, never one
    read from an unauthenticated link. Raises ``web.HTTPNotFound`` for an unknown provider and
    ``InsufficientAssuranceError`` when the provider cannot reach ``assurance``.
    """
    runtime = runtime_of(request)
    chosen = runtime.providers.get(provider)
    if chosen is None:
        raise web.HTTPNotFound()
    if assurance is not None and not chosen.can_reach(assurance):
        raise InsufficientAssuranceError(f"{chosen.name} cannot log in at {assurance.name}", provider=chosen.name)
    if login_hint is not None and (len(login_hint) > 256 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in login_hint)):
        raise ValueError("login_hint must be at most 256 characters, without control characters")
    return await begin_login(
        request,
        chosen,
        return_to=safe_return_path(next),
        assurance=chosen.minimum(assurance),
        locale=locale_of(request, runtime.config.default_locale),
        login_hint=login_hint or None,
    )


async def begin_login(
    request: web.Request,
    provider: Provider,
    *,
    return_to: str,
    assurance: Assurance | None,
    locale: str | None,
    login_hint: str | None,
    restarted: bool = False,
) -> web.Response:
    """A new transaction recorded in the session, and the 302 that sends the browser to ``provider``."""
    now = runtime_of(request).config.clock()
    tx = Transaction(
        state=random_token(),
        provider=provider.name,
        code_verifier=new_code_verifier(),
        return_to=return_to,
        created=now,
        nonce=random_token() if provider.sends_nonce else None,
        assurance=assurance,
        locale=locale,
        login_hint=login_hint,
        restarted=restarted,
    )
    session = await session_of(request)
    pending = pending_transactions(session)
    push_transaction(pending, tx, now)
    write_pending(session, pending)
    url = await at_provider_boundary(provider.authorization_url(tx), provider=provider.name, where="authorization")
    return web.Response(status=302, headers={"Location": url, "Cache-Control": "no-store"})


async def restart_login(request: web.Request, provider: Provider, tx: Transaction) -> web.Response:
    """The login of ``tx`` once more, as a new transaction marked restarted (so it never restarts again)."""
    return await begin_login(
        request,
        provider,
        return_to=tx.return_to,
        assurance=tx.assurance,
        locale=tx.locale,
        login_hint=tx.login_hint,
        restarted=True,
    )


def parse_assurance(value: str | None) -> Assurance | None:
    """The Assurance named by a query value (any case), or None."""
    if not value:
        return None
    try:
        return Assurance[value.upper()]
    except KeyError:
        return None
