"""(5) Memory an anonymous client controls: 50,000 distinct junk cookies must not grow a worker by much.

A real worker process (bench/app.py, cookie or Redis storage) gets 50,000 requests, each with its own
Cookie header of about 4 KB that names our cookie with a junk value. Its resident memory (VmRSS, read
from /proc) may grow by at most 32 MiB: the login caches are keyed by our cookie's value, bounded, and
junk is not kept at all. Keyed by the whole header, as before, the Redis login cache alone held 20,000
such headers (about 100 MiB).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.processes import free_port, rss_kib, server
from tests.support.redis_servers import RedisServer

REQUESTS = 50_000
CONNECTIONS = 8
BATCH = 50  # requests pipelined on one connection before reading their answers
BOUND_KIB = 32 * 1024


@pytest.fixture(scope="module")
def junk_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    redis = RedisServer(tmp_path_factory.mktemp("redis-junk"))
    redis.start()
    yield redis
    redis.stop()


_RANDOM = secrets.token_urlsafe(3000)  # random once; a counter in front makes every header distinct
_counter = 0


def junk_header(variant: str) -> str:
    """About 4 KB: our cookie with a junk value (as long as a real one), and padding in another cookie."""
    global _counter
    _counter += 1
    value = f"{_counter:012d}{_RANDOM[: 2700 if variant == 'cookie' else 31]}"
    padding = f"{_counter:012d}{_RANDOM}"[: 3960 - len(value)]
    return f"theme=dark; eid_session={value}; pad={padding}"


def request_bytes(variant: str) -> bytes:
    headers = f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nCookie: {junk_header(variant)}\r\n\r\n"
    return headers.encode()


async def send_junk(port: int, variant: str, count: int) -> int:
    """Send ``count`` junk requests over CONNECTIONS pipelined keep-alive connections; answers read."""
    answered = 0

    async def connection(share: int) -> None:
        nonlocal answered
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for start in range(0, share, BATCH):
                batch = min(BATCH, share - start)
                writer.write(b"".join(request_bytes(variant) for _ in range(batch)))
                await writer.drain()
                seen, buffer = 0, b""
                while seen < batch:
                    chunk = await reader.read(65536)
                    assert chunk, "the worker closed the connection"
                    buffer = buffer[-16:] + chunk
                    seen += chunk.count(b"HTTP/1.1 401 ")
                answered += seen
        finally:
            writer.close()

    await asyncio.gather(*(connection(count // CONNECTIONS) for _ in range(CONNECTIONS)))
    return answered


@pytest.mark.parametrize("variant", ["cookie", "redis"])
def test_50000_junk_cookies_grow_a_worker_by_at_most_32_mib(variant: str, junk_redis: RedisServer) -> None:
    port = free_port()
    args = ["--variant", variant, "--redis", junk_redis.url, "--port", str(port)]
    with server("bench.app", *args, port=port) as worker:
        assert asyncio.run(send_junk(port, variant, 2_000)) == 2_000  # warm up: buffers, first allocations
        before = rss_kib(worker.pid)
        assert asyncio.run(send_junk(port, variant, REQUESTS)) == REQUESTS
        after = rss_kib(worker.pid)
    growth = after - before
    print(f"\n{variant}: RSS {before // 1024} MiB -> {after // 1024} MiB after {REQUESTS} junk cookies")
    assert growth <= BOUND_KIB, f"{variant} worker grew by {growth // 1024} MiB"


def test_the_junk_headers_are_about_4_kb() -> None:
    for variant in ("cookie", "redis"):
        assert 3900 <= len(junk_header(variant)) <= 4200
    assert Path("/proc/self/status").exists()  # RSS is read from /proc
