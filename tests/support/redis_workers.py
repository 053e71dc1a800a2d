"""Application worker processes sharing one store, their EIDG emulator and a browser."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from yarl import URL

from aiohttp_eid.testing import EidgEmulator
from tests.support.redis_servers import RedisServer, Worker

SECRET = "worker-test-secret"
LIFETIME = 6
DUE_AFTER = 4.3


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
