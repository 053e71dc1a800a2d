"""Two application worker processes on one Redis: shared logins, one refresh, dead holders, Redis restarts.

The workers are real subprocesses (pytest-aiohttp's servers live in the test's own
event loop); the EIDG emulator runs in the test process, on 127.0.0.1 like the rest.
Its access tokens live 6 seconds, so a refresh is due 4 seconds after login
(the 30 s leeway is capped at a third of the lifetime).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import pytest_asyncio

from aiohttp_eid.testing import Fault
from tests.support.redis_servers import RedisServer
from tests.support.redis_workers import DUE_AFTER, Cluster, refresh_storm, start_workers, stop_workers


@pytest.fixture(scope="module")
def persistent_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis-aof"), appendonly=True)
    server.start()
    yield server
    server.stop()


@pytest_asyncio.fixture
async def cluster(persistent_redis: RedisServer) -> AsyncIterator[Cluster]:
    from redis.asyncio import Redis

    client = Redis.from_url(persistent_redis.url)
    await client.flushdb()
    await client.aclose()
    cluster = await start_workers(persistent_redis, persistent_redis.url)
    yield cluster
    await stop_workers(cluster)


async def test_a_login_made_on_one_worker_is_valid_on_the_other(cluster: Cluster) -> None:
    await cluster.login(worker=0)
    status, body = await cluster.get(1, "/me")
    assert status == 200
    assert body["subject"] == "LVLDAA85T50G702B"


async def test_storm_of_200_requests_over_both_workers_at_expiry_makes_one_refresh(cluster: Cluster) -> None:
    await refresh_storm(cluster)


async def test_the_refresh_holder_killed_mid_refresh_does_not_lock_the_login_out(cluster: Cluster) -> None:
    cluster.emulator.rotate_refresh_tokens = False  # a killed holder must not have rotated anything
    await cluster.login()
    await asyncio.sleep(DUE_AFTER)
    cluster.emulator.faults["token"] = Fault(delay=5.0)  # the holder's refresh hangs at the provider
    holder = asyncio.ensure_future(cluster.get(0, "/token"))
    await asyncio.sleep(0.8)  # worker 0 holds the lock now
    cluster.workers[0].kill()
    status, body = await cluster.get(1, "/token", timeout=aiohttp.ClientTimeout(total=20))
    assert status == 200
    assert body["access_token"]
    with pytest.raises(aiohttp.ClientError):
        await holder
    assert cluster.emulator.counters["token.refresh_token"] == 2  # the dead holder's and the taker's


async def test_redis_stopped_and_restarted_mid_run(cluster: Cluster) -> None:
    await cluster.login()
    cluster.redis.stop()
    status, body = await cluster.get(1, "/me")
    assert status == 503
    assert body["error"] == "session_store_unavailable"
    async with aiohttp.ClientSession() as anonymous, anonymous.get(f"{cluster.workers[0].origin}/") as resp:
        assert resp.status == 200  # no session, no Redis needed
    cluster.redis.start()
    for _ in range(50):  # the workers reconnect by themselves
        status, body = await cluster.get(1, "/me")
        if status == 200:
            break
        await asyncio.sleep(0.1)
    assert status == 200
    assert body["subject"] == "LVLDAA85T50G702B"


async def test_logout_on_one_worker_is_seen_by_the_other(cluster: Cluster) -> None:
    await cluster.login()
    copied = "; ".join(f"{c.key}={c.value}" for c in cluster.browser.cookie_jar)
    for _ in range(20):  # worker 1 now serves this login from its cache
        assert (await cluster.get(1, "/me"))[0] == 200
    headers = {"Origin": cluster.workers[0].origin, "Accept": "text/html"}
    async with cluster.browser.post(
        f"{cluster.workers[0].origin}/auth/logout", headers=headers, allow_redirects=False
    ) as resp:
        assert resp.status == 302
    assert (await cluster.get(1, "/me"))[0] == 401
    # a copy of the cookie taken before the logout is refused by worker 1 at once, too
    async with cluster.provider.get(
        f"{cluster.workers[1].origin}/me", headers={"Cookie": copied, "Accept": "application/json"}
    ) as resp:
        assert resp.status == 401
