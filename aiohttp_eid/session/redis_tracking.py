"""Logins read from Redis, kept in memory while Redis promises to report every change to them.

Reading Redis on every request costs more CPU in the client than a whole bare
aiohttp request. So each worker keeps the logins it read, and Redis's
server-assisted client-side caching (``CLIENT TRACKING ... BCAST``) tells it the
moment any worker (or anyone else) writes, deletes or expires a session record:
the entry is dropped before the write's own reply is sent. A logout anywhere
therefore counts at once, as with a read per request.

The cache is used only while that promise holds: the tracking connection is up
and has answered a PING within ``STALE_AFTER`` seconds. Losing it (Redis down,
the connection killed, a silent reconnect) empties the cache, and requests read
Redis again until tracking is back.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import functools
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import cast

from .login_record import NOT_CACHED, CachedLogin, StoredLogin

__all__ = ["CHANNEL", "LoginTracker", "RedisTarget", "RespError"]

log = logging.getLogger("aiohttp_eid.session")

CHANNEL = "__redis__:invalidate"
PING_EVERY = 0.5
STALE_AFTER = 1.5
RETRY_AFTER = 1.0
_SIZE = 20_000


class LoginTracker:
    """Logins by session id (the cookie's value), dropped when Redis reports a change to their records."""

    def __init__(
        self,
        target: Callable[[], Awaitable[RedisTarget]],
        prefixes: tuple[str, ...],
        *,
        digest_of: Callable[[str], str | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._target = target  # where the main client's writes go now, with its TLS and credentials
        self._current: Callable[[], bool] | None = None
        self._prefixes = prefixes
        self._digest_of = digest_of  # the record digest a Redis key names (None: not ours)
        self._clock = clock
        self._entries: dict[str, tuple[str, StoredLogin | None]] = {}
        self._headers: dict[str, set[str]] = {}
        self._live = False
        self._warned = False
        self._heard = -float("inf")
        #: bumped by every change; a read that saw another generation is not cached
        self.generation = 0

    # -- the cache -------------------------------------------------------------------------

    def get(self, header: str) -> CachedLogin:
        """The login cached for this session id, or NOT_CACHED (also whenever tracking is down)."""
        if not self._live or self._clock() - self._heard >= STALE_AFTER:
            return NOT_CACHED
        if self._current is not None and not self._current():
            return NOT_CACHED  # the main client moved to another primary (a failover)
        entry = self._entries.get(header)
        return entry[1] if entry is not None else NOT_CACHED

    def put(self, header: str, digest: str, login: StoredLogin | None, generation: int) -> None:
        """Remember a login read when ``generation`` was current (unless something changed since)."""
        if not self._live or generation != self.generation:
            return
        if len(self._entries) >= _SIZE:
            oldest = next(iter(self._entries))
            self._drop_header(oldest)
        self._entries[header] = (digest, login)
        self._headers.setdefault(digest, set()).add(header)

    def forget(self, digest: str) -> None:
        """Drop what is cached for one session record (it changed)."""
        self.generation += 1
        for header in self._headers.pop(digest, ()):
            self._entries.pop(header, None)

    def _drop_header(self, header: str) -> None:
        digest, _ = self._entries.pop(header)
        headers = self._headers.get(digest)
        if headers is not None:
            headers.discard(header)
            if not headers:
                del self._headers[digest]

    def _reset(self, *, live: bool) -> None:
        self.generation += 1
        self._entries.clear()
        self._headers.clear()
        self._live = live

    # -- the tracking connection -----------------------------------------------------------

    async def run(self) -> None:
        """Keep tracking on (reconnecting after failures) until cancelled."""
        while True:
            try:
                await self._track()
            except (OSError, TimeoutError, RespError) as exc:
                if self._live or not self._warned:
                    # a RespError says why (an old Redis, an ACL without CLIENT TRACKING): no secrets in it
                    reason = str(exc) if isinstance(exc, RespError) else type(exc).__name__
                    log.warning("Redis tracking unavailable (%s); every request reads its session from Redis", reason)
                    self._warned = True
            finally:
                self._reset(live=False)
            await asyncio.sleep(RETRY_AFTER)

    async def _track(self) -> None:
        loop = asyncio.get_running_loop()
        target = await asyncio.wait_for(self._target(), STALE_AFTER)
        factory = functools.partial(_TrackingProtocol, self)
        if target.path is not None:
            _, protocol = await asyncio.wait_for(loop.create_unix_connection(factory, target.path), STALE_AFTER)
        else:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(factory, target.host, target.port, ssl=target.ssl), STALE_AFTER
            )
        try:
            if target.password is not None:
                credentials = (target.username, target.password) if target.username else (target.password,)
                await protocol.call("AUTH", *credentials)
            own_id = await protocol.call("CLIENT", "ID")
            prefixes = [part for prefix in self._prefixes for part in ("PREFIX", prefix)]
            # tracking redirected to this very connection, which then subscribes to the channel the
            # invalidations are published on (RESP2); BCAST covers keys this worker never read too
            await protocol.call("CLIENT", "TRACKING", "ON", "REDIRECT", str(own_id), "BCAST", *prefixes)
            await protocol.call("SUBSCRIBE", CHANNEL)
            self._reset(live=True)
            self._current = target.current
            self._warned = False
            self._heard = self._clock()
            while not protocol.closed.done():
                if target.current is not None and not target.current():
                    raise ConnectionError("the primary changed")
                protocol.send("PING")
                await asyncio.wait({protocol.closed}, timeout=PING_EVERY)
                if self._clock() - self._heard >= STALE_AFTER:
                    raise TimeoutError("no answer from Redis to PING")
            raise ConnectionError("Redis closed the tracking connection")
        finally:
            protocol.close()

    def pushed(self, value: object) -> None:
        """An invalidation message or a PING answer, as soon as it arrives (in the loop's read callback)."""
        self._heard = self._clock()
        if not isinstance(value, list) or len(value) != 3 or value[0] != b"message":
            return  # a pong
        keys = value[2]
        if keys is None:
            self._reset(live=True)  # FLUSHDB / FLUSHALL: everything changed
            return
        for key in keys if isinstance(keys, list) else ():
            digest = self._digest_of(key.decode() if isinstance(key, bytes) else str(key))
            if digest is not None:
                self.forget(digest)

    def lost(self) -> None:
        """The tracking connection closed: stop using the cache, synchronously from the loop's callback."""
        self._reset(live=False)


@dataclasses.dataclass(frozen=True)
class RedisTarget:
    """Where the tracking connection goes: the node the main client writes to, with its settings."""

    host: str = "127.0.0.1"
    port: int = 6379
    path: str | None = None
    ssl: ssl.SSLContext | None = None
    username: str | None = None
    password: str | None = None
    #: whether the main client still writes to this node (None: it always does)
    current: Callable[[], bool] | None = None


class RespError(Exception):
    """Redis answered a command with an error."""


class _TrackingProtocol(asyncio.Protocol):
    """A minimal RESP2 connection: commands in order, then pushes handed to the tracker at once."""

    def __init__(self, tracker: LoginTracker) -> None:
        self._tracker = tracker
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._waiting: collections.deque[asyncio.Future[object]] = collections.deque()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._tracker.lost()
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_exception(ConnectionError("Redis closed the tracking connection"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            try:
                value, end = _parse(self._buffer, 0)
            except _Incomplete:
                return
            del self._buffer[:end]
            if self._waiting:
                waiter = self._waiting.popleft()
                if not waiter.done():
                    if isinstance(value, RespError):
                        waiter.set_exception(value)
                    else:
                        waiter.set_result(value)
            else:
                self._tracker.pushed(value)

    def send(self, *args: str) -> None:
        if self._transport is not None:
            self._transport.write(_command(args))

    async def call(self, *args: str) -> object:
        waiter: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        self.send(*args)
        return await asyncio.wait_for(waiter, STALE_AFTER)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class _Incomplete(Exception):
    pass


def _command(args: tuple[str, ...]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        encoded = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(encoded), encoded))
    return b"".join(parts)


def _parse(buffer: bytearray, start: int) -> tuple[object, int]:
    """One RESP2 value from ``buffer[start:]`` and where it ends; _Incomplete if it has not all arrived."""
    line_end = buffer.find(b"\r\n", start)
    if line_end < 0:
        raise _Incomplete
    kind, line, after = buffer[start : start + 1], bytes(buffer[start + 1 : line_end]), line_end + 2
    if kind == b"+":
        return line, after
    if kind == b"-":
        return RespError(line.decode(errors="replace")), after
    if kind == b":":
        return int(line), after
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, after
        if len(buffer) < after + size + 2:
            raise _Incomplete
        return bytes(buffer[after : after + size]), after + size + 2
    if kind == b"*":
        count = int(line)
        if count < 0:
            return None, after
        items: list[object] = []
        for _ in range(count):
            item, after = _parse(buffer, after)
            items.append(item)
        return items, after
    raise RespError(f"unexpected RESP type {kind!r}")
