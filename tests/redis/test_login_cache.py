"""The logins a worker keeps from Redis: used only while Redis reports every change to them."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.redis_storage import RedisStorage
from aiohttp_eid.session.redis_tracking import RETRY_AFTER
from tests.support.harness import Harness, HarnessFactory
from tests.support.redis_logins import cookie_header, reads, records, status_with, until_cached
from tests.support.redis_servers import RedisServer


async def cached_login(harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis) -> tuple[Harness, str]:
    """A logged-in app on Redis storage serving the login from its cache; the session's Cookie header."""
    harness = await harness_factory(storage=redis_server.url)
    await harness.login()
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, RedisStorage)
    assert storage.tracker is not None
    header = cookie_header(harness)
    await until_cached(harness, redis, header)
    return harness, header


async def test_a_logged_in_request_reads_redis_once_then_not_again(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, header = await cached_login(harness_factory, redis_server, redis)
    before = await reads(redis)
    for _ in range(20):
        assert await status_with(harness, header) == 200
    assert await reads(redis) == before


async def test_a_record_deleted_by_another_process_ends_the_cached_login_at_once(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, header = await cached_login(harness_factory, redis_server, redis)
    [record] = await records(redis, "s")
    await redis.delete(record)  # as another worker's logout does
    assert await status_with(harness, header) == 401


async def test_new_tokens_written_elsewhere_replace_the_cached_ones(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, header = await cached_login(harness_factory, redis_server, redis)
    [tokens] = await records(redis, "t")
    await redis.delete(tokens)  # the record stays, its tokens are gone: the cached login must not be used
    before = await reads(redis)
    assert await status_with(harness, header) == 200
    assert await reads(redis) == before + 1


async def test_without_tracking_every_request_reads_redis_and_tracking_comes_back(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, header = await cached_login(harness_factory, redis_server, redis)
    killed = await redis.client_kill_filter(_type="pubsub")
    assert killed >= 1
    # changes made while the tracking connection is down are not reported: they must still count
    [record] = await records(redis, "s")
    sealed = await redis.get(record)
    assert sealed is not None
    await redis.delete(record)
    assert await status_with(harness, header) == 401
    await redis.set(record, sealed)
    await asyncio.sleep(RETRY_AFTER)
    await until_cached(harness, redis, header)  # tracking is back by itself


async def test_flushing_redis_forgets_every_cached_login(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, header = await cached_login(harness_factory, redis_server, redis)
    await redis.flushdb()
    assert await status_with(harness, header) == 401
