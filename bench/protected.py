"""Throughput of a protected request, variants interleaved in one run.

``bare`` (aiohttp alone, sent the same Cookie header as ``cookie``), ``aiohttp_session``
(its own EncryptedCookieStorage holding a payload the size of a stored EIDG login),
``cookie`` (aiohttp-eid, logged in, default storage), ``redis`` (the same on Redis),
``anonymous`` (aiohttp-eid, no session). Load comes from wrk in its own process: a load
generator in Python would be slower than the servers it measures, so without wrk this
measure is skipped (``python -m bench`` says so).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import statistics
import subprocess

import aiohttp

from .processes import LOAD_CPU, SERVER_CPU, free_port, login, pinned, server

VARIANTS = ("bare", "aiohttp_session", "cookie", "redis", "anonymous")
CONNECTIONS = 32
WARM_UP_SECONDS = 2


async def _fill_aiohttp_session(origin: str) -> str:
    jar = aiohttp.CookieJar(unsafe=True)
    payload = json.dumps({"identity": "x" * 900, "tokens": "y" * 1200})  # about a stored EIDG login
    async with (
        aiohttp.ClientSession(cookie_jar=jar) as client,
        client.get(f"{origin}/fill", params={"payload": payload}) as resp,
    ):
        resp.raise_for_status()
    return "; ".join(f"{c.key}={c.value}" for c in jar)


def _wrk(url: str, cookie: str, seconds: int) -> float:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    command = pinned(command, LOAD_CPU)
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout  # noqa: S603
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"errors under load:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise RuntimeError(out)
    return float(match.group(1))


def load(url: str, cookie: str, seconds: int) -> float:
    """Requests per second against ``url`` from wrk, in its own process (on ``LOAD_CPU``)."""
    return _wrk(url, cookie, seconds)


def measure(*, eidg: str, redis: str | None, seconds: int, rounds: int) -> dict[str, list[float]]:
    """Requests per second of each variant, ``rounds`` interleaved rounds (no ``redis`` variant without Redis)."""
    variants = [v for v in VARIANTS if v != "redis" or redis]
    ports = {v: free_port() for v in variants}
    with contextlib.ExitStack() as stack:
        for variant in variants:
            args = ("--variant", variant, "--port", str(ports[variant]), "--eidg", eidg, "--redis", redis or "")
            stack.enter_context(server("bench.app", *args, port=ports[variant], cpu=SERVER_CPU))
        origin = {v: f"http://127.0.0.1:{p}" for v, p in ports.items()}
        cookies: dict[str, str] = {v: asyncio.run(login(origin[v])) for v in ("cookie", "redis") if v in origin}
        cookies["aiohttp_session"] = asyncio.run(_fill_aiohttp_session(origin["aiohttp_session"]))
        cookies["anonymous"] = ""
        cookies["bare"] = cookies["cookie"]
        for variant in variants:  # warm-up, not counted: the first seconds of a process run slower
            load(f"{origin[variant]}/", cookies[variant], WARM_UP_SECONDS)
        results: dict[str, list[float]] = {v: [] for v in variants}
        for _ in range(rounds):
            for variant in variants:
                if variant in ("cookie", "redis"):
                    # a browser takes the new cookie the app sends when it records activity (once a
                    # minute); wrk repeats one header, so each round starts from a fresh login
                    cookies[variant] = asyncio.run(login(origin[variant]))
                results[variant].append(load(f"{origin[variant]}/", cookies[variant], seconds))
    return results


def summary(results: dict[str, list[float]]) -> dict[str, float]:
    """Medians by variant."""
    return {v: statistics.median(r) for v, r in results.items()}
