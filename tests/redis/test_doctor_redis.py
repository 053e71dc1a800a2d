"""The doctor's Redis check on a real redis-server: reachable, the ACL of docs/deployment.md, never the password."""

from __future__ import annotations

import secrets
import shlex
from pathlib import Path

from redis.asyncio import Redis
from yarl import URL

from aiohttp_eid import EidConfig, EidgConfig
from aiohttp_eid.doctor import Report, diagnose
from aiohttp_eid.testing.redis_server import free_port
from tests.support.redis_servers import RedisServer

ROOT = Path(__file__).parents[2]
PASSWORD = "doctor-" + secrets.token_hex(12)


def docs_acl_rules() -> list[str]:
    """The ACL rules docs/deployment.md gives for aiohttp-eid's Redis user (its ``user eid on ...`` line)."""
    text = (ROOT / "docs" / "deployment.md").read_text()
    line = next(line for line in text.splitlines() if line.startswith("user eid on "))
    return [rule for rule in shlex.split(line)[2:] if not rule.startswith(">")]


def config(storage: str) -> EidConfig:
    provider = EidgConfig(
        name="eidg",
        base_url="http://127.0.0.1:1/oauth2",
        client_id="c",
        client_secret="s3cret-of-the-doctor-test",
        redirect_uri="http://127.0.0.1:1/auth/eidg/callback",
    )
    return EidConfig(providers=[provider], session_key=secrets.token_urlsafe(32), storage=storage, http_timeout=2)


def redis_check(report: Report) -> tuple[str, str]:
    check = next(c for c in report.checks if c.check == "redis")
    return check.status, check.message


async def user_url(redis: Redis, server: RedisServer, name: str, rules: list[str]) -> str:
    await redis.acl_setuser(name, reset=True)
    await redis.execute_command("ACL", "SETUSER", name, "on", f">{PASSWORD}", *rules)  # type: ignore[no-untyped-call]
    return str(URL(server.url).with_user(name).with_password(PASSWORD))


async def test_redis_with_the_documented_acl_passes(redis_server: RedisServer, redis: Redis) -> None:
    url = await user_url(redis, redis_server, "doctor_ok", docs_acl_rules())
    report = await diagnose(config(url))
    assert redis_check(report)[0] == "ok", report.text()
    assert PASSWORD not in report.text() + report.json()


async def test_redis_refusing_a_command_is_an_error_naming_it(redis_server: RedisServer, redis: Redis) -> None:
    rules = [r for r in docs_acl_rules() if r not in ("+evalsha", "+script|load")]
    url = await user_url(redis, redis_server, "doctor_no_scripts", rules)
    report = await diagnose(config(url))
    status, message = redis_check(report)
    assert status == "error"
    assert "SCRIPT LOAD/EVALSHA" in message
    assert "PING" not in message
    assert "MGET" not in message  # only the refused commands are named
    assert PASSWORD not in report.text() + report.json()


async def test_redis_down_or_a_wrong_password_is_an_error_without_the_password(
    redis_server: RedisServer, redis: Redis
) -> None:
    down = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"
    report = await diagnose(config(down))
    assert redis_check(report)[0] == "error"
    assert PASSWORD not in report.text() + report.json()
    await user_url(redis, redis_server, "doctor_pw", docs_acl_rules())
    wrong = str(URL(redis_server.url).with_user("doctor_pw").with_password(PASSWORD + "x"))
    report = await diagnose(config(wrong))
    assert redis_check(report)[0] == "error"
    assert PASSWORD not in report.text() + report.json()
