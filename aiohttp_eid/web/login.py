"""(1) ``GET {prefix}/{provider}/login?next=/path[&assurance=HIGH]``: start a login."""

from __future__ import annotations

import re

from aiohttp import web

from ..errors import InsufficientAssuranceError
from ..identity import Assurance
from ..keys import RUNTIME
from ..oidc.pkce import new_code_verifier, random_token
from ..providers.base import Provider
from ..session.store import pending_transactions, write_pending
from ..session.transaction import Transaction, push_transaction
from .responses import locale_of
from .session_io import session_of

__all__ = ["begin_login", "login", "parse_assurance", "restart_login", "safe_return_path"]

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
    """Record a new transaction in the session and send the browser to the provider."""
    runtime = request.config_dict[RUNTIME]
    provider = runtime.providers.get(request.match_info["provider"])
    if provider is None:
        raise web.HTTPNotFound()
    asked = parse_assurance(request.query.get("assurance"))
    if asked is not None and not provider.can_reach(asked):
        raise InsufficientAssuranceError(f"{provider.name} cannot log in at {asked.name}", provider=provider.name)
    return await begin_login(
        request,
        provider,
        return_to=safe_return_path(request.query.get("next")),
        assurance=provider.minimum(asked),
        locale=locale_of(request, runtime.config.default_locale),
        login_hint=_login_hint(request.query.get("login_hint")),
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
    now = request.config_dict[RUNTIME].config.clock()
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
    url = await provider.authorization_url(tx)
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


def _login_hint(value: str | None) -> str | None:
    """A phone number as itsme takes it, ``<countrycode>+<number>``; anything else is dropped."""
    if value and re.fullmatch(r"\d{1,4}\+\d{4,15}", value):
        return value
    return None


def parse_assurance(value: str | None) -> Assurance | None:
    """The Assurance named by a query value (any case), or None."""
    if not value:
        return None
    try:
        return Assurance[value.upper()]
    except KeyError:
        return None
