"""EidConfig(browser_session_cookie=True) on Redis storage: no cookie lifetime, the record still expires."""

from __future__ import annotations

from redis.asyncio import Redis

from tests.support.harness import JSON, HarnessFactory
from tests.support.redis_servers import RedisServer
from tests.support.steps import has_lifetime, session_set_cookies


async def test_a_browser_session_cookie_on_redis_has_no_lifetime_and_the_server_still_ends_the_login(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=redis_server.url, browser_session_cookie=True, idle_timeout=600)
    resp = await harness.login()
    assert resp.status == 302
    [set_cookie] = session_set_cookies(resp)
    assert not has_lifetime(set_cookie)
    [record] = await redis.keys("eid:s:*")
    assert 0 < await redis.pttl(record) <= 600 * 1000  # the record still expires in Redis
    assert (await harness.get_json("/me", headers=JSON))[0] == 200
    harness.clock.advance(601)
    assert (await harness.get_json("/me", headers=JSON))[0] == 401
