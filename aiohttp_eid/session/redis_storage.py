"""Sessions in Redis, encrypted at rest, for several workers and servers.

The cookie holds only a random session id (256 bits). Redis keys are digests of it, so reading Redis's
key list gives no usable cookie. Each record is sealed (AES-GCM, its own derived key) with its Redis key
as associated data, so a record copied to another key does not open. A record that does not open or parse
is an empty session, never an error.

Tokens live in a record of their own, written only when newer than what is there (compare-and-set on
the time they were obtained): aiohttp-session rewrites whole sessions, so a request that started before
a refresh would otherwise write the old tokens back over the new ones.

Records expire with the session: the absolute lifetime counted from the login, shortened to the idle
timeout (refreshed when the middleware records activity); a pre-login record (pending logins only, as
an anonymous hit on a protected page leaves) with its pending logins (see ``record_lifetime``). A login
starts a new id and deletes the old record; logout deletes the record. Each login is also listed under
its subject so ``logout_everywhere`` can end every session of a person. A request never brings back a
deleted session: it rewrites a record only while it exists, in one script with its tokens (see
redis_keys), and logins, logouts and ``logout_everywhere`` are confirmed by a replica (see redis_durable).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from aiohttp import hdrs, web
from aiohttp_session import AbstractStorage, Session, SessionData

from ..errors import SessionStoreUnavailableError
from ..events import NO_EVENTS, Events
from . import redis_keys
from .cookie_storage import cookie_value
from .crypto import Sealer
from .lifetimes import record_lifetime
from .login_record import (
    NOT_CACHED,
    CachedLogin,
    StoredLogin,
    login_owner,
    put_tokens,
    raw_login,
    read_login,
    take_tokens,
    tokens_version,
)
from .redis_durable import Durable, ReplicaUnconfirmedError
from .redis_keys import PREFIXES, WRITE_SESSION, session_digest
from .redis_tracking import LoginTracker

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.cluster import RedisCluster

__all__ = ["PREFIXES", "RedisStorage", "redis_errors"]

log = logging.getLogger("aiohttp_eid.session")

_CACHE_SIZE = 4096


def redis_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean Redis is down, too slow, or could not confirm a write."""
    from redis.exceptions import RedisError

    return (RedisError, OSError, TimeoutError, ReplicaUnconfirmedError)


class RedisStorage(AbstractStorage):
    """aiohttp-session storage in Redis: a random id in the cookie, the sealed session in Redis."""

    events: Events = NO_EVENTS  # setup() gives it the application's

    def __init__(
        self,
        redis: Redis | RedisCluster,
        sealer: Sealer,
        *,
        cookie_name: str,
        secure: bool,
        max_age: int,
        idle_timeout: int | None,
        browser_session_cookie: bool = False,
        clock: Callable[[], float] = time.time,
        tracker: LoginTracker | None = None,
    ) -> None:
        super().__init__(
            cookie_name=cookie_name, max_age=max_age, secure=secure, httponly=True, samesite="Lax", path="/"
        )
        self.redis = redis
        self._sealer = sealer
        self._idle = idle_timeout
        # a browser-session cookie carries no Max-Age (the record still expires in Redis)
        self._cookie_params["max_age"] = self._cookie_max_age = None if browser_session_cookie else max_age
        self._clock = clock
        #: writes confirmed by a replica (shared with the refresh coordinator)
        self.durable = Durable(redis)
        self._logins: OrderedDict[tuple[str, Any, Any], StoredLogin | None] = OrderedDict()
        #: logins kept between requests while Redis reports every change to them (None: read every time)
        self.tracker = tracker

    # -- keys (see redis_keys) ------------------------------------------------------------

    record_key = staticmethod(redis_keys.record_key)
    tokens_key = staticmethod(redis_keys.tokens_key)
    digest_of = staticmethod(redis_keys.digest_of)
    subject_key = staticmethod(redis_keys.subject_key)

    # -- reading ------------------------------------------------------------------------------

    def load_cookie(self, request: web.Request) -> str | None:
        value = cookie_value(request.headers.get(hdrs.COOKIE, ""), self.cookie_name)
        return value if value and len(value) <= 128 else None

    def cached_login(self, request: web.Request) -> CachedLogin:
        """The login from the tracked cache (by session id, never the whole header, which a client
        controls); None when the request has no session cookie."""
        session_id = self.load_cookie(request)
        if session_id is None:
            return None
        return self.tracker.get(session_id) if self.tracker is not None else NOT_CACHED

    async def load_login(self, request: web.Request) -> StoredLogin | None:
        """The stored login: from the tracked cache, or read from Redis (a logout anywhere counts
        at once either way); decrypted and decoded once per distinct record."""
        session_id = self.load_cookie(request)
        if session_id is None:
            return None
        tracker = self.tracker
        generation = 0
        if tracker is not None:
            cached = tracker.get(session_id)
            if cached is not NOT_CACHED:
                return cached
            generation = tracker.generation
        fetched = await self._fetch(request)
        if fetched is None:
            return None
        digest, record, tokens = fetched
        if record is None:
            return None  # no such session (junk, or ended): nothing worth remembering
        cache_key = (digest, record, tokens)
        if cache_key in self._logins:
            self._logins.move_to_end(cache_key)
            login = self._logins[cache_key]
        else:
            data = self._decode(digest, record, tokens)
            login = read_login(data.get("session") or {}) if data is not None else None
            self._logins[cache_key] = login
            if len(self._logins) > _CACHE_SIZE:
                self._logins.popitem(last=False)
        if tracker is not None:
            tracker.put(session_id, digest, login, generation)
        return login

    async def load_session(self, request: web.Request) -> Session:
        fetched = await self._fetch(request)
        data = self._decode(*fetched) if fetched is not None else None
        if fetched is None or data is None:
            return Session(None, data=None, new=True, max_age=self.max_age)
        return Session(fetched[0], data=cast(SessionData, data), new=False, max_age=self.max_age)

    async def _fetch(self, request: web.Request) -> tuple[str, Any, Any] | None:
        session_id = self.load_cookie(request)
        if session_id is None:
            return None
        digest = session_digest(session_id)
        try:
            record, tokens = await self.redis.mget([self.record_key(digest), self.tokens_key(digest)])
        except redis_errors() as exc:
            raise self.events.raised(SessionStoreUnavailableError(f"Redis read failed: {type(exc).__name__}")) from None
        return digest, record, tokens

    def _decode(self, digest: str, record: Any, tokens: Any) -> dict[str, Any] | None:
        data = self._open(record, self.record_key(digest))
        if data is None:
            return None
        self._merge_tokens(data, tokens, self.tokens_key(digest))
        return dict(data)

    def _open(self, sealed: Any, key: str) -> Any:
        if sealed is None:
            return None
        text = sealed.decode() if isinstance(sealed, bytes) else str(sealed)
        plaintext = self._sealer.open(text, key.encode())
        if plaintext is None:
            log.warning("a session record in Redis could not be opened; treated as empty")
            return None
        try:
            data = json.loads(plaintext)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _merge_tokens(self, data: dict[str, Any], raw: Any, key: str) -> None:
        login = raw_login(data.get("session"))
        if login is None or raw is None:
            return
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        _, _, sealed = text.partition("|")
        tokens = self._open(sealed, key)
        if tokens is not None:
            put_tokens(login, tokens)

    # -- writing ------------------------------------------------------------------------------

    async def save_session(self, request: web.Request, response: web.StreamResponse, session: Session) -> None:
        # a new_session() (login) knows no id: the one to replace is the request's
        cookie = self.load_cookie(request)
        old_digest = session.identity or (session_digest(cookie) if cookie else None)
        data = self._get_session_data(session)
        try:
            if not data:
                if old_digest:
                    await self._delete(old_digest)
                if cookie is not None:
                    self.save_cookie(response, "", max_age=None)
                return
            if session.new or not old_digest:
                session_id = secrets.token_urlsafe(32)
                if old_digest:
                    await self._delete(old_digest)  # a login replaces the pre-login session
                await self._write(session_digest(session_id), data, update=False)
                self.save_cookie(response, session_id, max_age=self._cookie_max_age)
            elif not await self._write(old_digest, data, update=True):
                # logged out (here or anywhere) while this request ran: the logout stands
                log.info("a session ended while a request was using it; its changes are dropped")
        except redis_errors() as exc:
            raise self.events.raised(SessionStoreUnavailableError(f"Redis write: {type(exc).__name__}")) from None

    async def _write(self, digest: str, data: Mapping[str, Any], *, update: bool) -> bool:
        """Store a session; an update only while its record still exists. Whether it was written."""
        payload = json.loads(json.dumps(data))  # a private copy to take the tokens out of
        login = raw_login(payload.get("session"))
        ttl = self._ttl(payload.get("session"), login)
        tokens = take_tokens(login) if login is not None else None
        record_key, tokens_key = self.record_key(digest), self.tokens_key(digest)
        sealed = self._sealer.seal(json.dumps(payload, separators=(",", ":")).encode(), record_key.encode())
        version, sealed_tokens = "", ""
        if tokens is not None:
            version = tokens_version(tokens)
            sealed_tokens = self._sealer.seal(json.dumps(tokens, separators=(",", ":")).encode(), tokens_key.encode())
        args = ["1" if update else "0", sealed, ttl, "0" if login is None else "1", version, sealed_tokens]
        keys = [record_key, tokens_key]
        if update or login is None:
            written = bool(await self.redis.eval(WRITE_SESSION, 2, *keys, *args))
        else:
            # a login: listed under its person first (so logout_everywhere finds it), then stored,
            # each confirmed by a replica
            index = self.subject_key(*login_owner(login))
            ttl_index = int(self.max_age or 0) * 1000
            await self.durable.run(index, ("SADD", index, digest), ("PEXPIRE", index, ttl_index))
            [written] = await self.durable.run(record_key, ("EVAL", WRITE_SESSION, 2, *keys, *args))
        self._forget(digest)
        return bool(written)

    async def _delete(self, digest: str) -> int:
        """Delete a session's record and tokens (confirmed by a replica); whether the record existed."""
        record_key = self.record_key(digest)
        [deleted, _] = await self.durable.run(record_key, ("DEL", record_key), ("DEL", self.tokens_key(digest)))
        self._forget(digest)
        return int(deleted)

    def _forget(self, digest: str) -> None:
        # at once for this worker; Redis's invalidation message tells the others (and us, again)
        if self.tracker is not None:
            self.tracker.forget(digest)

    def _ttl(self, session: Any, login: Mapping[str, Any] | None) -> int:
        """Milliseconds the record may live (``record_lifetime``), at least one second."""
        seconds = record_lifetime(session, login, max_age=float(self.max_age or 0), idle=self._idle, now=self._clock())
        return max(1000, int(seconds * 1000))

    async def end_sessions_of(self, provider: str, subject: str) -> int:
        """Delete every session of ``subject`` at ``provider``; how many there were.

        Each session is deleted on its own slot, then only those digests leave the index (a
        login listed meanwhile stays listed, for the next logout_everywhere).
        """
        index = self.subject_key(provider, subject)
        try:
            digests = [d.decode() if isinstance(d, bytes) else str(d) for d in await self.redis.smembers(index)]
            ended = 0
            for digest in digests:
                # count only the sessions that still existed (the index may name ended ones)
                ended += await self._delete(digest) > 0
            if digests:
                await self.durable.run(index, ("SREM", index, *digests))
        except redis_errors() as exc:
            raise self.events.raised(SessionStoreUnavailableError(f"Redis failed: {type(exc).__name__}")) from None
        return ended
