"""The ACL user docs/deployment.md gives is enough for every flow (the line is read from the docs)."""

from __future__ import annotations

import re

from redis.asyncio import Redis

from tests.support.harness import HTML, JSON, HarnessFactory
from tests.support.redis_logins import cookie_header, until_cached
from tests.support.redis_servers import ROOT, RedisServer


def documented_acl() -> list[str]:
    text = (ROOT / "docs" / "deployment.md").read_text()
    line = re.search(r"^user eid on >LONG-RANDOM-PASSWORD (.+)$", text, re.MULTILINE)
    assert line is not None
    return line.group(1).split()


async def test_login_refresh_logout_and_logout_everywhere_with_the_documented_acl_user(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    assert await redis.acl_setuser("eid", reset=True, enabled=True, passwords=["+acl-test-password"])
    await redis.execute_command("ACL", "SETUSER", "eid", *documented_acl())  # type: ignore[no-untyped-call]
    try:
        url = f"redis://eid:acl-test-password@127.0.0.1:{redis_server.port}/0"
        laptop = await harness_factory(storage=url, emulator={"rotate_refresh_tokens": True})
        await laptop.login()
        await until_cached(laptop, redis, cookie_header(laptop))  # the report connection works under the ACL
        laptop.clock.advance(155)
        assert (await laptop.get_json("/token", headers=JSON))[0] == 200  # a refresh: lock, hand-off
        assert (await laptop.get_json("/everywhere", headers=JSON)) == (200, {"ended": 1})
        await laptop.login()
        resp = await laptop.client.post("/auth/logout", headers={**HTML, "Origin": laptop.origin})
        assert resp.status == 200
        assert (await laptop.get_json("/me", headers=JSON))[0] == 401
    finally:
        await redis.acl_deluser("eid")
