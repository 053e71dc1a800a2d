"""``GET {prefix}/jwks.json``: the application's public keys, for providers to fetch.

Only public parts, served from bytes made once at startup, with cache headers
(providers cache it for ``MAX_AGE``). A ``next`` key is published as soon as the
application restarts with it; how long to wait before using it is the operator's
choice (``RelyingPartyKeys.rotate`` does no timing; see docs/keys.md, Rotation).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from aiohttp import web
from aiohttp.typedefs import Handler

from ..rp_keys import RelyingPartyKeys

__all__ = ["jwks_handler"]

MAX_AGE = 3600


def jwks_handler(key_sets: Iterable[RelyingPartyKeys]) -> Handler:
    """A handler serving the union of the public JWKS of ``key_sets``."""
    keys: dict[str, dict[str, object]] = {}
    for key_set in key_sets:
        for jwk in key_set.public_jwks()["keys"]:
            keys[str(jwk["kid"])] = jwk
    body = json.dumps({"keys": list(keys.values())}, separators=(",", ":")).encode()
    headers = {
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }

    async def jwks(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/jwk-set+json", headers=headers)

    return jwks
