"""Redis Cluster: three primaries of the suite's own, two application workers on them.

One session's keys share a slot; a login works across workers; a storm of requests at
expiry makes one refresh (the lock and the hand-off on Cluster); logout_everywhere ends
every session of a person although their records live in different slots.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from redis import Redis
from redis.asyncio.cluster import RedisCluster

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.redis_keys import handoff_key, lock_key, record_key, subject_key, tokens_key
from aiohttp_eid.session.redis_storage import RedisStorage
from tests.redis.topology import Cluster as RedisClusterProcesses
from tests.support.harness import HTML, JSON, HarnessFactory
from tests.support.redis_workers import Cluster, refresh_storm, start_workers, stop_workers


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterProcesses]:
    topology = RedisClusterProcesses(Path(tmp_path_factory.mktemp("cluster")))
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()


@pytest_asyncio.fixture
async def workers(redis_cluster: RedisClusterProcesses) -> AsyncIterator[Cluster]:
    for node in redis_cluster.nodes:
        with Redis(port=node.port) as client:
            client.flushall()
    deployment = await start_workers(redis_cluster, redis_cluster.url)
    yield deployment
    await stop_workers(deployment)


async def test_one_sessions_keys_share_a_slot_and_a_person_index_has_its_own(
    redis_cluster: RedisClusterProcesses,
) -> None:
    client = RedisCluster(host="127.0.0.1", port=redis_cluster.nodes[0].port)
    try:
        slots = {await client.cluster_keyslot(key) for key in (record_key("d" * 64), tokens_key("d" * 64))}
        assert len(slots) == 1
        assert await client.cluster_keyslot(lock_key("r")) == await client.cluster_keyslot(handoff_key("r"))
        people = {await client.cluster_keyslot(subject_key("eidg", f"subject-{i}")) for i in range(20)}
        assert len(people) > 1  # spread over the cluster, not pinned to one node
    finally:
        await client.aclose()


async def test_a_login_on_one_worker_is_valid_on_the_other(workers: Cluster) -> None:
    await workers.login(worker=0)
    status, body = await workers.get(1, "/me")
    assert status == 200
    assert body["subject"] == "LVLDAA85T50G702B"


async def test_a_storm_at_expiry_makes_one_refresh_on_cluster(
    workers: Cluster, redis_cluster: RedisClusterProcesses
) -> None:
    await refresh_storm(workers)
    for node in redis_cluster.nodes:  # the holder released its lock (the release script runs on Cluster)
        with Redis(port=node.port) as client:
            assert client.keys("eid:l:*") == []


async def test_in_process_the_login_cache_is_off_with_one_warning_and_logout_counts(
    harness_factory: HarnessFactory, redis_cluster: RedisClusterProcesses, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="aiohttp_eid"):
        harness = await harness_factory(storage=redis_cluster.url)
    assert [r.message for r in caplog.records if "login cache is off" in r.message] == [
        "Redis Cluster: the login cache is off; every request reads its session from Redis"
    ]
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, RedisStorage)
    assert storage.tracker is None
    await harness.login()
    assert (await harness.get_json("/me", headers=JSON))[0] == 200
    assert (await harness.client.post("/auth/logout", headers={**HTML, "Origin": harness.origin})).status == 200
    assert (await harness.get_json("/me", headers=JSON))[0] == 401


async def test_logout_everywhere_ends_sessions_in_every_slot(workers: Cluster) -> None:
    await workers.login(worker=0)
    laptop = {c.key: c.value for c in workers.browser.cookie_jar}
    phones = []
    for _ in range(3):
        workers.browser.cookie_jar.clear()
        await workers.login(worker=0)
        phones.append({c.key: c.value for c in workers.browser.cookie_jar})
    origin = workers.workers[1].origin
    async with aiohttp.ClientSession(cookies=laptop) as browser:
        async with browser.post(f"{origin}/everywhere", headers={"Origin": origin, "Accept": "application/json"}) as r:
            assert r.status == 200
            assert (await r.json())["ended"] == 4
        async with browser.get(f"{origin}/me", headers={"Accept": "application/json"}) as r:
            assert r.status == 401
    for phone in phones:
        async with aiohttp.ClientSession(cookies=phone) as browser:
            for worker in workers.workers:
                async with browser.get(f"{worker.origin}/me", headers={"Accept": "application/json"}) as r:
                    assert r.status == 401
