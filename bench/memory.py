"""Resident memory of a worker serving many logged-in sessions, on Redis and on cookie storage.

The sessions are made here with the application's own key (the same derivation), written
straight into Redis or sealed into cookies: 10,000 logins through the emulator would
measure the emulator. The worker then serves one request of each, twice over.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time

import aiohttp
from aiohttp_session import Session

from aiohttp_eid import Assurance, Identity
from aiohttp_eid.config import EidConfig
from aiohttp_eid.oidc.tokens import TokenSet
from aiohttp_eid.providers.provider_config import EidgConfig
from aiohttp_eid.session.cookie_storage import ChunkedCookieStorage
from aiohttp_eid.session.crypto import derive_sealer
from aiohttp_eid.session.login_record import StoredLogin, write_login

from .app import SESSION_KEY
from .processes import free_port, rss_kib, server


def _login(i: int) -> StoredLogin:
    now = time.time()
    identity = Identity(
        provider="eidg",
        subject=f"TESTCODE{i:08d}",
        assurance=Assurance.SUBSTANTIAL,
        given_name="Test",
        family_name=f"User {i}",
        email=f"user{i}@example.org",
    )
    tokens = TokenSet(access_token="a" * 900, refresh_token="r" * 500, obtained_at=now, expires_at=now + 86400)
    return StoredLogin(provider="eidg", identity=identity, tokens=tokens, logged_in_at=now, seen_at=now)


def _keys() -> tuple[bytes, ...]:
    config = EidConfig(
        providers=[
            EidgConfig(
                name="eidg",
                base_url="http://127.0.0.1:1/oauth2",
                client_id="c",
                client_secret="s",
                redirect_uri="http://127.0.0.1:1/auth/eidg/callback",
            )
        ],
        session_key=SESSION_KEY,
    )
    return config.session_keys


async def _redis_cookies(redis_url: str, count: int) -> list[str]:
    # imported here: the redis package is optional (aiohttp-eid[redis]), and only this measure needs it
    from redis.asyncio import Redis

    from aiohttp_eid.session.redis_storage import RedisStorage

    client = Redis.from_url(redis_url)
    storage = RedisStorage(
        client,
        derive_sealer(_keys(), "redis"),
        cookie_name="eid_session",
        secure=False,
        max_age=8 * 3600,
        idle_timeout=3600,
    )
    cookies = []
    for i in range(count):
        session_id = secrets.token_urlsafe(32)
        session = Session(None, data=None, new=True)
        write_login(session, _login(i))
        await storage._write(
            hashlib.sha256(session_id.encode()).hexdigest(),
            {"created": int(time.time()), "session": dict(session)},
            update=False,
        )
        cookies.append(f"eid_session={session_id}")
    await client.aclose()
    return cookies


def _sealed_cookies(count: int) -> list[str]:
    storage = ChunkedCookieStorage(
        derive_sealer(_keys(), "cookie"), cookie_name="eid_session", secure=False, max_age=8 * 3600
    )
    cookies = []
    for i in range(count):
        session = Session(None, data=None, new=True)
        write_login(session, _login(i))
        values = storage.seal(session)
        cookies.append("; ".join(f"{n}={v}" for n, v in zip(storage.chunk_names, values, strict=False)))
    return cookies


async def _serve_all(origin: str, cookies: list[str]) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as client:
        semaphore = asyncio.Semaphore(32)

        async def one(cookie: str) -> None:
            async with semaphore, client.get(f"{origin}/", headers={"Cookie": cookie}) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"status {resp.status}")

        await asyncio.gather(*(one(c) for c in cookies))


def measure(variant: str, *, redis: str, count: int = 10_000) -> dict[str, int]:
    """RSS (KiB) of a ``variant`` ("redis" or "cookie") worker: idle, after ``count`` sessions, after twice."""
    cookies = asyncio.run(_redis_cookies(redis, count)) if variant == "redis" else _sealed_cookies(count)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with server("bench.app", "--variant", variant, "--redis", redis, "--port", str(port), port=port) as app:
        asyncio.run(_serve_all(origin, cookies[:10]))
        idle = rss_kib(app.pid)
        asyncio.run(_serve_all(origin, cookies))
        once = rss_kib(app.pid)
        asyncio.run(_serve_all(origin, cookies))
        twice = rss_kib(app.pid)
    return {"sessions": count, "idle_kib": idle, "after_one_pass_kib": once, "after_two_passes_kib": twice}
