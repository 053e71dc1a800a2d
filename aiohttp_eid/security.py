"""aiohttp-security policies for apps that already use it (``pip install aiohttp-eid[security]``).

::

    aiohttp_eid.setup(app, EidConfig(...))
    aiohttp_eid.security.setup_security(app, permits)   # or aiohttp_security.setup(app, EidIdentityPolicy(), ...)

    async def permits(identity: Identity, permission: str | Enum, context: Any) -> bool:
        return permission == "sign" and identity.assurance >= Assurance.HIGH

Then ``aiohttp_security.check_authorized`` passes for a logged-in request (its
user id is ``"<provider>:<subject>"``), and ``check_permission`` asks ``permits``
with our ``Identity``. Logins still happen only at the provider: ``remember()``
is refused. The top of the layering: nothing in the library imports this module.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from aiohttp import web

from .identity import Identity
from .runtime import IDENTITY, LOGIN, runtime_of
from .web.session_io import session_of

try:
    import aiohttp_security
    from aiohttp_security.abc import AbstractAuthorizationPolicy, AbstractIdentityPolicy
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError("aiohttp_eid.security needs aiohttp-security: pip install aiohttp-eid[security]") from exc

__all__ = ["EidAuthorizationPolicy", "EidIdentityPolicy", "EidUserId", "Permits", "setup_security"]

#: decides a permission for a logged-in person: ``(identity, permission, context) -> bool`` (or awaitable)
Permits: TypeAlias = Callable[[Identity, "str | enum.Enum", Any], "bool | Awaitable[bool]"]


class EidUserId(str):
    """aiohttp-security's identity string, ``"<provider>:<subject>"``, carrying our ``Identity``.

    Only strings made by ``EidIdentityPolicy`` carry one, so a plain string
    (from another policy, or forged) is never authorized by ``EidAuthorizationPolicy``.
    """

    identity: Identity

    def __new__(cls, identity: Identity) -> EidUserId:
        """The user id of ``identity``."""
        made = super().__new__(cls, f"{identity.provider}:{identity.subject}")
        made.identity = identity
        return made


class EidIdentityPolicy(AbstractIdentityPolicy):
    """Identifies a request by its aiohttp-eid login; logins themselves happen at the provider."""

    async def identify(self, request: web.Request) -> str | None:
        """The request's ``EidUserId``, or None when anonymous."""
        identity = request.get(IDENTITY)
        return EidUserId(identity) if identity is not None else None

    async def remember(self, request: web.Request, response: web.StreamResponse, identity: str, **kwargs: Any) -> None:
        """Refused: a person is identified by their provider, never by the application's say-so."""
        raise RuntimeError(
            "aiohttp-eid logs people in at their provider: send the browser to the login route "
            "({prefix}/{provider}/login) instead of calling aiohttp_security.remember()"
        )

    async def forget(self, request: web.Request, response: web.StreamResponse) -> None:
        """Log out here: the provider's tokens are revoked where it can, then the session is cleared.

        The provider's own session page (OpenID RP-initiated logout) needs a redirect:
        for that, POST to the ``{prefix}/logout`` route instead.
        """
        login = request.get(LOGIN)
        runtime = runtime_of(request)
        if login is not None and login.tokens is not None and login.provider in runtime.providers:
            await runtime.providers[login.provider].logout(login.tokens)
        (await session_of(request)).invalidate()
        request[LOGIN] = request[IDENTITY] = None
        if login is not None:
            runtime.events("logout", login.provider)


class EidAuthorizationPolicy(AbstractAuthorizationPolicy):
    """Authorizes the identities ``EidIdentityPolicy`` found; ``permits`` decides each permission.

    Without ``permits`` a logged-in person is authorized (``check_authorized``)
    but holds no permission: the policy fails closed.
    """

    def __init__(self, permits: Permits | None = None) -> None:
        self._permits = permits

    async def authorized_userid(self, identity: str) -> str | None:
        """The user id, for identities of our identity policy only."""
        return str(identity) if isinstance(identity, EidUserId) else None

    async def permits(self, identity: str | None, permission: str | enum.Enum, context: Any = None) -> bool:
        """Whether ``permits`` grants ``permission`` to the logged-in person (never to an anonymous one)."""
        if not isinstance(identity, EidUserId) or self._permits is None:
            return False
        granted = self._permits(identity.identity, permission, context)
        if inspect.isawaitable(granted):
            granted = await granted
        return granted is True


def setup_security(app: web.Application, permits: Permits | None = None) -> None:
    """``aiohttp_security.setup()`` with our identity policy and an authorization policy using ``permits``."""
    aiohttp_security.setup(app, EidIdentityPolicy(), EidAuthorizationPolicy(permits))
