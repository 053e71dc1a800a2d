"""Redis Sentinel: the primary killed by its PID while users are logged in and a refresh runs.

Four users keep requesting a protected page and a fifth user's refresh is at the
provider when the primary dies. The sentinels promote the replica; redis-py's own
Sentinel client follows. Nobody is logged out, nothing answers 500, requests during
the switch get 503 at worst, and the refresh is neither lost nor replayed.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.redis_keys import record_key, session_digest
from aiohttp_eid.session.redis_storage import RedisStorage
from aiohttp_eid.testing import Fault
from tests.redis.topology import Sentinels
from tests.support.harness import JSON, Harness, HarnessFactory
from tests.support.redis_logins import status_with, until_cached

PROVIDER_DELAY = 4.0  # the refresh is at the provider longer than the switch takes
SETTLED = 20  # answers in a row that a user must get after the switch


@pytest.fixture
def sentinels(tmp_path: Path) -> Iterator[Sentinels]:
    topology = Sentinels(tmp_path)
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()


def cookie_of(harness: Harness) -> str:
    return next(c.value for c in harness.client.session.cookie_jar if c.key == "eid_session")


async def log_in(harness: Harness) -> str:
    harness.client.session.cookie_jar.clear()
    assert (await harness.login()).status == 302
    return cookie_of(harness)


async def get(harness: Harness, path: str, cookie: str) -> tuple[int, dict[str, str]]:
    headers = {"Cookie": f"eid_session={cookie}", **JSON}
    async with harness.browser.get(f"{harness.origin}{path}", headers=headers) as resp:
        return resp.status, await resp.json()


async def test_a_primary_killed_mid_stream_and_mid_refresh_logs_nobody_out(
    harness_factory: HarnessFactory, sentinels: Sentinels
) -> None:
    harness = await harness_factory(storage=sentinels.url, emulator={"rotate_refresh_tokens": True})
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, RedisStorage)
    refreshing = await log_in(harness)
    harness.clock.advance(100)
    users = [await log_in(harness) for _ in range(4)]
    harness.clock.advance(55)  # the first login's tokens are due for a refresh, the others' not
    answers: dict[int, list[tuple[float, int]]] = collections.defaultdict(list)
    killed_at = 0.0
    switched_at = 0.0

    async def stream(user: int) -> None:
        ok_in_a_row = 0
        while ok_in_a_row < SETTLED or not switched_at:
            status, body = await get(harness, "/me", users[user])
            answers[user].append((time.monotonic(), status))
            assert status in (200, 503), status
            if status == 503:
                assert body["error"] == "session_store_unavailable"
            ok_in_a_row = ok_in_a_row + 1 if status == 200 and killed_at else 0
            await asyncio.sleep(0.01)

    old_primary = sentinels.primary_address()
    harness.emulator.faults["token"] = Fault(delay=PROVIDER_DELAY)
    refresh = asyncio.ensure_future(get(harness, "/token", refreshing))
    streams = asyncio.gather(*(stream(user) for user in range(len(users))))
    await asyncio.sleep(0.5)  # the refresh holds its lock and waits for the provider
    sentinels.primary.kill()
    killed_at = time.monotonic()
    for _ in range(600):  # at most 30 s
        if sentinels.primary_address() != old_primary:
            break
        await asyncio.sleep(0.05)
    switched_at = time.monotonic()
    await asyncio.wait_for(streams, 60)
    status, body = await refresh
    assert status == 200, body
    fresh = body["access_token"]

    for user in users:
        assert (await get(harness, "/me", user))[0] == 200  # nobody logged out
    harness.clock.advance(40)  # past the in-process hand-off: the tokens come from the new primary
    assert await get(harness, "/token", refreshing) == (200, {"access_token": fresh})
    assert harness.emulator.counters["token.refresh_token"] == 1
    assert harness.emulator.counters["token.refresh_replay"] == 0
    # the login cache follows the new primary: served from memory again, and a logout there counts at once
    host, port = sentinels.primary_address()
    primary = Redis(host=host, port=port)
    try:
        header = f"eid_session={users[0]}"
        await until_cached(harness, primary, header)
        assert await primary.delete(record_key(session_digest(users[0]))) == 1  # a logout on another worker
        assert await status_with(harness, header) == 401
    finally:
        await primary.aclose()
    # the figures docs/deployment.md quotes (pytest -s prints them)
    during = [(t, s) for user in answers.values() for t, s in user if t >= killed_at]
    failed = [t for t, s in during if s != 200]
    recovered = max(t for t, s in during if s != 200) if failed else killed_at
    print(
        f"\nfailover: sentinels switched {switched_at - killed_at:.2f} s after the kill; "
        f"{len(failed)} of {len(during)} requests after the kill got 503 "
        f"(statuses {dict(collections.Counter(s for _, s in during))}), "
        f"all 200 again {recovered - killed_at:.2f} s after the kill; users logged out: 0"
    )
