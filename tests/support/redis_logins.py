"""A login kept in Redis, seen from outside: its records, its Cookie header, and its cache."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from tests.support.harness import JSON, Harness


async def records(redis: Redis, kind: str) -> list[bytes]:
    return [k if isinstance(k, bytes) else k.encode() for k in await redis.keys(f"eid:{kind}:*")]


async def reads(redis: Redis) -> int:
    """How many MGETs (session reads) Redis has served."""
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_mget", {}).get("calls", 0))


def cookie_header(harness: Harness) -> str:
    return "; ".join(f"{c.key}={c.value}" for c in harness.client.session.cookie_jar)


async def status_with(harness: Harness, header: str) -> int:
    """/me with exactly this Cookie header (a copied cookie), not the client's jar."""
    async with harness.browser.get(f"{harness.origin}/me", headers={"Cookie": header, **JSON}) as resp:
        return resp.status


async def until_cached(harness: Harness, redis: Redis, header: str) -> None:
    """Wait until the worker serves this session without reading Redis (tracking is on)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        before = await reads(redis)
        assert await status_with(harness, header) == 200
        assert await status_with(harness, header) == 200
        if await reads(redis) == before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the login was never served from the cache")
