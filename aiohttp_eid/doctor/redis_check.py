"""Redis storage: reachable, and every command aiohttp-eid sends is allowed (docs/deployment.md's ACL).

The commands run on a key of the doctor's own under ``eid:`` (the prefix the
ACL grants), deleted at the end; nothing of the sessions is read or written.
"""

from __future__ import annotations

import secrets
from typing import Any

from yarl import URL

from ..session.redis_keys import doctor_key
from .report import GLOBAL, Report

__all__ = ["check_redis", "masked"]

_SCRIPT = "return redis.call('GET', KEYS[1])"


def masked(url: str) -> str:
    """``url`` without its password (and user name)."""
    parsed = URL(url)
    return str(parsed.with_user(None).with_password(None)) if parsed.user or parsed.password else url


async def _exercise(redis: Any, key: str) -> list[str]:
    """Run each command the storage needs; the ones Redis refused, with its reason."""
    index = key + ":index"
    steps: list[tuple[str, Any]] = [
        ("PING", lambda: redis.ping()),
        ("SET", lambda: redis.set(key, "1", px=60_000)),
        ("GET", lambda: redis.get(key)),
        ("MGET", lambda: redis.mget([key, index])),
        ("EXISTS", lambda: redis.exists(key)),
        ("PEXPIRE", lambda: redis.pexpire(key, 60_000)),
        ("SADD", lambda: redis.sadd(index, "x")),
        ("SMEMBERS", lambda: redis.smembers(index)),
        ("SREM", lambda: redis.srem(index, "x")),
        ("EVAL", lambda: redis.eval(_SCRIPT, 1, key)),
        ("SCRIPT LOAD/EVALSHA", lambda: _script(redis, key)),
        ("INFO", lambda: redis.info("replication")),
        ("WAIT", lambda: redis.execute_command("WAIT", 0, 1)),
        ("CLIENT ID", lambda: redis.client_id()),
        ("CLIENT TRACKING", lambda: _tracking(redis, key)),
        ("SUBSCRIBE", lambda: _subscribe(redis)),
        ("DEL", lambda: redis.delete(key, index)),
    ]
    from redis.exceptions import ResponseError

    refused = []
    for command, step in steps:
        try:
            result = step()
            if hasattr(result, "__await__"):
                await result
        except ResponseError as exc:
            refused.append(f"{command} ({str(exc)[:120]})")
    return refused


async def _script(redis: Any, key: str) -> None:
    await redis.evalsha(await redis.script_load(_SCRIPT), 1, key)


async def _tracking(redis: Any, key: str) -> None:
    """Turn tracking on and off on one connection, as the login cache does (redirected to itself)."""
    async with redis.client() as single:
        own = await single.client_id()
        await single.execute_command("CLIENT", "TRACKING", "ON", "REDIRECT", own, "BCAST", "PREFIX", key)
        await single.execute_command("CLIENT", "TRACKING", "OFF")


async def _subscribe(redis: Any) -> None:
    pubsub = redis.pubsub()
    try:
        await pubsub.subscribe("__redis__:invalidate")
        await pubsub.unsubscribe("__redis__:invalidate")
    finally:
        await pubsub.aclose()


async def check_redis(report: Report, url: str, seconds: float) -> None:
    """Redis answers at ``url`` and allows the commands of the session storage and the login cache."""
    try:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError
    except ImportError:
        report.add(GLOBAL, "redis", "error", "the redis package is missing", "pip install aiohttp-eid[redis]")
        return
    where = masked(url)
    redis = Redis.from_url(url, socket_timeout=seconds, socket_connect_timeout=seconds)
    try:
        refused = await _exercise(redis, doctor_key(secrets.token_hex(8)))
    except (RedisError, OSError) as exc:
        # the exception's text can name the server but never the password (masked in the report anyway)
        report.add(GLOBAL, "redis", "error", f"{where}: {type(exc).__name__}: {str(exc)[:160]}", "is Redis up?")
        return
    finally:
        await redis.aclose()
    if refused:
        report.add(
            GLOBAL,
            "redis",
            "error",
            f"{where} refuses {', '.join(refused)}",
            "grant the commands listed in docs/deployment.md (An ACL user for aiohttp-eid)",
        )
    else:
        report.add(GLOBAL, "redis", "ok", f"{where} answers and allows every command aiohttp-eid sends")
