"""Encrypted Redis sessions in one process: at rest, expiry, login/logout, tampering, Redis down."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict
from redis.asyncio import Redis

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.redis_storage import RedisStorage
from tests.support.harness import HTML, JSON, HarnessFactory
from tests.support.privacy import PERSONAL_VALUES, holds_jose
from tests.support.redis_logins import records
from tests.support.redis_servers import RedisServer


async def raw(redis: Redis, key: bytes | str) -> bytes:
    value = await redis.get(key)
    return value if isinstance(value, bytes) else b""


async def test_login_stores_an_encrypted_record_and_only_an_id_in_the_cookie(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=redis_server.url, max_age=3600, idle_timeout=None)
    await harness.start_login()
    [pre_login] = await records(redis, "s")
    assert (await harness.login()).status == 302
    [record] = await records(redis, "s")
    assert record != pre_login  # a new id at login; the pre-login record is gone
    cookie = next(c.value for c in harness.client.session.cookie_jar if c.key == "eid_session")
    assert 40 <= len(cookie) <= 64
    assert cookie.encode() not in record  # keys are digests of the cookie
    with_tokens = await raw(redis, record) + await raw(redis, record.replace(b":s:", b":t:"))
    assert with_tokens
    for value in PERSONAL_VALUES:
        assert value.encode() not in with_tokens
    assert not holds_jose(with_tokens)  # no readable token
    assert 0 < await redis.pttl(record) <= 3600 * 1000
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200
    assert body["identity"]["given_name"] == "Ada"


async def test_idle_timeout_bounds_the_record_lifetime(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=redis_server.url, max_age=3600, idle_timeout=600)
    await harness.login()
    [record] = await records(redis, "s")
    assert 0 < await redis.pttl(record) <= 600 * 1000


async def test_logout_deletes_the_record_so_a_copied_cookie_is_useless(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=redis_server.url)
    await harness.login()
    copied = {c.key: c.value for c in harness.client.session.cookie_jar}
    resp = await harness.client.post("/auth/logout", headers={**HTML, "Origin": harness.origin}, allow_redirects=False)
    assert resp.status == 302
    assert await records(redis, "s") == []
    assert await records(redis, "t") == []
    harness.client.session.cookie_jar.update_cookies(copied)
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


async def test_a_tampered_or_moved_record_is_an_empty_session_not_an_error(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=redis_server.url)
    await harness.login()
    [record] = await records(redis, "s")
    sealed = await raw(redis, record)
    await redis.set(record, sealed[:-3] + (b"AAA" if not sealed.endswith(b"AAA") else b"BBB"))
    status, _body = await harness.get_json("/me", headers=JSON)
    assert status == 401
    # a valid record of another session moved under this key does not open either
    other = await harness_factory(storage=redis_server.url)
    await other.login()
    keys = await records(redis, "s")
    source = next(k for k in keys if k != record)
    await redis.set(record, await raw(redis, source))
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401
    await redis.set(record, b"\x00garbage")
    status, _ = await harness.get_json("/", headers=JSON)
    assert status == 200


async def test_logout_everywhere_ends_every_session_of_the_person(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    laptop = await harness_factory(storage=redis_server.url)
    phone = await harness_factory(storage=redis_server.url)  # another browser, same person (ada)
    await laptop.login()
    await phone.login()
    assert len(await records(redis, "s")) == 2
    status, body = await laptop.get_json("/everywhere", headers=JSON)
    assert (status, body["ended"]) == (200, 2)
    assert await records(redis, "s") == []
    assert (await phone.get_json("/me", headers=JSON))[0] == 401
    assert (await laptop.get_json("/me", headers=JSON))[0] == 401


async def test_logout_everywhere_needs_redis(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory()
    await harness.login()
    status, body = await harness.get_json("/everywhere", headers=JSON)
    assert status == 500
    assert body["error"] == "configuration_error"


async def test_redis_down_gives_503_for_sessions_and_anonymous_requests_still_work(
    harness_factory: HarnessFactory, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path, appendonly=True)
    server.start()
    try:
        harness = await harness_factory(storage=server.url)
        await harness.login()
        server.stop()
        status, body = await harness.get_json("/me", headers=JSON)
        assert status == 503
        assert body["error"] == "session_store_unavailable"
        resp = await harness.client.get("/me", headers={"Accept": "text/html"}, allow_redirects=False)
        assert resp.status == 503
        assert "Traceback" not in await resp.text()
        cookies = {c.key: c.value for c in harness.client.session.cookie_jar}
        harness.client.session.cookie_jar.clear()
        status, _ = await harness.get_json("/", headers=JSON)  # anonymous: no Redis needed
        assert status == 200
        harness.client.session.cookie_jar.update_cookies(cookies)
        server.start()  # the same data comes back (append-only file)
        status, body = await harness.get_json("/me", headers=JSON)
        assert status == 200
        assert body["identity"]["given_name"] == "Ada"
    finally:
        server.stop()


async def test_a_request_that_started_before_a_refresh_does_not_write_old_tokens_back(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=redis_server.url, emulator={"rotate_refresh_tokens": True})
    await harness.login()
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, RedisStorage)
    [record] = await records(redis, "s")
    digest = storage.digest_of(record.decode())
    assert digest is not None
    # a slow request loads the session now, before the refresh
    cookies = "; ".join(f"{c.key}={c.value}" for c in harness.client.session.cookie_jar)
    slow_request = make_mocked_request("GET", "/", headers=CIMultiDict({"Cookie": cookies}), app=harness.app)
    stale = await storage.load_session(slow_request)
    harness.clock.advance(155)
    status, body = await harness.get_json("/token", headers=JSON)
    fresh_token = body["access_token"]
    # the slow request now writes its whole session back (it changed the application's data)
    stale["app_data"] = "written late"
    await storage.save_session(slow_request, web.Response(), stale)
    tokens = await redis.get(storage.tokens_key(digest))
    assert tokens is not None
    harness.clock.advance(40)  # past the in-process hand-off...
    await redis.delete(*await redis.keys("eid:h:*"))  # ...and the Redis one: only the stored tokens count now
    status, body = await harness.get_json("/token", headers=JSON)
    assert status == 200
    assert body["access_token"] == fresh_token
    assert harness.emulator.counters["token.refresh_replay"] == 0
    assert json.dumps(body)


async def test_the_token_record_lives_as_long_as_the_session(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=redis_server.url, max_age=3600, idle_timeout=600)
    await harness.login()
    [tokens] = await records(redis, "t")
    await redis.pexpire(tokens, 5000)  # as if the idle window were nearly over
    harness.clock.advance(120)  # activity: the middleware records it and rewrites the session
    assert (await harness.get_json("/me", headers=JSON))[0] == 200
    assert await redis.pttl(tokens) > 500 * 1000


async def test_logout_everywhere_counts_only_live_sessions(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    laptop = await harness_factory(storage=redis_server.url)
    phone = await harness_factory(storage=redis_server.url)
    await laptop.login()
    await phone.login()
    resp = await phone.client.post("/auth/logout", headers={**HTML, "Origin": phone.origin}, allow_redirects=False)
    assert resp.status == 302
    status, body = await laptop.get_json("/everywhere", headers=JSON)
    assert (status, body["ended"]) == (200, 1)
