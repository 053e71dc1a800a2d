"""(7) One refresh across processes when a refresh outlasts the lock's lease, and when the hand-off fails.

Two applications (each with its own Redis connections, refresher and lock holder, as two workers
have) share one Redis and one OpenID provider that rotates refresh tokens. A refresh there is a
discovery GET (the cached document is due) and the token POST: each call within ``http_timeout``
(1 s), together longer than it and than the lock's 1 s lease. The provider counts every refresh and
every replay of a rotated refresh token; a replay would end the login (RFC 9700 4.14.2).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.testing import Fault
from tests.support.app import build_app
from tests.support.harness import JSON, Harness
from tests.support.providers import ProviderFactory
from tests.support.redis_servers import RedisServer

DISCOVERY_TTL = 3600  # the discovery document is fetched again after an hour (oidc/discovery.py)
SLOW = 0.7  # each provider call: under http_timeout, two of them over it


class Workers:
    def __init__(self, harness: Harness, second: str, cookie: str) -> None:
        self.harness = harness
        self.origins = [harness.origin, second]
        self.cookie = cookie
        self.client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    async def token(self, worker: int) -> tuple[int, Any]:
        headers = {"Cookie": self.cookie, **JSON}
        async with self.client.get(f"{self.origins[worker]}/token", headers=headers) as resp:
            return resp.status, await resp.json()

    @property
    def counters(self) -> Any:
        return self.harness.emulator.counters


@pytest_asyncio.fixture
async def workers(
    oidc_factory: ProviderFactory, redis_server: RedisServer, redis: Redis, unused_tcp_port_factory: Any
) -> AsyncIterator[Workers]:
    harness = await oidc_factory(
        emulator={"rotate_refresh_tokens": True},
        storage=redis_server.url,
        http_timeout=1.0,
        refresh_lock_timeout=1.0,
        idle_timeout=None,
    )
    # the second worker: the same configuration, its own runtime (Redis clients, refresher, lock holder)
    second = TestServer(build_app(harness.app[RUNTIME].config), host="127.0.0.1", port=unused_tcp_port_factory())
    await second.start_server()
    assert (await harness.login(provider="op")).status == 302
    cookie = "; ".join(f"{c.key}={c.value}" for c in harness.client.session.cookie_jar)
    pair = Workers(harness, f"http://127.0.0.1:{second.port}", cookie)
    assert (await pair.token(0))[0] == 200
    yield pair
    await pair.client.close()
    await second.close()


def slow_provider(workers: Workers) -> None:
    workers.harness.clock.advance(DISCOVERY_TTL + 1)  # the access token and the discovery document are due
    workers.harness.emulator.faults.update(
        {"discovery": Fault(delay=SLOW, times=-1), "token": Fault(delay=SLOW, times=-1)}
    )


async def test_a_refresh_longer_than_the_lease_is_still_made_once_across_workers(workers: Workers) -> None:
    slow_provider(workers)
    first = asyncio.ensure_future(workers.token(0))
    await asyncio.sleep(0.3)  # worker 0 holds the lock and waits for discovery
    second = asyncio.ensure_future(workers.token(1))
    (status0, body0), (status1, body1) = await asyncio.gather(first, second)
    assert (status0, status1) == (200, 200), (body0, body1)
    assert body0["access_token"] == body1["access_token"]
    assert workers.counters["token.refresh_token"] == 1
    assert workers.counters["token.refresh_replay"] == 0


@pytest_asyncio.fixture
async def handoff_refused(redis: Redis) -> AsyncIterator[None]:
    """Redis refuses writes of hand-off records for real: an ACL makes eid:h:* read-only."""
    await redis.execute_command(  # type: ignore[no-untyped-call]
        "ACL", "SETUSER", "default", "resetkeys", "~eid:s:*", "~eid:t:*", "~eid:u:*", "~eid:l:*", "%R~eid:h:*"
    )
    try:
        yield
    finally:
        await redis.execute_command("ACL", "SETUSER", "default", "allkeys")  # type: ignore[no-untyped-call]


@pytest.mark.usefixtures("handoff_refused")
async def test_a_refused_hand_off_keeps_the_new_tokens_and_says_so(
    workers: Workers, caplog: pytest.LogCaptureFixture
) -> None:
    slow_provider(workers)
    status, body = await workers.token(0)
    assert status == 200
    new = body["access_token"]
    assert workers.counters["token.refresh_token"] == 1
    workers.harness.clock.advance(10)  # past any failure backoff
    for worker in (0, 1):  # both workers now use the new tokens, stored with the session
        status, body = await workers.token(worker)
        assert (status, body["access_token"]) == (200, new)
    assert workers.counters["token.refresh_token"] == 1
    assert workers.counters["token.refresh_replay"] == 0
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("hand-off to other workers could not be written" in m for m in messages)
    assert not any("refresh failed" in m for m in messages)  # the provider is not blamed


async def test_a_lock_taken_just_after_another_worker_handed_off_does_not_refresh_again(
    redis_server: RedisServer, redis: Redis
) -> None:
    """The window between looking for a hand-off and taking the lock: the other worker finishes in it.

    Timing alone opens it only under load (the storm test failed so, once); here worker B's first look
    is followed, before B takes the lock, by worker A's whole refresh, hand-off and release.
    """
    import time

    from aiohttp_eid.oidc.tokens import TokenSet
    from aiohttp_eid.session.crypto import derive_sealer
    from aiohttp_eid.session.redis_refresh import RedisRefreshCoordinator

    calls: list[str] = []

    def refresher(worker: str) -> Any:
        async def refresh() -> TokenSet:
            calls.append(worker)
            now = time.time()
            return TokenSet(access_token=f"new-{worker}", refresh_token="r2", obtained_at=now, expires_at=now + 60)

        return refresh

    sealer = derive_sealer([b"k" * 32], "handoff")
    clients = [Redis.from_url(redis_server.url) for _ in range(2)]
    worker_a = RedisRefreshCoordinator(clients[0], sealer, lock_timeout=1.0, longest_refresh=3.0, handoff_ttl=30.0)

    class WorkerB(RedisRefreshCoordinator):
        looked = False

        async def handed_off(self, key: str) -> TokenSet | None:
            found = await super().handed_off(key)
            if not self.looked:
                self.looked = True
                await worker_a.run(key, refresher("a"))  # A refreshes, hands off and lets go right now
            return found

    worker_b = WorkerB(clients[1], sealer, lock_timeout=1.0, longest_refresh=3.0, handoff_ttl=30.0)
    tokens = await worker_b.run("k" * 64, refresher("b"))
    assert tokens.access_token == "new-a"
    assert calls == ["a"]
    for client in clients:
        await client.aclose()
