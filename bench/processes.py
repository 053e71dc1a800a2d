"""Processes and measurements shared by the benchmarks: servers, logins, CPU and memory readings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
from yarl import URL

from aiohttp_eid.testing.redis_server import free_port, wait_for_port

__all__ = [
    "LOAD_CPU",
    "SERVER_CPU",
    "cpu_seconds",
    "cpu_times",
    "free_port",
    "login",
    "pinned",
    "rss_kib",
    "server",
    "wait_for_port",
]

ROOT = Path(__file__).parents[1]


#: with two cores or more, servers under test run on one and the load generator on another, so
#: the scheduler does not move them onto one core mid-round (the largest source of spread)
SERVER_CPU, LOAD_CPU = (1, 0) if (os.cpu_count() or 1) >= 2 and shutil.which("taskset") else (None, None)


def pinned(command: list[str], cpu: int | None) -> list[str]:
    """``command`` run on ``cpu`` only (unchanged when pinning is not available)."""
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else command


@contextmanager
def server(
    module: str, *args: str, port: int, cpu: int | None = None, root: Path = ROOT
) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m <module> <args>`` listening on 127.0.0.1:port (on ``cpu`` if given), stopped on exit.

    ``root``: the checkout whose ``bench`` and ``aiohttp_eid`` the process imports (another one for a baseline).
    """
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = pinned([sys.executable, "-m", module, *args], cpu)
    process = subprocess.Popen(command, cwd=root, env=env)  # noqa: S603
    try:
        wait_for_port(port, timeout=30)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


#: what a browser sends with a page request (without text/html, a protected page answers a JSON 401)
BROWSER_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "it-IT,it;q=0.9,en;q=0.8",
}


async def login(
    origin: str, provider: str = "eidg", jar: aiohttp.CookieJar | None = None, *, start: str | None = None
) -> str:
    """A whole login through the emulator; the Cookie header of the new session.

    ``start`` is the first page the browser asks for: by default the provider's login link;
    a protected page (``"/"``) follows the application's own redirects to the provider, as a
    browser does.
    """
    jar = jar or aiohttp.CookieJar(unsafe=True)
    url = start or f"/auth/{provider}/login?next=/"
    async with (
        aiohttp.ClientSession(cookie_jar=jar, headers=BROWSER_HEADERS) as browser,
        aiohttp.ClientSession() as emulator,
    ):
        for _ in range(3):  # the application's own redirects, then the provider's authorization URL
            async with browser.get(f"{origin}{url}", allow_redirects=False) as resp:
                location = URL(resp.headers["Location"])
            if location.is_absolute() and location.origin() != URL(origin):
                break
            url = location.path_qs
        async with emulator.get(location, allow_redirects=False) as resp:
            callback = URL(resp.headers["Location"])
        async with browser.get(f"{origin}{callback.path_qs}", allow_redirects=False) as resp:
            if resp.status != 302:
                raise RuntimeError(f"login failed: {resp.status} {await resp.text()}")
    return "; ".join(f"{c.key}={c.value}" for c in jar)


def cpu_times(pid: int) -> tuple[float, float]:
    """User and system CPU seconds a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used."""
    return sum(cpu_times(pid))


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")
