"""A logout (or logout_everywhere) racing requests in flight: no session ever comes back.

Each race starts from its own logged-in session, copied from one real login through the
storage's own login write (a new id, listed under the person), so hundreds of races fit
in a few seconds against a real redis-server.
"""

from __future__ import annotations

import asyncio
import random
from typing import cast

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from aiohttp_session import Session, SessionData
from multidict import CIMultiDict
from redis.asyncio import Redis

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.redis_keys import record_key, session_digest, subject_key, tokens_key
from aiohttp_eid.session.redis_storage import RedisStorage
from tests.support.harness import HTML, JSON, Harness, HarnessFactory
from tests.support.redis_servers import RedisServer

RACES = 100  # of each kind: logout, logout_everywhere


def storage_of(harness: Harness) -> RedisStorage:
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, RedisStorage)
    return storage


def request_with(harness: Harness, cookie: str | None) -> web.Request:
    headers = CIMultiDict({"Cookie": f"eid_session={cookie}"} if cookie else {})
    return make_mocked_request("GET", "/", headers=headers, app=harness.app)


async def copy_login(harness: Harness, data: dict[str, object]) -> str:
    """A new logged-in session holding ``data`` (a login's session), written as a login is; its cookie."""
    response = web.Response()
    session = Session(None, data=cast(SessionData, data), new=True)
    await storage_of(harness).save_session(request_with(harness, None), response, session)
    return response.cookies["eid_session"].value


async def status_of(harness: Harness, cookie: str) -> int:
    async with harness.browser.get(f"{harness.origin}/me", headers={"Cookie": f"eid_session={cookie}", **JSON}) as r:
        return r.status


async def logged_in(harness_factory: HarnessFactory, redis_server: RedisServer) -> tuple[Harness, dict[str, object]]:
    """An app on Redis after one real login; that login's session data, to copy."""
    harness = await harness_factory(storage=redis_server.url)
    assert (await harness.login()).status == 302
    cookie = next(c.value for c in harness.client.session.cookie_jar if c.key == "eid_session")
    session = await storage_of(harness).load_session(request_with(harness, cookie))
    assert not session.new
    return harness, {"created": session.created, "session": dict(session)}


async def gone(redis: Redis, cookie: str) -> bool:
    digest = session_digest(cookie)
    return int(await redis.exists(record_key(digest), tokens_key(digest))) == 0


async def test_requests_in_flight_never_bring_back_a_logged_out_session(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, original = await logged_in(harness_factory, redis_server)
    storage = storage_of(harness)
    rng = random.Random(11)
    for race in range(RACES):
        cookie = await copy_login(harness, original)
        request = request_with(harness, cookie)
        in_flight = await storage.load_session(request)  # loaded before the logout...
        in_flight["app_data"] = race
        logout = storage.save_session(request_with(harness, cookie), web.Response(), Session(None, data={}, new=False))
        late_write = storage.save_session(request, web.Response(), in_flight)
        if race % 2:
            await logout  # ...and written back after it
            await late_write
        else:
            await asyncio.gather(*([logout, late_write] if rng.random() < 0.5 else [late_write, logout]))
        assert await gone(redis, cookie), f"race {race}: the session came back"
        assert await status_of(harness, cookie) == 401


async def test_requests_in_flight_never_bring_back_sessions_ended_everywhere(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, original = await logged_in(harness_factory, redis_server)
    storage = storage_of(harness)
    login = await storage.load_login(request_with(harness, await copy_login(harness, original)))
    assert login is not None
    index = subject_key(login.provider, login.identity.subject)
    for race in range(RACES):
        laptop, phone = await copy_login(harness, original), await copy_login(harness, original)
        request = request_with(harness, laptop)
        in_flight = await storage.load_session(request)
        in_flight["app_data"] = race
        ended = await storage.end_sessions_of(login.provider, login.identity.subject)
        assert ended >= 2
        await storage.save_session(request, web.Response(), in_flight)
        assert await gone(redis, laptop), f"race {race}: a session came back"
        assert await gone(redis, phone)
        assert session_digest(laptop).encode() not in await redis.smembers(index)
        assert await status_of(harness, laptop) == 401


async def test_a_stolen_cookie_hammering_login_stays_logged_out_after_the_victims_logout(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness, original = await logged_in(harness_factory, redis_server)
    for race in range(10):
        stolen = await copy_login(harness, original)
        stop = asyncio.Event()

        async def hammer(stolen: str = stolen, stop: asyncio.Event = stop) -> int:
            sent = 0
            while not stop.is_set():
                async with harness.browser.get(
                    f"{harness.origin}/auth/eidg/login?next=/me",
                    headers={"Cookie": f"eid_session={stolen}", **HTML},
                    allow_redirects=False,
                ) as resp:
                    assert resp.status in (302, 303), resp.status
                sent += 1
            return sent

        attackers = [asyncio.create_task(hammer()) for _ in range(8)]
        await asyncio.sleep(0.02)
        async with harness.browser.post(
            f"{harness.origin}/auth/logout",
            headers={"Cookie": f"eid_session={stolen}", "Origin": harness.origin, **HTML},
            allow_redirects=False,
        ) as resp:
            assert resp.status == 302
        await asyncio.sleep(0.02)  # requests in flight when the logout landed finish meanwhile
        stop.set()
        assert sum(await asyncio.gather(*attackers)) > 8
        assert await gone(redis, stolen), f"race {race}: the stolen session came back"
        assert await status_of(harness, stolen) == 401
