"""(6) Guards: ``require_identity`` is the primitive; the decorators are thin wrappers.

A browser's GET or HEAD that needs one provider's login (the only one, the one
the guard names, or a step-up target) goes straight to that provider: the guard
raises ``StartLogin`` and the middleware starts the login in its place, one
redirect fewer than through the login route. Other browser requests, and several
providers to choose from, get a 302 to the login route or the chooser; API
clients get a JSON 401/403 with the ``login_url``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar, cast, overload

from aiohttp import web

from ..errors import EidError, InsufficientAssuranceError, NotAuthenticatedError, SessionStoreUnavailableError
from ..identity import Assurance, Identity
from ..messages import text
from ..runtime import IDENTITY, SESSION_UNAVAILABLE, runtime_of
from .responses import error_response, json_error, locale_of, wants_json

__all__ = ["StartLogin", "login_required", "require_identity", "requires_assurance"]

_H = TypeVar("_H", bound=Callable[..., Awaitable[web.StreamResponse]])


#: the methods a guard starts a login for itself (others go through the login route, as links do)
_STARTS_LOGIN = frozenset({"GET", "HEAD"})


class _MissingData(EidError):
    code = "missing_data"
    status = 403
    message = "missing_data"


class StartLogin(web.HTTPFound):
    """A guard's redirect to one provider's login, which the middleware starts in its place.

    Its ``Location`` is the login route (``login_url``), so wherever the middleware does not
    see it, it still works as the 302 it always was; the middleware answers instead with
    ``login_redirect(request, provider, next=next, assurance=assurance)``: the provider itself.
    """

    def __init__(self, login_url: str, *, provider: str, next: str, assurance: Assurance | None) -> None:
        super().__init__(login_url, headers={"Cache-Control": "no-store"})
        self.provider = provider
        self.next = next
        self.assurance = assurance


def require_identity(
    request: web.Request,
    *,
    assurance: Assurance | None = None,
    providers: Iterable[str] | None = None,
    claims: Iterable[str] = (),
) -> Identity:
    """The request's Identity, or an HTTP error response raised for the client.

    ``assurance``: the lowest level accepted (a lower login gets a step-up login);
    ``providers``: the provider names accepted; ``claims``: Identity fields that
    must be present (e.g. ``("tax_id",)``). A browser's GET or HEAD that one
    provider's login can serve gets a ``StartLogin`` (a ``web.HTTPFound``), which
    the middleware answers with the 302 straight to that provider.
    """
    identity: Identity | None = request.get(IDENTITY)
    if identity is not None and assurance is None and providers is None and not claims:
        return identity  # login_required: the common case, on every protected request
    runtime = runtime_of(request)
    if request.get(SESSION_UNAVAILABLE):
        raise SessionStoreUnavailableError("the session store is unavailable")
    allowed = tuple(providers) if providers is not None else tuple(runtime.providers)
    if identity is None or identity.provider not in allowed:
        only = allowed[0] if len(allowed) == 1 else None
        raise _to_login(request, NotAuthenticatedError(), only, assurance)
    if assurance is not None and identity.assurance < assurance:
        provider = runtime.providers.get(identity.provider)
        reachable = [n for n in allowed if runtime.providers[n].can_reach(assurance)]
        target: str | None = identity.provider if provider is not None and provider.can_reach(assurance) else None
        if target is None and reachable:
            target = reachable[0]
        if target is None:
            raise _deny(request, InsufficientAssuranceError(), None)
        raise _to_login(request, InsufficientAssuranceError(), target, assurance)
    missing = [c for c in claims if getattr(identity, c, None) is None]
    if missing:
        raise _deny(request, _MissingData(f"identity lacks {', '.join(missing)}"), None)
    return identity


def _to_login(
    request: web.Request, error: EidError, provider: str | None, assurance: Assurance | None
) -> web.HTTPException:
    """To a login with ``provider`` (None: the chooser, when there are several): a browser's GET or
    HEAD straight to the provider, other browser requests to the login route, API clients ``error``."""
    runtime = runtime_of(request)
    here = _here(request)
    login_url = runtime.login_url(provider, here, assurance)
    browser = request.method in _STARTS_LOGIN and not wants_json(request)
    if browser and provider is not None and provider in runtime.providers:
        return StartLogin(login_url, provider=provider, next=here, assurance=assurance)
    return _deny(request, error, login_url)


def _deny(request: web.Request, error: EidError, login_url: str | None) -> web.HTTPException:
    runtime = runtime_of(request)
    if wants_json(request):
        _, message = text(error.message, locale_of(request, runtime.config.default_locale))
        extra = {"login_url": login_url} if login_url else {}
        response = json_error(error.status, error.code, message, **extra)
    elif login_url is not None:
        return web.HTTPFound(login_url, headers={"Cache-Control": "no-store"})
    else:
        response = error_response(request, error, default_locale=runtime.config.default_locale)
    cls = web.HTTPUnauthorized if response.status == 401 else web.HTTPForbidden
    return cls(
        text=response.text,
        content_type=response.content_type,
        headers={k: v for k, v in response.headers.items() if k != "Content-Type" and k != "Content-Length"},
    )


def _here(request: web.Request) -> str:
    """Where the login comes back to: this URL for a GET, else ``/`` (a form must not be sent again)."""
    return str(request.rel_url) if request.method == "GET" else "/"


def _request_of(args: tuple[Any, ...]) -> web.Request:
    first = args[0]
    if type(first) is web.Request:  # the usual case, without the slower isinstance of an ABC
        return first
    return first.request if isinstance(first, web.View) else cast(web.Request, first)


@overload
def login_required(handler: _H) -> _H: ...
@overload
def login_required(*, providers: Iterable[str] | None = None) -> Callable[[_H], _H]: ...


def login_required(handler: _H | None = None, *, providers: Iterable[str] | None = None) -> Any:
    """Let only logged-in requests reach ``handler`` (a function or a ``web.View`` method)."""
    names = tuple(providers) if providers is not None else None

    def decorate(func: _H) -> _H:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> web.StreamResponse:
            request = _request_of(args)
            if names is not None or request.get(IDENTITY) is None:
                require_identity(request, providers=names)
            return await func(*args, **kwargs)

        return cast(_H, wrapper)

    return decorate(handler) if handler is not None else decorate


def requires_assurance(level: Assurance, *, providers: Iterable[str] | None = None) -> Callable[[_H], _H]:
    """Let only logins of at least ``level`` reach the handler; lower ones get a step-up login."""
    names = tuple(providers) if providers is not None else None

    def decorate(func: _H) -> _H:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> web.StreamResponse:
            require_identity(_request_of(args), assurance=level, providers=names)
            return await func(*args, **kwargs)

        return cast(_H, wrapper)

    return decorate
