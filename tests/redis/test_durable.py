"""Writes confirmed by a replica (WAIT): a primary with one replica, real processes."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from aiohttp_eid.session.redis_durable import Durable, ReplicaUnconfirmedError
from tests.support.redis_servers import RedisServer, until_replicating


class Pair:
    def __init__(self, directory: Path) -> None:
        (directory / "p").mkdir()
        (directory / "r").mkdir()
        self.primary = RedisServer(directory / "p")
        self.replica = RedisServer(directory / "r", extra=("--replicaof", "127.0.0.1", str(self.primary.port)))

    def start(self) -> None:
        self.primary.start()
        self.replica.start()
        until_replicating(self.replica.port)

    def stop(self) -> None:
        self.replica.stop()
        self.primary.stop()


@pytest_asyncio.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[Pair, Redis]]:
    servers = Pair(tmp_path)
    servers.start()
    client = Redis(port=servers.primary.port)
    # the replica says its link is up a moment before the primary counts it online (its first ACK):
    # until then a write rightly proceeds unconfirmed, which is not what these tests are about
    for _ in range(300):
        info = await client.info("replication")
        if any(isinstance(v, dict) and v.get("state") == "online" for v in info.values()):
            break
        await asyncio.sleep(0.05)
    yield servers, client
    await client.aclose()
    servers.stop()


async def test_a_write_is_confirmed_by_the_replica_and_fails_when_it_cannot_confirm(
    pair: tuple[Pair, Redis],
) -> None:
    servers, client = pair
    durable = Durable(client, wait_ms=300)
    assert await durable.run("eid:s:{a}", ("SET", "eid:s:{a}", "1"), ("GET", "eid:s:{a}")) == [True, b"1"]
    assert servers.replica.process is not None
    servers.replica.process.send_signal(signal.SIGSTOP)  # connected, but it confirms nothing
    try:
        with pytest.raises(ReplicaUnconfirmedError):
            await durable.run("eid:s:{a}", ("SET", "eid:s:{a}", "2"))
    finally:
        servers.replica.process.send_signal(signal.SIGCONT)


async def test_with_no_replica_connected_writes_proceed_with_one_warning(
    pair: tuple[Pair, Redis], caplog: pytest.LogCaptureFixture
) -> None:
    servers, client = pair
    durable = Durable(client, wait_ms=300)
    await durable.run("eid:s:{a}", ("SET", "eid:s:{a}", "1"))
    servers.replica.kill()  # as after the failover of a primary that had one replica
    with caplog.at_level(logging.WARNING, logger="aiohttp_eid.session"):
        for value in range(3):
            assert await durable.run("eid:s:{a}", ("SET", "eid:s:{a}", str(value))) == [True]
    assert [r.message for r in caplog.records].count(
        "Redis has no replica connected: session writes are not confirmed by a replica"
    ) == 1
    assert await client.get("eid:s:{a}") == b"2"
