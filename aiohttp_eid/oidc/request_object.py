"""Request objects (OpenID Core 6.1): the authorization request as a signed, optionally encrypted JWT."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from joserfc.jwk import RSAKey

from .jose import encrypt, sign

__all__ = ["QUERY_REPEATED", "request_object"]

#: parameters repeated outside the object: OAuth 2.0 requires them in the query, and itsme checks them there;
#: ``state`` too (OpenID Core 6.1), so that an error the provider answers before reading the object (one it
#: cannot decrypt) comes back with the state of its login
QUERY_REPEATED = ("client_id", "response_type", "scope", "redirect_uri", "state")
LIFETIME = 300


def request_object(
    params: Mapping[str, Any],
    *,
    client_id: str,
    audience: str,
    signing_key: RSAKey,
    now: float,
    encryption: tuple[RSAKey, str, str] | None,
) -> str:
    """``params`` as a JWT signed RS256 by ``signing_key``, then encrypted when ``encryption`` (key, alg, enc)."""
    claims: dict[str, Any] = {
        "iss": client_id,
        "aud": audience,
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + LIFETIME,
        "jti": secrets.token_urlsafe(16),
    }
    claims.update(params)  # the claims parameter is an object here, not JSON text (OpenID Core 6.1)
    signed = sign(claims, signing_key, alg="RS256")
    if encryption is None:
        return signed
    key, alg, enc = encryption
    return encrypt(signed, key, alg=alg, enc=enc)
