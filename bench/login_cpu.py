"""CPU time the application spends on one complete login, per provider, beside the RSA floor.

The application and the emulator run in separate processes on 127.0.0.1; this process
drives whole logins (login redirect, provider, callback with token exchange, validation,
userinfo, session write) and reads the application's own CPU time from /proc. Beside them:
the EIDG login's HTTP exchanges alone (``bench.http_floor``), itsme's RSA operations alone,
and, with a baseline checkout, the same logins of another version, rounds interleaved.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .processes import ROOT, cpu_times, free_port, login, server

WARM_UP = 5


async def _logins(origin: str, provider: str, count: int, start: str | None) -> None:
    for _ in range(count):
        await login(origin, provider, start=start)


def measure(kind: str, *, logins: int, eidg: str, start: str | None = None, root: Path = ROOT) -> tuple[float, float]:
    """Milliseconds of application user and system CPU per login with ``kind``: "eidg", "itsme" or "oidc"
    (``OidcConfig``), or "eidg_http_floor" (the EIDG login's HTTP exchanges alone, ``bench.http_floor``).

    ``start``: the page the browser first asks for (by default the login link; ``"/"`` is a protected page).
    ``root``: the checkout whose application is measured (the emulators are always this one's).
    """
    app_port = free_port()
    origin = f"http://127.0.0.1:{app_port}"
    module = "bench.app"
    args: tuple[str, ...]
    with contextlib.ExitStack() as stack:
        if kind == "eidg_http_floor":
            module, args = "bench.http_floor", ("--eidg", eidg)
        elif kind == "eidg":
            args = ("--variant", "cookie", "--eidg", eidg)
        else:  # itsme and the generic provider: their emulator in its own process, under /oidc
            emu_port = free_port()
            emulator = ("--kind", kind, "--port", str(emu_port), "--rp-jwks", f"{origin}/auth/jwks.json")
            stack.enter_context(server("bench.emulator", *emulator, port=emu_port))
            args = ("--variant", kind, f"--{kind}", f"http://127.0.0.1:{emu_port}/oidc")
        app = stack.enter_context(server(module, *args, "--port", str(app_port), port=app_port, root=root))
        provider = kind.removesuffix("_http_floor")
        asyncio.run(_logins(origin, provider, WARM_UP, start))  # discovery, keys, first imports
        user, system = cpu_times(app.pid)
        asyncio.run(_logins(origin, provider, logins, start))
        user_after, system_after = cpu_times(app.pid)
        return (user_after - user) / logins * 1000, (system_after - system) / logins * 1000


def rsa_floor_itsme(rounds: int = 200) -> float:
    """Milliseconds of the RSA operations one itsme login needs on the application's side:
    2 RS256 signatures (request object, client assertion), 2 RSA-OAEP decryptions (ID token,
    userinfo), 2 RS256 verifications and 1 RSA-OAEP encryption (the request object)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    data = b"x" * 600
    # RSA-OAEP as JOSE defines it uses SHA-1 inside OAEP (RFC 7518 4.3); the cost is the RSA operation's
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
    return (time.process_time() - start) / rounds * 1000


#: the logins compared with a baseline checkout: (provider, first page; None is the login link)
BASELINE_LOGINS = (("eidg", None), ("eidg", "/"), ("itsme", None), ("itsme", "/"))


def against_baseline(baseline: Path, *, logins: int, eidg: str, rounds: int) -> dict[str, dict[str, float]]:
    """Median login CPU (ms) of this checkout and of ``baseline``, rounds interleaved, for BASELINE_LOGINS."""
    figures: dict[str, dict[str, list[float]]] = {}
    for _ in range(rounds):
        for provider, start in BASELINE_LOGINS:
            name = f"{provider} login" + (" from a protected page" if start else "")
            for label, root in (("this", ROOT), ("baseline", baseline)):
                cpu = sum(measure(provider, logins=logins, eidg=eidg, start=start, root=root))
                figures.setdefault(name, {}).setdefault(label, []).append(cpu)
    return {name: {label: statistics.median(v) for label, v in by.items()} for name, by in figures.items()}
