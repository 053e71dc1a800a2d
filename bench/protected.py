"""Throughput of a protected request, variants interleaved in one run.

``bare`` (aiohttp alone, sent the same Cookie header as ``cookie``), ``aiohttp_session``
(its own EncryptedCookieStorage holding a payload the size of a stored EIDG login),
``cookie`` (aiohttp-eid, logged in, default storage), ``redis`` (the same on Redis),
``anonymous`` (aiohttp-eid, no session). Load comes from wrk in its own process, or a
bundled aiohttp load generator (also its own process) when wrk is not installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import time

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


async def aiohttp_load(url: str, cookie: str, seconds: float) -> float:
    """The bundled load generator: CONNECTIONS loops of GETs for ``seconds``; requests per second."""
    done = 0
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}
    async with aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=CONNECTIONS)) as client:

        async def loop() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                async with client.get(url) as resp:
                    if resp.status != 200:
                        raise RuntimeError(f"status {resp.status}")
                    await resp.read()
                done += 1

        await asyncio.gather(*(loop() for _ in range(CONNECTIONS)))
    return done / seconds


def load(url: str, cookie: str, seconds: int) -> float:
    """Requests per second against ``url`` from a separate process."""
    if shutil.which("wrk"):
        return _wrk(url, cookie, seconds)
    code = f"import asyncio, bench.protected as b; print(asyncio.run(b.aiohttp_load({url!r}, {cookie!r}, {seconds})))"
    command = pinned([sys.executable, "-c", code], LOAD_CPU)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return float(out.strip())


def measure(*, eidg: str, redis: str, seconds: int, rounds: int) -> dict[str, list[float]]:
    """Requests per second of each variant, ``rounds`` interleaved rounds."""
    ports = {v: free_port() for v in VARIANTS}
    with contextlib.ExitStack() as stack:
        for variant in VARIANTS:
            args = ("--variant", variant, "--port", str(ports[variant]), "--eidg", eidg, "--redis", redis)
            stack.enter_context(server("bench.app", *args, port=ports[variant], cpu=SERVER_CPU))
        origin = {v: f"http://127.0.0.1:{p}" for v, p in ports.items()}
        cookies = {
            "cookie": asyncio.run(login(origin["cookie"])),
            "redis": asyncio.run(login(origin["redis"])),
            "aiohttp_session": asyncio.run(_fill_aiohttp_session(origin["aiohttp_session"])),
            "anonymous": "",
        }
        cookies["bare"] = cookies["cookie"]
        for variant in VARIANTS:  # warm-up, not counted: the first seconds of a process run slower
            load(f"{origin[variant]}/", cookies[variant], WARM_UP_SECONDS)
        results: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for _ in range(rounds):
            for variant in VARIANTS:
                if variant in ("cookie", "redis"):
                    # a browser takes the new cookie the app sends when it records activity (once a
                    # minute); wrk repeats one header, so each round starts from a fresh login
                    cookies[variant] = asyncio.run(login(origin[variant]))
                results[variant].append(load(f"{origin[variant]}/", cookies[variant], seconds))
    return results


def summary(results: dict[str, list[float]]) -> dict[str, float]:
    """Medians by variant."""
    return {v: statistics.median(r) for v, r in results.items()}
