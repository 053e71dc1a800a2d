"""Events: what happened to logins, for metrics and alerts (``EidConfig(on_event=...)``).

An ``Event`` names what happened, the configured provider, a stable error code
for failures and a duration where one was measured: never a token, a session id
or anything about the person, so a subscriber can export every field as a
metric label or a log field. Events sit at the leaves of the layers: this module
imports nothing of ours but errors, and emission points are one-line calls.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Literal, TypeAlias, TypeVar, get_args

from .errors import EidError, ProviderUnavailableError, SessionStoreUnavailableError, SessionTooLargeError

__all__ = ["EVENT_NAMES", "NO_EVENTS", "Event", "EventName", "Events", "OnEvent"]

log = logging.getLogger("aiohttp_eid.events")

EventName: TypeAlias = Literal[
    "login",
    "login_failed",
    "refresh",
    "refresh_failed",
    "logout",
    "session_too_large",
    "store_unavailable",
    "provider_unavailable",
]
#: every event name, in the order the docs list them
EVENT_NAMES: tuple[EventName, ...] = get_args(EventName)

_E = TypeVar("_E", bound=EidError)


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a login.

    ``name`` is one of ``EVENT_NAMES``; ``provider`` the configured provider name
    (None where no provider is involved, such as a session store failure);
    ``code`` the stable error code of a failure (``EidError.code``); ``duration``
    the seconds the provider took (a login's callback, a refresh), else None.
    """

    name: EventName
    provider: str | None
    code: str | None = None
    duration: float | None = None


#: a subscriber: a plain function or a coroutine function taking an Event
OnEvent: TypeAlias = Callable[[Event], "Awaitable[None] | None"]

# the secondary event a failure of these kinds also reports, wherever it happens
_KIND_EVENTS: tuple[tuple[type[EidError], EventName], ...] = (
    (ProviderUnavailableError, "provider_unavailable"),
    (SessionStoreUnavailableError, "store_unavailable"),
    (SessionTooLargeError, "session_too_large"),
)


class Events:
    """Hands events to the application's subscriber; a failing subscriber never fails a request.

    A coroutine subscriber runs as its own task, so a slow one never delays the
    response either.
    """

    def __init__(self, subscriber: OnEvent | None = None) -> None:
        self.subscriber = subscriber
        self._tasks: set[asyncio.Task[None]] = set()
        self._reported: weakref.WeakSet[EidError] = weakref.WeakSet()

    def __call__(
        self, name: EventName, provider: str | None, code: str | None = None, *, duration: float | None = None
    ) -> None:
        """Emit one event."""
        if self.subscriber is None:
            return
        event = Event(name, provider, code, duration)
        try:
            result = self.subscriber(event)
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._finished)
        except Exception as exc:
            log.warning("on_event subscriber failed on %s: %s", name, type(exc).__name__)

    def failed(self, name: EventName, provider: str | None, error: EidError, duration: float | None = None) -> None:
        """Emit ``name`` with the error's code, and the event of its kind (provider or store down)."""
        self(name, provider, error.code, duration=duration)
        self.raised(error, provider)

    def raised(self, error: _E, provider: str | None = None, *, only: type[EidError] = EidError) -> _E:
        """Emit the event of ``error``'s kind (provider or store down, session too large) once.

        Returns the error, for ``raise events.raised(...)``. An error object already
        reported (a cached failure raised again) is not reported twice; ``only``
        limits reporting to one kind.
        """
        if isinstance(error, only) and error not in self._reported:
            for kind, name in _KIND_EVENTS:
                if isinstance(error, kind):
                    self._reported.add(error)
                    self(name, provider if provider is not None else error.provider, error.code)
                    break
        return error

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("on_event subscriber failed: %s", type(exc).__name__)


#: emits nothing: what storages and helpers use until setup() gives them the application's events
NO_EVENTS = Events()
