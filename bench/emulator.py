"""An emulated provider in its own process, for the benchmarks.

python -m bench.emulator --kind eidg --port 8101 [--lifetime 86400]
python -m bench.emulator --kind itsme --port 8102 --rp-jwks http://127.0.0.1:8001/auth/jwks.json
python -m bench.emulator --kind oidc --port 8103
"""

from __future__ import annotations

import argparse
import asyncio

from aiohttp_eid.testing import EidgEmulator, ItsmeEmulator, OidcProviderEmulator


async def serve(kind: str, port: int, lifetime: int, rp_jwks: str) -> None:
    emulator: EidgEmulator | ItsmeEmulator | OidcProviderEmulator
    if kind == "eidg":
        emulator = EidgEmulator(auto_approve="ada", token_lifetime=lifetime, access_token_jwt_lifetime=lifetime)
    elif kind == "itsme":
        emulator = ItsmeEmulator(auto_approve="jan", rp_jwks_uri=rp_jwks)
    else:  # a plain standard provider: client_secret_basic, PKCE, RS256 ID token, JSON user info
        emulator = OidcProviderEmulator(auto_approve="jan", token_lifetime=lifetime)
    await emulator.start(port=port)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("eidg", "itsme", "oidc"), required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lifetime", type=int, default=86400)
    parser.add_argument("--rp-jwks", default="")
    args = parser.parse_args()
    asyncio.run(serve(args.kind, args.port, args.lifetime, args.rp_jwks))


if __name__ == "__main__":
    main()
