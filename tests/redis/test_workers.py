"""Two application worker processes on one Redis: shared logins, one refresh, dead holders, Redis restarts.

The workers are real subprocesses (pytest-aiohttp's servers live in the test's own
event loop); the EIDG emulator runs in the test process, on 127.0.0.1 like the rest.
Its access tokens live 6 seconds, so a refresh is due 4 seconds after login
(the 30 s leeway is capped at a third of the lifetime).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from yarl import URL

from aiohttp_eid.testing import EidgEmulator, Fault
from tests.redis.servers import RedisServer, Worker

SECRET = "worker-test-secret"
LIFETIME = 6
DUE_AFTER = 4.3


@pytest.fixture(scope="module")
def persistent_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis-aof"), appendonly=True)
    server.start()
    yield server
    server.stop()


class Cluster:
    """Application workers sharing one store, their provider and a browser."""

    def __init__(self, redis: RedisServer | Any, emulator: EidgEmulator, workers: list[Worker]) -> None:
        self.redis = redis
        self.emulator = emulator
        self.workers = workers
        self.browser = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.provider = aiohttp.ClientSession()

    async def login(self, worker: int = 0) -> None:
        origin = self.workers[worker].origin
        async with self.browser.get(f"{origin}/auth/eidg/login?next=/me", allow_redirects=False) as resp:
            authorize = resp.headers["Location"]
        async with self.provider.get(authorize, allow_redirects=False) as resp:
            callback = URL(resp.headers["Location"])
        async with self.browser.get(f"{self.workers[0].origin}{callback.path_qs}", allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()

    async def get(self, worker: int, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        async with self.browser.get(f"{self.workers[worker].origin}{path}", headers=headers, **kwargs) as resp:
            return resp.status, await resp.json() if resp.content_type == "application/json" else await resp.text()


async def start_workers(redis: RedisServer | Any, url: str, count: int = 2) -> Cluster:
    """``count`` workers on the storage ``url`` and an EIDG emulator whose redirect URI names the first."""
    workers = [Worker(redis_url=url, eidg_base="", client_secret=SECRET, redirect_port=0)]
    first_port = workers[0].port
    emulator = EidgEmulator(
        client_secret=SECRET,
        redirect_uris=[f"http://127.0.0.1:{first_port}/auth/eidg/callback"],
        auto_approve="ada",
        token_lifetime=LIFETIME,
        access_token_jwt_lifetime=LIFETIME,
        rotate_refresh_tokens=True,
    )
    base = await emulator.start()
    workers = [
        Worker(redis_url=url, eidg_base=base, client_secret=SECRET, redirect_port=first_port) for _ in range(count)
    ]
    workers[0].port = first_port
    workers[0].args[workers[0].args.index("--port") + 1] = str(first_port)
    for worker in workers:
        worker.start()
    return Cluster(redis, emulator, workers)


async def stop_workers(cluster: Cluster) -> None:
    await cluster.browser.close()
    await cluster.provider.close()
    for worker in cluster.workers:
        worker.stop()
    await cluster.emulator.close()


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


async def refresh_storm(cluster: Cluster) -> None:
    """200 requests over both workers when the login's tokens are due: one refresh, no replay."""
    await cluster.login()
    await asyncio.sleep(DUE_AFTER)
    connector = aiohttp.TCPConnector(limit=0)
    cookies = {c.key: c.value for c in cluster.browser.cookie_jar}
    async with aiohttp.ClientSession(connector=connector, cookies=cookies) as storm:

        async def one(i: int) -> tuple[int, str]:
            url = f"{cluster.workers[i % 2].origin}/token"
            async with storm.get(url, headers={"Accept": "application/json"}) as resp:
                return resp.status, (await resp.json())["access_token"] if resp.status == 200 else ""

        started = time.monotonic()
        results = await asyncio.gather(*(one(i) for i in range(200)))
        elapsed = time.monotonic() - started
    statuses = [status for status, _ in results]
    print(
        f"\nstorm: {len(results)} requests, {statuses.count(200)} ok, "
        f"{cluster.emulator.counters['token.refresh_token']} refresh(es), "
        f"{cluster.emulator.counters['token.refresh_replay']} replay(s), {elapsed:.2f} s"
    )
    assert statuses == [200] * 200
    assert len({token for _, token in results}) == 1
    assert cluster.emulator.counters["token.refresh_token"] == 1
    assert cluster.emulator.counters["token.refresh_replay"] == 0


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
