"""``setup()``: validate once, build the providers, one ClientSession, middleware and routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp_session import AbstractStorage
from yarl import URL

from .config import EidConfig
from .errors import ConfigurationError, EidError, at_provider_boundary
from .events import Events
from .oidc.transport import HttpClient
from .providers.base import Provider
from .providers.eidg import EidgProvider
from .providers.itsme import itsme_profile
from .providers.openid import OidcProvider
from .providers.openid_profile import from_oidc_config
from .providers.provider_config import EidgConfig, ItsmeConfig, OidcConfig, ProviderConfig
from .runtime import RUNTIME, RecentStates, Runtime
from .session.cookie_storage import ChunkedCookieStorage
from .session.crypto import derive_sealer
from .session.lifetimes import Lifetimes
from .session.redis_connect import connect, tracking_target
from .session.redis_refresh import RedisRefreshCoordinator
from .session.redis_storage import PREFIXES, RedisStorage
from .session.redis_tracking import LoginTracker
from .session.refresh import HANDOFF_TTL, Refresher, longest_refresh
from .web.middleware import eid_middleware
from .web.routes import add_routes
from .web.session_io import on_response_prepare

__all__ = ["setup"]

log = logging.getLogger("aiohttp_eid")


def setup(app: web.Application, config: EidConfig) -> None:
    """Make ``app`` an OpenID Connect relying party for the configured providers.

    Installs the session storage and middleware (do not install aiohttp-session's
    own as well: pass your storage as ``EidConfig(storage=...)`` instead), the
    routes under ``config.prefix``, and one outbound ``ClientSession`` closed on
    cleanup.
    """
    if RUNTIME in app:
        raise ConfigurationError(["setup: aiohttp_eid.setup() was already called for this application"])
    if any(getattr(m, "__qualname__", "").startswith("session_middleware.") for m in app.middlewares):
        raise ConfigurationError(
            [
                "storage: the application already installed aiohttp-session's middleware; "
                "remove it and pass its storage as EidConfig(storage=...) instead",
            ]
        )
    http = HttpClient(timeout=config.http_timeout, max_bytes=config.max_response_bytes)
    events = Events(config.on_event)
    storage, coordinator = _storage(config, events)
    runtime = Runtime(
        config=config,
        providers={p.name: _provider(p, config, http) for p in config.providers},
        storage=storage,
        lifetimes=Lifetimes(
            clock=config.clock,
            max_age=config.max_age,
            idle_timeout=config.idle_timeout,
            refresh_leeway=config.leeway if config.refresh == "auto" else None,
            providers=frozenset(p.name for p in config.providers),
        ),
        http=http,
        refresher=Refresher(clock=config.clock, leeway=config.leeway, coordinator=coordinator, events=events),
        used_states=RecentStates(),
        allowed_origins=frozenset(str(URL(p.redirect_uri).origin()) for p in config.providers),
        events=events,
    )
    app[RUNTIME] = runtime

    async def client_session(_: web.Application) -> AsyncIterator[None]:
        await http.start()
        tracking = _start_tracking(storage)
        await _prefetch(runtime)
        yield
        if tracking is not None:
            tracking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await tracking
        await http.close()
        if isinstance(storage, RedisStorage):
            await storage.redis.aclose()

    app.cleanup_ctx.append(client_session)
    # outermost, so the identity is known to every other middleware and every
    # response they produce gets the session written
    app.middlewares.insert(0, eid_middleware(runtime))
    app.on_response_prepare.append(on_response_prepare)
    key_sets = [k for p in config.providers if (k := getattr(p, "keys", None)) is not None]
    add_routes(app, config.prefix, key_sets)


def _start_tracking(storage: AbstractStorage) -> asyncio.Task[None] | None:
    """The task keeping Redis's change reports coming, for the cached logins (Redis storage only)."""
    if isinstance(storage, RedisStorage) and storage.tracker is not None:
        return asyncio.create_task(storage.tracker.run(), name="aiohttp_eid.redis_tracking")
    return None


async def _prefetch(runtime: Runtime) -> None:
    """Fetch discovery documents at startup; a provider that is down then is logged, not fatal."""
    for provider in runtime.providers.values():
        try:
            await at_provider_boundary(provider.warm_up(), provider=provider.name, where="warm-up")
        except EidError as exc:
            runtime.events.raised(exc, provider.name)
            log.warning("provider %s unavailable at startup (%s); logins wait for it", provider.name, exc.code)


def _provider(config: ProviderConfig, eid: EidConfig, http: HttpClient) -> Provider:
    if isinstance(config, EidgConfig):
        return EidgProvider(config, http, clock=eid.clock, leeway=eid.leeway)
    if isinstance(config, ItsmeConfig):
        return OidcProvider(itsme_profile(config), config, http, clock=eid.clock, leeway=eid.leeway)
    if isinstance(config, OidcConfig):
        return OidcProvider(from_oidc_config(config), config, http, clock=eid.clock, leeway=eid.leeway)
    raise ConfigurationError([f"providers: {type(config).__name__} is not supported"])


def _storage(config: EidConfig, events: Events) -> tuple[AbstractStorage, RedisRefreshCoordinator | None]:
    if isinstance(config.storage, AbstractStorage):
        return config.storage, None
    secure = config.secure_cookies
    # __Host-: the browser keeps the cookie to this exact host, HTTPS and path "/"
    name = f"__Host-{config.cookie_name}" if secure else config.cookie_name
    if config.storage == "cookie":
        sealer = derive_sealer(config.session_keys, "cookie")
        cookies = ChunkedCookieStorage(
            sealer,
            cookie_name=name,
            secure=secure,
            max_age=config.max_age,
            browser_session_cookie=config.browser_session_cookie,
        )
        cookies.events = events
        return cookies, None
    try:
        import redis  # noqa: F401
    except ImportError:
        raise ConfigurationError(
            ["storage: Redis storage needs the redis package: pip install aiohttp-eid[redis]"]
        ) from None
    client = connect(config.storage) if isinstance(config.storage, str) else config.storage
    target = tracking_target(client)
    if target is None:
        log.warning("Redis Cluster: the login cache is off; every request reads its session from Redis")
    storage = RedisStorage(
        client,
        derive_sealer(config.session_keys, "redis"),
        cookie_name=name,
        secure=secure,
        max_age=config.max_age,
        idle_timeout=config.idle_timeout,
        browser_session_cookie=config.browser_session_cookie,
        clock=config.clock,
        tracker=LoginTracker(target, PREFIXES, digest_of=RedisStorage.digest_of) if target is not None else None,
    )
    storage.events = events
    coordinator = RedisRefreshCoordinator(
        client,
        derive_sealer(config.session_keys, "handoff"),
        lock_timeout=config.refresh_lock_timeout,
        longest_refresh=longest_refresh(config.http_timeout),
        handoff_ttl=HANDOFF_TTL,
        durable=storage.durable,
    )
    return storage, coordinator
