"""What a JOSE header may say before any key touches the token (RFC 7515 4, RFC 7516 4, RFC 7519 5.3, RFC 8725).

- The protected header is one JSON object with no duplicate member names (RFC 7515 5.2 step 4).
- Parameters we do not understand are ignored (RFC 7515 4, RFC 7516 4), unless ``crit`` lists them:
  we implement no extension, so any ``crit`` is refused (RFC 7515 4.1.11).
- ``b64: false`` (RFC 7797) is not a JWT; ``zip`` is refused (a compressed JWE can be a decompression bomb).
- ``alg`` and ``enc`` must be in the caller's allowlist, which is never empty (RFC 8725 3.1).
- Keys come only from our own configuration: ``jwk``, ``jku``, ``x5u`` and ``x5c`` are never used.
- ``iss``, ``sub`` and ``aud`` replicated in a JWE header must equal the inner token's (RFC 7519 5.3).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import TokenValidationError

__all__ = ["REPLICATED_CLAIMS", "check_replicated", "protected_header"]

#: claims an encrypted JWT may repeat in its header (RFC 7519 5.3)
REPLICATED_CLAIMS = ("iss", "sub", "aud")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise ValueError("duplicate member")
        out[name] = value
    return out


def protected_header(
    token: str,
    *,
    algorithms: Sequence[str],
    methods: Sequence[str] = (),
    encrypted: bool = False,
    provider: str,
    what: str,
) -> dict[str, Any]:
    """The protected header of a compact JWS (or JWE with ``encrypted``), checked; TokenValidationError otherwise."""

    def fail(reason: str) -> TokenValidationError:
        return TokenValidationError(f"{what} {reason}", provider=provider)

    if not algorithms or (encrypted and not methods):
        # an empty allowlist must never let the JOSE library choose (RFC 8725 3.1)
        raise fail("cannot be accepted: no algorithm both we and the provider allow")
    segment = token.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        header = json.loads(raw, object_pairs_hook=_no_duplicates)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise fail("has an unreadable header") from None
    if not isinstance(header, dict):
        raise fail("has an unreadable header")
    if "crit" in header:
        raise fail("uses a critical header extension we do not implement (crit)")
    if header.get("b64", True) is not True:
        raise fail("has an unencoded payload (b64)")
    if header.get("alg") not in algorithms:
        raise fail("uses an algorithm we do not accept (alg)")
    if encrypted:
        if "zip" in header:
            raise fail("is compressed (zip)")
        if header.get("enc") not in methods:
            raise fail("uses an encryption method we do not accept (enc)")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise fail("has a malformed key id (kid)")
    return header


def check_replicated(header: Mapping[str, Any], claims: Mapping[str, Any], *, provider: str, what: str) -> None:
    """RFC 7519 5.3: claims repeated in a JWE header must be identical to the inner token's."""
    for name in REPLICATED_CLAIMS:
        if name in header and header[name] != claims.get(name):
            raise TokenValidationError(f"{what} header {name} differs from its claims", provider=provider)
