"""A refresh storm: many concurrent requests of one session at the moment its access token is due.

The EIDG emulator runs in this process (its counters are read directly), the application
in its own. Access tokens live ``LIFETIME`` seconds; the refresh is due a third earlier.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import aiohttp

from aiohttp_eid.testing import EidgEmulator

from .processes import free_port, login, server

LIFETIME = 6
DUE_AFTER = 4.3


async def _burst(origin: str, cookie: str, count: int) -> list[float]:
    headers = {"Cookie": cookie, "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as client:

        async def one() -> float:
            started = time.monotonic()
            async with client.get(f"{origin}/token") as resp:
                await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"status {resp.status}")
            return time.monotonic() - started

        return list(await asyncio.gather(*(one() for _ in range(count))))


async def _run(count: int) -> dict[str, float]:
    emulator = EidgEmulator(auto_approve="ada", token_lifetime=LIFETIME, access_token_jwt_lifetime=LIFETIME)
    base = await emulator.start()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    try:
        with server("bench.app", "--variant", "cookie", "--eidg", base, "--port", str(port), port=port):
            cookie = await login(origin)
            quiet = await _burst(origin, cookie, count)  # same burst, nothing due: the baseline
            await asyncio.sleep(DUE_AFTER)
            storm = await _burst(origin, cookie, count)
    finally:
        await emulator.close()
    return {
        "requests": count,
        "refreshes": emulator.counters["token.refresh_token"],
        "replays": emulator.counters["token.refresh_replay"],
        **extra_latency(quiet, storm),
    }


def extra_latency(quiet: list[float], storm: list[float]) -> dict[str, float]:
    """What the storm added to each request: its latency minus the quiet burst's median, in ms.

    The median and the maximum are of one list, so the maximum is never below the median (a
    maximum taken as ``max(storm) - max(quiet)`` subtracted the slowest quiet request instead).
    """
    baseline = statistics.median(quiet)
    extra = [(latency - baseline) * 1000 for latency in storm]
    return {
        "baseline_median_ms": baseline * 1000,
        "extra_median_ms": statistics.median(extra),
        "extra_max_ms": max(extra),
    }


def measure(count: int = 200) -> dict[str, float]:
    """Refreshes seen by the emulator and the extra latency of a storm of ``count`` requests."""
    return asyncio.run(_run(count))
