"""Throughput of a protected request, side by side in one run.

Variants, each a server process on 127.0.0.1 serving the same trivial handler:
``bare`` (aiohttp alone, sent the same Cookie header as ``cookie``), ``aiohttp_session`` (aiohttp-session's own
EncryptedCookieStorage holding a payload of the same size as a stored EIDG login),
``cookie`` (aiohttp-eid, logged in, default cookie storage), ``redis`` (the same
on Redis storage), ``anonymous`` (aiohttp-eid, no session). Load comes from wrk
in its own process (or a small aiohttp load generator when wrk is missing),
rounds interleaved A B C ... A B C, median and spread of the rounds reported as
ratios to ``bare``.

    python -m bench.protected [--seconds 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from yarl import URL

from tests.redis.servers import RedisServer, free_port, wait_for_port

SESSION_KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s"
VARIANTS = ("bare", "aiohttp_session", "cookie", "redis", "anonymous")

SERVER = r"""
import base64, json, sys
from aiohttp import web
variant, port, emulator, redis_url = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
app = web.Application()

async def hello(request):
    return web.Response(text="hello")

if variant == "aiohttp_session":
    import aiohttp_session
    from aiohttp_session.cookie_storage import EncryptedCookieStorage
    key = base64.urlsafe_b64decode(b"a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=")
    aiohttp_session.setup(app, EncryptedCookieStorage(key))
    async def hello(request):  # noqa: F811
        session = await aiohttp_session.get_session(request)
        if "login" not in session:
            return web.HTTPUnauthorized()
        return web.Response(text="hello")
    async def fill(request):
        session = await aiohttp_session.get_session(request)
        session["login"] = json.loads(request.query["payload"])
        return web.Response(text="ok")
    app.router.add_get("/fill", fill)
elif variant != "bare":
    import aiohttp_eid
    from aiohttp_eid import EidConfig, EidgConfig
    aiohttp_eid.setup(app, EidConfig(providers=[EidgConfig(
        name="eidg", base_url=emulator, client_id="demo-client", client_secret="demo-secret",
        redirect_uri=f"http://127.0.0.1:{port}/auth/eidg/callback",
        methods=["infocert:identification:method:SPID_LEVEL_2"])],
        session_key="a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s",
        storage=redis_url if variant == "redis" else "cookie"))
    if variant != "anonymous":
        hello = aiohttp_eid.login_required(hello)
app.router.add_get("/", hello)
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
"""


async def login(origin: str) -> str:
    """Log in through the emulator; the Cookie header of the session."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser, aiohttp.ClientSession() as provider:
        async with browser.get(f"{origin}/auth/eidg/login?next=/", allow_redirects=False) as resp:
            authorize = resp.headers["Location"]
        async with provider.get(authorize, allow_redirects=False) as resp:
            callback = URL(resp.headers["Location"])
        async with browser.get(f"{origin}{callback.path_qs}", allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
        return "; ".join(f"{c.key}={c.value}" for c in jar)


async def prepare(variant: str, port: int, emulator: str, redis_url: str) -> str:
    origin = f"http://127.0.0.1:{port}"
    if variant in ("cookie", "redis"):
        return await login(origin)
    if variant == "aiohttp_session":
        jar = aiohttp.CookieJar(unsafe=True)
        payload = json.dumps({"identity": "x" * 900, "tokens": "y" * 1200})  # ~ a stored EIDG login
        async with (
            aiohttp.ClientSession(cookie_jar=jar) as client,
            client.get(f"{origin}/fill", params={"payload": payload}) as resp,
        ):
            assert resp.status == 200
        return "; ".join(f"{c.key}={c.value}" for c in jar)
    return ""


def run_wrk(url: str, cookie: str, seconds: float) -> float:
    command = ["wrk", "-t1", "-c32", f"-d{max(1, round(seconds))}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout  # noqa: S603
    if "Non-2xx" in out:
        raise RuntimeError(f"errors under load:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


async def _aiohttp_load(url: str, cookie: str, seconds: float) -> float:
    headers = {"Cookie": cookie} if cookie else {}
    done = 0
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=32)) as client:

        async def loop() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                async with client.get(url) as resp:
                    assert resp.status == 200
                    await resp.read()
                done += 1

        await asyncio.gather(*(loop() for _ in range(32)))
    return done / seconds


def load(url: str, cookie: str, seconds: float) -> float:
    if shutil.which("wrk"):
        return run_wrk(url, cookie, seconds)
    code = f"import asyncio, bench.protected as b; print(asyncio.run(b._aiohttp_load({url!r}, {cookie!r}, {seconds})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return float(out.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp))
        redis.start()
        emulator_port = free_port()
        emulator_code = (
            "import asyncio\nfrom aiohttp_eid.testing import EidgEmulator\n"
            "async def main():\n"
            "    emu = EidgEmulator(auto_approve='ada', token_lifetime=86400, access_token_jwt_lifetime=86400)\n"
            f"    await emu.start(port={emulator_port})\n    await asyncio.Event().wait()\nasyncio.run(main())\n"
        )
        processes.append(subprocess.Popen([sys.executable, "-c", emulator_code]))  # noqa: S603
        emulator = f"http://127.0.0.1:{emulator_port}/oauth2"
        wait_for_port(emulator_port)
        ports = {}
        for variant in VARIANTS:
            ports[variant] = free_port()
            processes.append(
                subprocess.Popen([sys.executable, "-c", SERVER, variant, str(ports[variant]), emulator, redis.url])  # noqa: S603
            )
        try:
            for port in ports.values():
                wait_for_port(port)
            cookies = {v: asyncio.run(prepare(v, ports[v], emulator, redis.url)) for v in VARIANTS}
            # bare aiohttp gets the same request bytes as aiohttp-eid's cookie variant: receiving a
            # 3 KB Cookie header costs aiohttp itself, not the plugin
            cookies["bare"] = cookies["cookie"]
            results: dict[str, list[float]] = {v: [] for v in VARIANTS}
            for _ in range(args.rounds):
                for variant in VARIANTS:
                    url = f"http://127.0.0.1:{ports[variant]}/"
                    results[variant].append(load(url, cookies[variant], args.seconds))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
            redis.stop()
    median = {v: statistics.median(r) for v, r in results.items()}
    print(f"| variant | requests/s (median of {args.rounds}) | spread | ratio to bare |")
    print("|---|---|---|---|")
    for variant in VARIANTS:
        spread = max(results[variant]) - min(results[variant])
        print(f"| {variant} | {median[variant]:.0f} | ±{spread / 2:.0f} | {median[variant] / median['bare']:.2f} |")
    print(f"\nprotected_redis/protected_cookie: {median['redis'] / median['cookie']:.2f}")


if __name__ == "__main__":
    main()
