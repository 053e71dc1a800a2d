"""(7) One refresh across processes: a Redis lock and an encrypted hand-off record.

The process that takes the lock (``SET NX PX``) refreshes and leaves the new
tokens in a hand-off record under the digest of the old refresh token, sealed
with its own derived key, for ``HANDOFF_TTL`` seconds. The others wait and take
the tokens from the hand-off record; a request that arrives later with the
already-rotated refresh token finds them there too instead of replaying it.

The lock is a lease of ``refresh_lock_timeout`` seconds, renewed while its holder
refreshes: a refresh may make several provider calls (discovery, its retry, the
token call), each up to ``http_timeout``, so no fixed lock shorter than the
longest refresh would do, and a longer one would keep others waiting long after
a holder died. A dead holder stops renewing and its lease ends.

A hand-off write that fails is retried; if it still fails, the new tokens are
returned all the same (this process keeps them, and the session write carries
them), the lock is left to expire rather than released, and a warning says what
happened: the refresh itself succeeded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..errors import ProviderUnavailableError, SessionStoreUnavailableError
from ..oidc.tokens import TokenSet
from .crypto import Sealer
from .redis_durable import Durable
from .redis_keys import handoff_key, lock_key
from .redis_storage import redis_errors

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.cluster import RedisCluster

__all__ = ["RedisRefreshCoordinator"]

log = logging.getLogger("aiohttp_eid.refresh")

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_POLL = 0.05
#: waits between the attempts to write a hand-off record
HANDOFF_RETRIES = (0.1, 0.4)
#: the longest one Redis command may take (the storage's socket timeout)
REDIS_TIMEOUT = 2.0


class RedisRefreshCoordinator:
    """Makes one process of many refresh a login's tokens."""

    def __init__(
        self,
        redis: Redis | RedisCluster,
        sealer: Sealer,
        *,
        lock_timeout: float,
        longest_refresh: float,
        handoff_ttl: float,
        clock: Callable[[], float] = time.monotonic,
        durable: Durable | None = None,
    ) -> None:
        self.redis = redis
        self._sealer = sealer
        self._lease = lock_timeout
        # how long a waiter waits for a holder that keeps renewing: its longest refresh,
        # every hand-off attempt, and the lease a dead holder leaves behind
        self._wait_limit = longest_refresh + (len(HANDOFF_RETRIES) + 1) * REDIS_TIMEOUT + lock_timeout
        self._handoff_ttl = handoff_ttl
        self._clock = clock
        self._release = redis.register_script(_RELEASE)
        self._renew = redis.register_script(_RENEW)
        self._durable = durable or Durable(redis)  # the storage's: one warning when no replica

    async def handed_off(self, key: str) -> TokenSet | None:
        """The tokens another process got for this refresh token, if it did lately."""
        raw = await self._call(self.redis.get(handoff_key(key)))
        if raw is None:
            return None
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        plaintext = self._sealer.open(text, handoff_key(key).encode())
        return TokenSet.from_dict(json.loads(plaintext)) if plaintext is not None else None

    async def run(self, key: str, refresh: Callable[[], Awaitable[TokenSet]]) -> TokenSet:
        """The new tokens: refreshed here under the lock, or taken from the holder's hand-off."""
        deadline = self._clock() + self._wait_limit
        lock = lock_key(key)
        while True:
            handed = await self.handed_off(key)
            if handed is not None:
                return handed
            token = secrets.token_urlsafe(16)
            if await self._call(self.redis.set(lock, token, nx=True, px=self._lease_ms)):
                # the previous holder may have handed off and let go since the check above
                # (it writes the hand-off first): look again before spending the refresh token
                handed = await self.handed_off(key)
                if handed is not None:
                    await self._let_go(lock, token)
                    return handed
                return await self._refresh_holding(key, token, refresh)
            while await self._call(self.redis.exists(lock)):
                if self._clock() >= deadline:
                    raise ProviderUnavailableError("another worker's refresh did not finish in time", status=503)
                await asyncio.sleep(_POLL)
                handed = await self.handed_off(key)
                if handed is not None:
                    return handed

    @property
    def _lease_ms(self) -> int:
        return int(self._lease * 1000)

    async def _refresh_holding(self, key: str, token: str, refresh: Callable[[], Awaitable[TokenSet]]) -> TokenSet:
        lock = lock_key(key)
        renewing = asyncio.ensure_future(self._keep(lock, token))
        try:
            tokens = await refresh()
        except BaseException:
            await _stop(renewing)
            await self._let_go(lock, token)  # a failed refresh frees the login for the next try at once
            raise
        handed = await self._hand_off(key, tokens)
        await _stop(renewing)
        if handed:
            await self._let_go(lock, token)
        # else the lease runs out by itself: by then this request has written the new tokens
        # with the session, where other workers' next requests find them
        return tokens

    async def _keep(self, lock: str, token: str) -> None:
        """Renew the lease every third of it while the refresh runs."""
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                kept = await self._renew(keys=[lock], args=[token, self._lease_ms])
            except redis_errors() as exc:
                log.warning("refresh lock could not be renewed (%s); retrying", type(exc).__name__)
                continue
            if not kept:
                log.warning("refresh lock lost while refreshing; another worker may refresh too")
                return

    async def _hand_off(self, key: str, tokens: TokenSet) -> bool:
        """Leave the new tokens for the other processes; False (logged) if Redis would not take them."""
        handoff, ttl = handoff_key(key), int(self._handoff_ttl * 1000)
        sealed = self._sealer.seal(json.dumps(tokens.to_dict()).encode(), handoff.encode())
        for wait in (*HANDOFF_RETRIES, None):
            try:
                # confirmed by a replica: a failover must not lose the rotated tokens
                await self._durable.run(handoff, ("SET", handoff, sealed, "PX", ttl))
                return True
            except redis_errors() as exc:
                if wait is None:
                    log.warning(
                        "refresh succeeded, but its hand-off to other workers could not be written to Redis (%s); "
                        "the new tokens are kept in this worker and written with the session",
                        type(exc).__name__,
                    )
                    return False
                await asyncio.sleep(wait)
        return False  # pragma: no cover (the loop returns)

    async def _let_go(self, lock: str, token: str) -> None:
        try:
            await self._release(keys=[lock], args=[token])
        except redis_errors():
            pass  # the lock expires by itself

    async def _call(self, awaitable: object) -> object:
        try:
            return await awaitable  # type: ignore[misc]
        except redis_errors() as exc:
            raise SessionStoreUnavailableError(f"Redis failed during refresh: {type(exc).__name__}") from None


async def _stop(task: asyncio.Future[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
