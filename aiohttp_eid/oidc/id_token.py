"""ID token validation (OpenID Connect Core 3.1.3.7), strict."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..errors import TokenValidationError
from .jwks import SIGNING_ALGORITHMS, JwksCache

__all__ = ["validate_id_token"]


async def validate_id_token(
    token: str,
    keys: JwksCache,
    *,
    issuer: str,
    client_id: str,
    now: float,
    leeway: float,
    nonce: str | None,
    provider: str,
    algorithms: Sequence[str] = SIGNING_ALGORITHMS,
) -> dict[str, Any]:
    """The claims of a valid ID token; ``TokenValidationError`` naming the first failed check.

    Checks the signature (allowlisted asymmetric algorithms), ``iss`` exactly,
    ``aud`` (contains ``client_id``; ``azp`` required when there are several),
    ``exp``, ``iat`` (not in the future), ``nbf`` and ``nonce`` (when one was sent,
    it must come back unchanged; when none was sent, none may come back).
    """
    allowed = [a for a in algorithms if a in SIGNING_ALGORITHMS]
    _, claims = await keys.decode(token, allowed)

    def fail(reason: str) -> TokenValidationError:
        return TokenValidationError(f"ID token {reason}", provider=provider)

    if claims.get("iss") != issuer:
        raise fail("has the wrong issuer")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
    if not audiences or client_id not in audiences or not all(isinstance(a, str) for a in audiences):
        raise fail("is not for this client (aud)")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise fail("has the wrong authorized party (azp)")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise fail("has no subject")
    exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
    if exp is None or iat is None:
        raise fail("lacks exp or iat")
    if now > exp + leeway:
        raise fail("has expired")
    if iat > now + leeway:
        raise fail("was issued in the future")
    nbf = _number(claims.get("nbf"))
    if nbf is not None and nbf > now + leeway:
        raise fail("is not valid yet")
    if claims.get("nonce") != nonce:
        raise fail("has the wrong nonce" if nonce else "carries an unexpected nonce")
    return claims


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)
