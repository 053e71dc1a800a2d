"""CPU time the application spends on one complete itsme login, beside the RSA floor.

The application and the itsme emulator run in two separate processes on
127.0.0.1; this process drives logins and reads the application's own CPU
time (user + system) from /proc before and after. The floor is the sum of the
RSA operations one login needs on the application's side, timed here with the
same library: two RS256 signatures (request object, client assertion), two
RSA-OAEP decryptions (ID token, userinfo), two RS256 verifications and one
RSA-OAEP encryption.

    python -m bench.login_cpu [--logins 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from yarl import URL

APP = """
import asyncio, sys
from aiohttp import web
import aiohttp_eid
from aiohttp_eid import EidConfig, ItsmeConfig, RelyingPartyKeys
port, emu = int(sys.argv[1]), sys.argv[2]
app = web.Application()
aiohttp_eid.setup(app, EidConfig(providers=[ItsmeConfig(
    name="itsme", discovery_url=emu + "/.well-known/openid-configuration", client_id="demo-rp",
    service_code="DEMO_LOGIN", redirect_uri=f"http://127.0.0.1:{port}/auth/itsme/callback",
    keys=RelyingPartyKeys.generate(), scopes=["profile", "email", "address", "phone"],
    claims=["nationality", "eid", "device", "photo"])],
    session_key="a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s"))
async def ok(request): return web.Response(text="ok")
app.router.add_get("/", ok)
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
"""

EMULATOR = """
import asyncio, sys
from aiohttp_eid.testing import ItsmeEmulator
async def main():
    emu = ItsmeEmulator(rp_jwks_uri=sys.argv[2], auto_approve="jan")
    await emu.start(port=int(sys.argv[1]))
    await asyncio.Event().wait()
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


async def one_login(app: aiohttp.ClientSession, provider: aiohttp.ClientSession, base: str) -> None:
    async with app.get(f"{base}/auth/itsme/login?next=/", allow_redirects=False) as resp:
        authorize = resp.headers["Location"]
    async with provider.get(authorize, allow_redirects=False) as resp:
        callback = URL(resp.headers["Location"])
    async with app.get(f"{base}{callback.path_qs}", allow_redirects=False) as resp:
        assert resp.status == 302, await resp.text()


def start_processes() -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes], int, int]:
    app_port, emu_port = free_port(), free_port()
    emulator = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", EMULATOR, str(emu_port), f"http://127.0.0.1:{app_port}/auth/jwks.json"]
    )
    server = subprocess.Popen([sys.executable, "-c", APP, str(app_port), f"http://127.0.0.1:{emu_port}/oidc"])  # noqa: S603
    return server, emulator, app_port, emu_port


async def drive(logins: int) -> tuple[float, int]:
    server, emulator, app_port, emu_port = start_processes()
    try:
        await wait_for(emu_port)
        await wait_for(app_port)
        base = f"http://127.0.0.1:{app_port}"
        async with (
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as app,
            aiohttp.ClientSession() as provider,
        ):
            for _ in range(5):  # warm up: discovery, keys, first imports
                await one_login(app, provider, base)
            before = cpu_seconds(server.pid)
            for _ in range(logins):
                await one_login(app, provider, base)
            return cpu_seconds(server.pid) - before, logins
    finally:
        for process in (server, emulator):
            process.terminate()
            process.wait(timeout=10)


def rsa_floor(rounds: int = 200) -> float:
    """Seconds of the RSA operations of one login, on this machine."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    data = b"x" * 600
    # RSA-OAEP as JOSE defines it uses SHA-1 inside OAEP (RFC 7518 4.3); the cost is that of the RSA operation
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
    pkcs1 = padding.PKCS1v15()
    start = time.process_time()
    for _ in range(rounds):
        signatures = [key.sign(data, pkcs1, hashes.SHA256()) for _ in range(2)]
        for signature in signatures:
            public.verify(signature, data, pkcs1, hashes.SHA256())
        wrapped = public.encrypt(b"k" * 32, oaep)
        for _ in range(2):
            key.decrypt(wrapped, oaep)
    return (time.process_time() - start) / rounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=200)
    args = parser.parse_args()
    cpu, logins = asyncio.run(drive(args.logins))
    per_login = cpu / logins * 1000
    floor = rsa_floor() * 1000
    print("| measure | ms |")
    print("|---|---|")
    print(f"| application CPU per itsme login ({logins} logins) | {per_login:.2f} |")
    print(f"| RSA floor per login (2 sign, 2 decrypt, 2 verify, 1 encrypt) | {floor:.2f} |")
    print(f"| ratio | {per_login / floor:.2f} |")


if __name__ == "__main__":
    main()
