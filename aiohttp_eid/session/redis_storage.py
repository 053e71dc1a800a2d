"""Sessions in Redis, encrypted at rest, for several workers and servers.

The cookie holds only a random session id (256 bits). Redis keys are digests of it, so reading Redis's
key list gives no usable cookie. Each record is sealed (AES-GCM, its own derived key) with its Redis key
as associated data, so a record copied to another key does not open. A record that does not open or parse
is an empty session, never an error.

Tokens live in a record of their own, written only when newer than what is there (compare-and-set on
the time they were obtained): aiohttp-session rewrites whole sessions, so a request that started before
a refresh would otherwise write the old tokens back over the new ones.

Records expire with the session: the absolute lifetime counted from the login, shortened to the idle
timeout (refreshed when the middleware records activity). A login starts a new id and deletes the old
record; logout deletes the record. Each login is also listed under its subject so ``logout_everywhere``
can end every session of a person.
"""

from __future__ import annotations

import hashlib
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
from .crypto import Sealer
from .redis_tracking import LoginTracker
from .storage import cookie_value
from .store import DATA_KEY, NOT_CACHED, CachedLogin, StoredLogin, read_login

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["PREFIXES", "RedisStorage", "redis_errors"]

log = logging.getLogger("aiohttp_eid.session")

_PREFIX = "eid:"
#: the key prefixes of session records and their tokens (what the login cache tracks)
PREFIXES = (f"{_PREFIX}s:", f"{_PREFIX}t:")
_CACHE_SIZE = 4096
# Writes the token record only if it is newer than the stored one.
_SET_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
  local version = tonumber(string.match(current, '^([^|]+)|'))
  if version and version >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1
"""


def redis_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean Redis is down or too slow."""
    from redis.exceptions import RedisError

    return (RedisError, OSError, TimeoutError)


class RedisStorage(AbstractStorage):
    """aiohttp-session storage in Redis: a random id in the cookie, the sealed session in Redis."""

    events: Events = NO_EVENTS  # setup() gives it the application's

    def __init__(
        self,
        redis: Redis,
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
        self._set_if_newer = redis.register_script(_SET_IF_NEWER)
        self._logins: OrderedDict[tuple[str, Any, Any], StoredLogin | None] = OrderedDict()
        #: logins kept between requests while Redis reports every change to them (None: read every time)
        self.tracker = tracker

    # -- keys -----------------------------------------------------------------------------

    @staticmethod
    def _digest(session_id: str) -> str:
        return hashlib.sha256(session_id.encode()).hexdigest()

    @staticmethod
    def record_key(digest: str) -> str:
        return f"{_PREFIX}s:{digest}"

    @staticmethod
    def tokens_key(digest: str) -> str:
        return f"{_PREFIX}t:{digest}"

    @staticmethod
    def digest_of(key: str) -> str | None:
        """The session digest a record or tokens key names (None for other keys)."""
        if key.startswith(PREFIXES):
            return key[len(_PREFIX) + 2 :]
        return None

    @staticmethod
    def subject_key(provider: str, subject: str) -> str:
        digest = hashlib.sha256(provider.encode() + b"\x00" + subject.encode()).hexdigest()
        return f"{_PREFIX}u:{digest}"

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
        digest = self._digest(session_id)
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
        login = _login_of(data.get("session"))
        if login is None or raw is None:
            return
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        _, _, sealed = text.partition("|")
        tokens = self._open(sealed, key)
        if tokens is not None:
            login["tok"] = tokens

    # -- writing ------------------------------------------------------------------------------

    async def save_session(self, request: web.Request, response: web.StreamResponse, session: Session) -> None:
        # a new_session() (login) knows no id: the one to replace is the request's
        cookie = self.load_cookie(request)
        old_digest = session.identity or (self._digest(cookie) if cookie else None)
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
                digest = self._digest(session_id)
                if old_digest:
                    await self._delete(old_digest)  # a login replaces the pre-login session
                self.save_cookie(response, session_id, max_age=self._cookie_max_age)
            else:
                digest = old_digest
            await self._write(digest, data)
        except redis_errors() as exc:
            raise self.events.raised(SessionStoreUnavailableError(f"Redis write: {type(exc).__name__}")) from None

    async def _write(self, digest: str, data: Mapping[str, Any]) -> None:
        payload = json.loads(json.dumps(data))  # a private copy to take the tokens out of
        login = _login_of(payload.get("session"))
        ttl = self._ttl(login)
        tokens = login.pop("tok", None) if login is not None else None
        record_key, tokens_key = self.record_key(digest), self.tokens_key(digest)
        sealed = self._sealer.seal(json.dumps(payload, separators=(",", ":")).encode(), record_key.encode())
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(record_key, sealed, px=ttl)
            if login is None:
                pipe.delete(tokens_key)
            else:
                pipe.pexpire(tokens_key, ttl)  # the tokens live as long as the session that holds them
                index = self.subject_key(str(login.get("p")), str(login.get("id", {}).get("subject")))
                pipe.sadd(index, digest)
                pipe.pexpire(index, int(self.max_age or 0) * 1000)
            await pipe.execute()
        if tokens is not None:
            sealed_tokens = self._sealer.seal(json.dumps(tokens, separators=(",", ":")).encode(), tokens_key.encode())
            await self._set_if_newer(keys=[tokens_key], args=[repr(float(tokens["o"])), sealed_tokens, ttl])
        self._forget(digest)

    async def _delete(self, digest: str) -> None:
        await self.redis.delete(self.record_key(digest), self.tokens_key(digest))
        self._forget(digest)

    def _forget(self, digest: str) -> None:
        # at once for this worker; Redis's invalidation message tells the others (and us, again)
        if self.tracker is not None:
            self.tracker.forget(digest)

    def _ttl(self, login: Mapping[str, Any] | None) -> int:
        """Milliseconds the record may live: to the end of the absolute lifetime, at most the idle timeout."""
        max_age = float(self.max_age or 0)
        remaining = max_age
        if login is not None:
            remaining = max_age - (self._clock() - float(login.get("t", self._clock())))
            if self._idle is not None:
                remaining = min(remaining, float(self._idle))
        return max(1000, int(remaining * 1000))

    async def end_sessions_of(self, provider: str, subject: str) -> int:
        """Delete every session of ``subject`` at ``provider``; how many there were."""
        index = self.subject_key(provider, subject)
        try:
            digests = [d.decode() if isinstance(d, bytes) else str(d) for d in await self.redis.smembers(index)]
            # count only the sessions that still existed (the index may name ended ones)
            ended = int(await self.redis.delete(*[self.record_key(d) for d in digests])) if digests else 0
            await self.redis.delete(index, *[self.tokens_key(d) for d in digests])
            for digest in digests:
                self._forget(digest)
        except redis_errors() as exc:
            raise self.events.raised(SessionStoreUnavailableError(f"Redis failed: {type(exc).__name__}")) from None
        return ended


def _login_of(session: Any) -> dict[str, Any] | None:
    ours = session.get(DATA_KEY) if isinstance(session, dict) else None
    login = ours.get("login") if isinstance(ours, dict) else None
    return login if isinstance(login, dict) else None
