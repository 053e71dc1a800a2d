"""ID token validation (OpenID Connect Core 3.1.3.7), strict; refreshed ID tokens (12.2) bound to the first."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import LoginExpiredError, TokenValidationError
from .jose import at_hash
from .jose_headers import check_replicated
from .jwks import SIGNING_ALGORITHMS, JwksCache
from .numbers import finite_number

__all__ = ["id_token_binding", "validate_id_token"]


def _digest(value: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()[:16]).rstrip(b"=").decode()


def id_token_binding(claims: Mapping[str, Any]) -> dict[str, Any]:
    """What a refreshed ID token must match (OpenID Core 12.2), small enough for a cookie.

    The nonce is kept as a digest: it is only ever compared.
    """
    out: dict[str, Any] = {"sub": claims["sub"], "iat": claims["iat"]}
    if "auth_time" in claims:
        out["auth_time"] = claims["auth_time"]
    if isinstance(claims.get("nonce"), str):
        out["nonce"] = _digest(claims["nonce"])
    return out


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
    access_token: str | None = None,
    encrypted_header: Mapping[str, Any] | None = None,
    first: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The claims of a valid ID token; ``TokenValidationError`` naming the first failed check.

    Checks the signature (allowlisted asymmetric algorithms), ``iss`` exactly,
    ``aud`` (contains ``client_id``; ``azp`` required when there are several),
    ``exp``, ``iat`` (not in the future), ``nbf``, ``nonce`` (when one was sent,
    it must come back unchanged; when none was sent, none may come back),
    ``at_hash`` against ``access_token`` when present, and claims replicated in
    the JWE header that carried it (``encrypted_header``, RFC 7519 5.3).

    With ``first`` (the ``id_token_binding`` of the login's first ID token) this
    is a refreshed ID token (OpenID Core 12.2): the same ``sub`` and
    ``auth_time``, an ``iat`` not before the first's, and a ``nonce``, if any,
    equal to the first's; ``nonce`` is then ignored.
    """
    header, claims = await keys.decode(token, [a for a in algorithms if a in SIGNING_ALGORITHMS], what="ID token")

    def fail(reason: str) -> TokenValidationError:
        return TokenValidationError(f"ID token {reason}", provider=provider)

    if encrypted_header is not None:
        check_replicated(encrypted_header, claims, provider=provider, what="ID token")
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
    exp, iat = finite_number(claims.get("exp")), finite_number(claims.get("iat"))
    if exp is None or iat is None:
        raise fail("lacks exp or iat")
    if now > exp + leeway:
        raise fail("has expired")
    if iat > now + leeway:
        raise fail("was issued in the future")
    nbf = finite_number(claims.get("nbf"))
    if nbf is not None and nbf > now + leeway:
        raise fail("is not valid yet")
    if first is None:
        if claims.get("nonce") != nonce:
            raise fail("has the wrong nonce" if nonce else "carries an unexpected nonce")
    else:
        _check_refreshed(claims, iat, first, fail)
    if "at_hash" in claims and (access_token is None or claims["at_hash"] != at_hash(access_token, header["alg"])):
        raise fail("at_hash does not match the access token")
    return claims


def _check_refreshed(claims: Mapping[str, Any], iat: float, first: Mapping[str, Any], fail: Any) -> None:
    if claims["sub"] != first.get("sub"):
        # never carry on as someone else: the login ends
        raise LoginExpiredError("ID token of the refresh is about another subject")
    first_iat = finite_number(first.get("iat"))
    if first_iat is not None and iat < first_iat:
        raise fail("of the refresh is older than the login's")
    if "auth_time" in claims and claims["auth_time"] != first.get("auth_time"):
        raise fail("of the refresh has another auth_time")
    nonce = claims.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or _digest(nonce) != first.get("nonce")):
        raise fail("of the refresh has another nonce")
