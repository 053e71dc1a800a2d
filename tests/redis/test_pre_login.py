"""(1)+(4) Pre-login records: an anonymous hit on a protected page starts a login, stored in Redis.

A client that never logs in must not leave records for the session's lifetime (hours): a record that
holds nothing but pending logins expires with them (transaction.TTL, 600 s). A login, or the
application's own data, keeps the session's usual lifetime.
"""

from __future__ import annotations

import aiohttp
from redis.asyncio import Redis
from yarl import URL

from aiohttp_eid.session.transaction import TTL
from tests.support.harness import HTML, Harness, HarnessFactory
from tests.support.redis_logins import records
from tests.support.redis_servers import RedisServer

MAX_AGE = 4 * 3600
PENDING_MS = int(TTL * 1000)


async def redis_harness(harness_factory: HarnessFactory, redis_server: RedisServer) -> Harness:
    return await harness_factory(storage=redis_server.url, max_age=MAX_AGE, idle_timeout=None)


async def lifetimes(redis: Redis) -> list[int]:
    """The remaining lifetime (ms) of every session record."""
    return [await redis.pttl(key) for key in await records(redis, "s")]


async def test_a_bot_hitting_a_protected_page_leaves_only_records_that_expire_with_their_pending_login(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await redis_harness(harness_factory, redis_server)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as bot:  # never sends a cookie back
        for i in range(12):
            async with bot.get(f"{harness.origin}/me?i={i}", headers=HTML, allow_redirects=False) as resp:
                assert resp.status == 302
                assert URL(resp.headers["Location"]).path == "/oauth2/authorize"
    remaining = await lifetimes(redis)
    assert len(remaining) == 12
    assert all(0 < ms <= PENDING_MS for ms in remaining), remaining


async def test_a_browser_starting_logins_again_keeps_one_short_lived_record(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await redis_harness(harness_factory, redis_server)
    for _ in range(3):
        resp = await harness.client.get("/me", headers=HTML, allow_redirects=False)
        assert resp.status == 302
    [remaining] = await lifetimes(redis)
    assert 0 < remaining <= PENDING_MS


async def test_a_logged_in_session_keeps_its_lifetime_even_while_a_step_up_is_pending(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await redis_harness(harness_factory, redis_server)
    assert (await harness.login()).status == 302
    [remaining] = await lifetimes(redis)
    assert PENDING_MS < remaining <= MAX_AGE * 1000
    resp = await harness.client.get("/high", headers=HTML, allow_redirects=False)  # a step-up login starts
    assert URL(resp.headers["Location"]).path == "/oauth2/authorize"
    [remaining] = await lifetimes(redis)
    assert PENDING_MS < remaining <= MAX_AGE * 1000


async def test_an_anonymous_session_with_application_data_keeps_the_session_lifetime(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await redis_harness(harness_factory, redis_server)
    assert (await harness.client.get("/app-data")).status == 200
    resp = await harness.client.get("/me", headers=HTML, allow_redirects=False)  # a login starts beside the data
    assert URL(resp.headers["Location"]).path == "/oauth2/authorize"
    [remaining] = await lifetimes(redis)
    assert PENDING_MS < remaining <= MAX_AGE * 1000
