"""(7) One refresh across processes: a Redis lock and an encrypted hand-off record.

The process that takes the lock (``SET NX PX``, bounded) refreshes and leaves
the new tokens in a hand-off record under the digest of the old refresh token,
sealed with its own derived key, for ``HANDOFF_TTL`` seconds. The others wait
briefly and take the tokens from the hand-off record; a request that arrives
later with the already-rotated refresh token finds them there too instead of
replaying it. If the holder dies, its lock expires and another process refreshes.
"""

from __future__ import annotations

import asyncio
import json
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

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_POLL = 0.05


class RedisRefreshCoordinator:
    """Makes one process of many refresh a login's tokens."""

    def __init__(
        self,
        redis: Redis | RedisCluster,
        sealer: Sealer,
        *,
        lock_timeout: float,
        handoff_ttl: float,
        clock: Callable[[], float] = time.monotonic,
        durable: Durable | None = None,
    ) -> None:
        self.redis = redis
        self._sealer = sealer
        self._lock_timeout = lock_timeout
        self._handoff_ttl = handoff_ttl
        self._clock = clock
        self._release = redis.register_script(_RELEASE)
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
        deadline = self._clock() + self._lock_timeout * 2
        while True:
            handed = await self.handed_off(key)
            if handed is not None:
                return handed
            token = secrets.token_urlsafe(16)
            locked = await self._call(self.redis.set(lock_key(key), token, nx=True, px=int(self._lock_timeout * 1000)))
            if locked:
                try:
                    tokens = await refresh()
                    handoff, ttl = handoff_key(key), int(self._handoff_ttl * 1000)
                    sealed = self._sealer.seal(json.dumps(tokens.to_dict()).encode(), handoff.encode())
                    # confirmed by a replica: a failover must not lose the rotated tokens
                    await self._call(self._durable.run(handoff, ("SET", handoff, sealed, "PX", ttl)))
                    return tokens
                finally:
                    try:
                        await self._release(keys=[lock_key(key)], args=[token])
                    except redis_errors():
                        pass  # the lock expires by itself
            while await self._call(self.redis.exists(lock_key(key))):
                if self._clock() >= deadline:
                    raise ProviderUnavailableError("another worker's refresh did not finish in time", status=503)
                await asyncio.sleep(_POLL)
                handed = await self.handed_off(key)
                if handed is not None:
                    return handed

    async def _call(self, awaitable: object) -> object:
        try:
            return await awaitable  # type: ignore[misc]
        except redis_errors() as exc:
            raise SessionStoreUnavailableError(f"Redis failed during refresh: {type(exc).__name__}") from None
