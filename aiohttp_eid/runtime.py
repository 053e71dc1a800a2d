"""The plugin's state for one application, built once by ``setup()``, and every key it puts on the app or request."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from typing import Final

from aiohttp import web
from aiohttp_session import AbstractStorage
from yarl import URL

from .config import EidConfig
from .errors import ConfigurationError
from .events import Events
from .identity import Assurance, Identity
from .oidc.transport import HttpClient
from .providers.base import Provider
from .session.lifetimes import Lifetimes
from .session.login_record import StoredLogin
from .session.refresh import Refresher
from .session.transaction import TTL

__all__ = [
    "IDENTITY",
    "LOGIN",
    "RUNTIME",
    "SESSION_SAVED",
    "SESSION_UNAVAILABLE",
    "RecentStates",
    "Runtime",
    "runtime_of",
]


class RecentStates:
    """States of callbacks already used in this process, so most replays stop before any network call."""

    def __init__(self, *, ttl: float = TTL, size: int = 10_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._ttl = ttl
        self._size = size

    def seen(self, state: str, now: float) -> bool:
        used = self._seen.get(state)
        return used is not None and now - used < self._ttl

    def add(self, state: str, now: float) -> None:
        self._seen[state] = now
        self._seen.move_to_end(state)
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)


@dataclasses.dataclass(kw_only=True)
class Runtime:
    """Config, providers, storage and shared helpers of one application."""

    config: EidConfig
    providers: Mapping[str, Provider]
    storage: AbstractStorage
    lifetimes: Lifetimes
    http: HttpClient
    refresher: Refresher
    used_states: RecentStates
    #: origins allowed to POST to the logout route (the redirect URIs' origins)
    allowed_origins: frozenset[str]
    #: hands events to EidConfig.on_event
    events: Events

    def login_url(self, provider: str | None, return_to: str, assurance: Assurance | None = None) -> str:
        """The login route of ``provider`` (the chooser when None) coming back to ``return_to``."""
        prefix = self.config.prefix
        if provider is None and len(self.providers) == 1:
            provider = next(iter(self.providers))
        path = f"{prefix}/{provider}/login" if provider else f"{prefix}/"
        query = {"next": return_to}
        if assurance is not None:
            query["assurance"] = assurance.name
        return str(URL(path).with_query(query))


IDENTITY: Final = web.RequestKey[Identity | None]("aiohttp_eid.identity")
"""Who the request is from: ``request[IDENTITY]`` is an ``Identity``, or None for an anonymous request."""
#: the stored login behind IDENTITY (tokens included); internal
LOGIN: Final = web.RequestKey[StoredLogin | None]("aiohttp_eid.login")
#: whether this request's session was already written to its response; internal
SESSION_SAVED: Final = web.RequestKey[bool]("aiohttp_eid.session_saved")
#: the session store could not be reached for this request; internal
SESSION_UNAVAILABLE: Final = web.RequestKey[bool]("aiohttp_eid.session_unavailable")
#: the plugin's runtime state
RUNTIME: Final = web.AppKey[Runtime]("aiohttp_eid.runtime")


def runtime_of(request: web.Request) -> Runtime:
    """The plugin's state for ``request``'s application; ConfigurationError when ``setup()`` was never called."""
    runtime = request.app.get(RUNTIME)  # the usual case, without building config_dict's chain of applications
    if runtime is not None:
        return runtime
    try:
        return request.config_dict[RUNTIME]
    except KeyError:
        raise ConfigurationError(["call aiohttp_eid.setup(app, EidConfig(...)) first"]) from None
