"""(7) Token refresh: single-flight per login, a hand-off for rotated tokens, backoff on failure.

Within a process, all requests of one login that find its access token due share
one refresh (keyed by a digest of the refresh token, which every request of that
login carries). The result is kept for ``HANDOFF_TTL`` seconds under the same
key, so a request that arrives late with the already-rotated refresh token gets
the new tokens instead of replaying the old one (which a rotating provider would
refuse, ending the login). A transient failure is remembered for ``BACKOFF``
seconds so an outage does not turn every request into a provider call.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from ..errors import (
    LoginExpiredError,
    ProviderError,
    ProviderUnavailableError,
    SessionStoreUnavailableError,
    TokenValidationError,
    at_provider_boundary,
)
from ..events import NO_EVENTS, Events
from ..oidc.tokens import TokenSet

__all__ = ["BACKOFF", "HANDOFF_TTL", "REFRESH_CALLS", "Refresher", "longest_refresh"]

log = logging.getLogger("aiohttp_eid.refresh")

_V = TypeVar("_V")


class Refreshing(Protocol):
    """What a refresh needs of a provider: its name and its token refresh (``providers.base.Provider`` has both)."""

    @property
    def name(self) -> str:
        """The provider's configured name."""

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        """New tokens; LoginExpiredError when the provider ended the login."""


class Coordinator(Protocol):
    """Shares one refresh among processes (see ``redis_refresh``)."""

    async def run(self, key: str, refresh: Callable[[], Awaitable[TokenSet]]) -> TokenSet: ...


HANDOFF_TTL = 30.0
BACKOFF = 5.0
_MAX_ENTRIES = 10_000
#: the most provider calls one refresh makes: a discovery GET (when the cached document is
#: due), its one retry (transport.py retries a GET whose connection failed), the token POST
REFRESH_CALLS = 3


def longest_refresh(http_timeout: float) -> float:
    """The longest a refresh may take at the provider, each call bounded by ``http_timeout``."""
    return REFRESH_CALLS * http_timeout


class Refresher:
    """Refreshes tokens once per login at a time."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        leeway: float,
        coordinator: Coordinator | None = None,
        events: Events = NO_EVENTS,
    ) -> None:
        self._clock = clock
        self._events = events
        self.leeway = leeway
        #: shares the refresh with other processes (Redis); None: this process alone
        self.coordinator = coordinator
        self._inflight: dict[str, asyncio.Future[TokenSet]] = {}
        self._handoff: OrderedDict[str, tuple[float, TokenSet]] = OrderedDict()
        self._failed: OrderedDict[str, tuple[float, Exception]] = OrderedDict()

    async def refresh(self, provider: Refreshing, tokens: TokenSet) -> TokenSet:
        """Fresh tokens for ``tokens``; raises LoginExpiredError or a transient error."""
        key = _key(provider.name, tokens)
        now = self._clock()
        handed = self._handoff.get(key)
        if handed is not None and handed[0] > now and not handed[1].refresh_due(now, self.leeway):
            return handed[1]
        failed = self._failed.get(key)
        if failed is not None and failed[0] > now:
            raise failed[1]
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._run(provider, tokens, key))
            self._inflight[key] = future
            future.add_done_callback(lambda _: self._inflight.pop(key, None))
        # shield: one waiting request cancelled (client gone) must not cancel the others' refresh
        return await asyncio.shield(future)

    async def _run(self, provider: Refreshing, tokens: TokenSet, key: str) -> TokenSet:
        started = time.perf_counter()
        try:
            if self.coordinator is None:
                new = await at_provider_boundary(provider.refresh(tokens), provider=provider.name, where="refresh")
            else:
                new = await self.coordinator.run(
                    key, lambda: at_provider_boundary(provider.refresh(tokens), provider=provider.name, where="refresh")
                )
        except LoginExpiredError as exc:
            log.info("provider %s ended a login at refresh", provider.name)
            self._events.failed("refresh_failed", provider.name, exc, time.perf_counter() - started)
            raise
        except SessionStoreUnavailableError as exc:
            # Redis failed before the provider was called (the coordinator keeps tokens it got)
            log.warning("refresh for provider %s not attempted: %s; the login is kept", provider.name, exc.detail)
            _put(self._failed, key, (self._clock() + BACKOFF, exc))
            self._events.failed("refresh_failed", provider.name, exc, time.perf_counter() - started)
            raise
        # a token that fails validation is the provider's fault too: backoff, not a call per request
        except (ProviderUnavailableError, ProviderError, TokenValidationError) as exc:
            log.warning("provider %s: refresh failed (%s); the login is kept", provider.name, exc.code)
            _put(self._failed, key, (self._clock() + BACKOFF, exc))
            self._events.failed("refresh_failed", provider.name, exc, time.perf_counter() - started)
            raise
        self._events("refresh", provider.name, duration=time.perf_counter() - started)
        _put(self._handoff, key, (self._clock() + HANDOFF_TTL, new))
        return new


def _key(provider: str, tokens: TokenSet) -> str:
    material = f"{provider}\x00{tokens.refresh_token}".encode()
    return hashlib.sha256(material).hexdigest()


def _put(cache: OrderedDict[str, _V], key: str, value: _V) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _MAX_ENTRIES:
        cache.popitem(last=False)
