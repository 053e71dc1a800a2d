"""Configuration: frozen keyword-only dataclasses, validated once.

``EidConfig(...)`` checks itself and all its providers when it is built and raises
one ``ConfigurationError`` that names every bad field, so a deployment learns all
its mistakes at once instead of one per restart.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from yarl import URL

from .errors import ConfigurationError
from .events import OnEvent
from .messages import LOCALES
from .providers.provider_config import ProviderConfig
from .urls import prefix_problem

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp_session import AbstractStorage
    from redis.asyncio import Redis
    from redis.asyncio.cluster import RedisCluster

    from .identity import Identity, LoginDetails

__all__ = ["EidConfig", "OnLogin", "ProviderConfig"]

OnLogin: TypeAlias = "Callable[[web.Request, Identity, LoginDetails], Awaitable[None]]"


@dataclasses.dataclass(frozen=True, kw_only=True)
class EidConfig:
    """The whole plugin's configuration, given once to ``aiohttp_eid.setup()``.

    ``session_key`` is 32 random bytes in URL-safe base64 (generate one with
    ``python -c "import secrets; print(secrets.token_urlsafe(32))"``); a sequence
    rotates keys: the first encrypts, all decrypt.
    """

    providers: Sequence[ProviderConfig]
    session_key: str | Sequence[str] = dataclasses.field(repr=False)
    #: "cookie" (default: encrypted cookies, at most two), "redis://host:port/db" (encrypted
    #: records, for several workers; pip install aiohttp-eid[redis]; also redis+sentinel://,
    #: redis+cluster://, see docs/deployment.md), a redis.asyncio Redis or RedisCluster client,
    #: or any aiohttp-session storage
    storage: str | AbstractStorage | Redis | RedisCluster = dataclasses.field(default="cookie", repr=False)
    prefix: str = "/auth"
    on_login: OnLogin | None = None
    #: receives an ``Event`` for logins, refreshes, logouts and failures (a plain or async function)
    on_event: OnEvent | None = None
    post_logout_path: str = "/"
    #: absolute session lifetime, counted from the login, in seconds
    max_age: int = 8 * 3600
    #: a login unused this long ends; None disables it
    idle_timeout: int | None = 3600
    #: True: the session cookie has no Max-Age or Expires, so the browser drops it when it is closed
    #: (a shared computer); max_age and idle_timeout still end the login on the server
    browser_session_cookie: bool = False
    #: clock skew allowed on token times, and how early tokens are refreshed
    leeway: int = 30
    refresh: Literal["auto", "on_demand"] = "auto"
    #: with Redis: how long one worker may hold a login's refresh before another takes over
    refresh_lock_timeout: float = 10.0
    cookie_name: str = "eid_session"
    #: total time allowed for one call to a provider
    http_timeout: float = 10.0
    #: the largest provider answer read, in bytes
    max_response_bytes: int = 1024 * 1024
    #: the language of pages when the request names none we have
    default_locale: str = "en"
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        object.__setattr__(self, "providers", tuple(self.providers))
        keys = (self.session_key,) if isinstance(self.session_key, str) else self.session_key
        object.__setattr__(self, "session_key", tuple(keys))
        object.__setattr__(self, "prefix", "/" + str(self.prefix or "").strip("/"))  # None: the root, refused
        problems = self._problems()
        if problems:
            raise ConfigurationError(problems)

    @property
    def session_keys(self) -> tuple[bytes, ...]:
        """The decoded session keys, newest first."""
        return tuple(_decode_key(k) or b"" for k in self.session_key)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are ``Secure`` when every redirect URI is HTTPS (decided once, not per request)."""
        return all(URL(p.redirect_uri).scheme == "https" for p in self.providers)

    def _problems(self) -> list[str]:
        problems: list[str] = []
        if not self.providers:
            problems.append("providers: at least one provider is needed")
        names = [p.name for p in self.providers]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"providers: the name {name!r} is used more than once")
        for p in self.providers:
            problems.extend(p.problems(self.prefix))
        if not self.session_key:
            problems.append("session_key: missing")
        for i, key in enumerate(self.session_key):
            if not isinstance(key, str) or _decode_key(key) is None:
                problems.append(
                    f"session_key[{i}]: must be at least 32 random bytes in URL-safe base64",
                )
        from .session.redis_connect import is_redis_storage

        if self.storage != "cookie" and not is_redis_storage(self.storage):
            from aiohttp_session import AbstractStorage

            if not isinstance(self.storage, AbstractStorage):
                problems.append("storage: 'cookie', 'redis://...' (or a Redis client) or an aiohttp-session storage")
        if (bad_prefix := prefix_problem(self.prefix)) is not None:
            problems.append(bad_prefix)
        if self.default_locale not in LOCALES:
            problems.append(f"default_locale: one of {', '.join(LOCALES)}")
        if not self.post_logout_path.startswith("/") or self.post_logout_path.startswith("//"):
            problems.append("post_logout_path: must be a path on this site, such as '/'")
        if self.max_age <= 0:
            problems.append("max_age: must be positive")
        if self.idle_timeout is not None and self.idle_timeout <= 0:
            problems.append("idle_timeout: must be positive or None")
        if not isinstance(self.browser_session_cookie, bool):
            problems.append("browser_session_cookie: True or False")
        if self.leeway < 0:
            problems.append("leeway: must not be negative")
        if self.refresh not in ("auto", "on_demand"):
            problems.append("refresh: 'auto' or 'on_demand'")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", self.cookie_name):
            problems.append("cookie_name: letters, digits, '-' and '_' only")
        if self.refresh_lock_timeout < self.http_timeout:
            problems.append(
                "refresh_lock_timeout: at least http_timeout, or a slow provider call outlives the lock "
                "and another worker refreshes too"
            )
        if self.http_timeout <= 0 or self.max_response_bytes <= 0:
            problems.append("http_timeout, max_response_bytes: must be positive")
        return problems


def _decode_key(key: Any) -> bytes | None:
    if not isinstance(key, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) >= 32 else None
