"""Tokens no JOSE library will make for us: written out by hand, byte for byte.

The HS256-with-the-public-key attack signs with the provider's public PEM as
the HMAC secret; libraries rightly refuse to build that key (joserfc >= 1.8),
so the test must not depend on what a library allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hs256_jwt(claims: dict[str, Any], secret: bytes, **header: Any) -> str:
    """A compact JWS signed with HMAC-SHA256 over ``secret`` (RFC 7515 A.1)."""
    head = b64url(json.dumps({"alg": "HS256", **header}).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


def none_jwt(claims: dict[str, Any], **header: Any) -> str:
    """An unsecured JWS (``alg: none``, RFC 7515 A.5): header, payload and an empty signature."""
    return f"{b64url(json.dumps({'alg': 'none', **header}).encode())}.{b64url(json.dumps(claims).encode())}."
