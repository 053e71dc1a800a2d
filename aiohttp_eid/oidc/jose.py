"""JOSE helpers: reading, signing, encrypting and unwrapping tokens, with allowlisted algorithms."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import Key, KeySet, RSAKey
from joserfc.jws import JWSRegistry

from ..errors import TokenValidationError
from .jose_headers import protected_header

__all__ = [
    "ENCRYPTION_ALGORITHMS",
    "ENCRYPTION_METHODS",
    "Decrypted",
    "allowed",
    "at_hash",
    "decrypt",
    "encrypt",
    "is_encrypted",
    "pick",
    "sign",
    "unverified_claims",
    "verify",
]

#: the largest protected header read (joserfc's defaults, 512 and 1024 bytes, refuse a provider's
#: legitimate header with replicated claims or a certificate thumbprint or two)
MAX_HEADER_BYTES = 4096

#: key management algorithms we accept or use for JWE (never RSA1_5: padding oracle)
ENCRYPTION_ALGORITHMS = ("RSA-OAEP", "RSA-OAEP-256")
#: content encryption methods we accept or use
ENCRYPTION_METHODS = ("A128CBC-HS256", "A256GCM")


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The payload of a compact JWS, NOT verified, or None if it is not readable as one.

    Only for hints that make us more careful (an earlier expiry), never for trust.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def is_encrypted(token: str) -> bool:
    """True for a compact JWE (five parts)."""
    return token.count(".") == 4


def sign(claims: Mapping[str, Any], key: RSAKey, *, alg: str = "RS256", typ: str | None = None) -> str:
    """A compact JWS of ``claims`` signed with ``key`` (its kid in the header)."""
    header: dict[str, Any] = {"alg": alg, "kid": key.kid}
    if typ is not None:
        header["typ"] = typ
    return jwt.encode(header, dict(claims), key, algorithms=[alg])


def encrypt(jws: str, key: RSAKey, *, alg: str, enc: str) -> str:
    """``jws`` nested in a compact JWE for ``key`` (OpenID Core 10.2: ``cty: JWT``)."""
    if alg not in ENCRYPTION_ALGORITHMS or enc not in ENCRYPTION_METHODS:
        raise ValueError(f"encryption {alg}/{enc} is not allowed")
    header = {"alg": alg, "enc": enc, "cty": "JWT", "kid": key.kid}
    return jwe.encrypt_compact(header, jws, key, algorithms=[alg, enc])


def _jws_registry(algorithms: Sequence[str]) -> JWSRegistry:
    # unknown header parameters are ignored, as RFC 7515 section 4 requires; jose_headers
    # has already refused crit, b64 and any alg outside the (never empty) allowlist
    registry = JWSRegistry(algorithms=list(algorithms), strict_check_header=False)
    registry.max_header_length = MAX_HEADER_BYTES
    return registry


def verify(token: str, key: Key, algorithms: Sequence[str]) -> dict[str, Any]:
    """The claims of a compact JWS verified with ``key``; raises JoseError (or ValueError) when it fails.

    The caller has checked the header with ``protected_header``.
    """
    if not algorithms:
        raise ValueError("no algorithm allowed")
    return dict(jwt.decode(token, key, registry=_jws_registry(algorithms)).claims)


@dataclasses.dataclass(frozen=True, slots=True)
class Decrypted:
    """The nested JWS of a JWE, and the JWE's protected header (for RFC 7519 5.3 replicated claims)."""

    jws: str
    header: Mapping[str, Any]


def decrypt(
    token: str,
    keys: KeySet,
    *,
    algorithms: Sequence[str],
    methods: Sequence[str],
    provider: str,
    what: str,
) -> Decrypted:
    """The nested JWS of a compact JWE encrypted to one of ``keys``; TokenValidationError otherwise."""
    allowed_algs = [a for a in algorithms if a in ENCRYPTION_ALGORITHMS]
    allowed_encs = [m for m in methods if m in ENCRYPTION_METHODS]
    header = protected_header(
        token, algorithms=allowed_algs, methods=allowed_encs, encrypted=True, provider=provider, what=what
    )
    kid = header.get("kid")
    candidates = [k for k in keys if kid is None or k.kid == kid]
    if not candidates:
        raise TokenValidationError(f"{what} encrypted to an unknown key", provider=provider)
    registry = JWERegistry(algorithms=[*allowed_algs, *allowed_encs], strict_check_header=False)
    registry.max_protected_header_length = MAX_HEADER_BYTES
    plaintext: bytes | None = None
    failure = ""
    for key in candidates:
        try:
            plaintext = jwe.decrypt_compact(token, key, registry=registry).plaintext
            break
        # joserfc raises ValueError (not only JoseError) for some malformed JWEs
        except (JoseError, ValueError, TypeError, KeyError, binascii.Error) as exc:
            failure = type(exc).__name__
    else:
        raise TokenValidationError(f"{what} cannot be decrypted: {failure}", provider=provider)
    if not plaintext:
        raise TokenValidationError(f"{what} is empty", provider=provider)
    return Decrypted(plaintext.decode("ascii", errors="replace"), header)


def at_hash(access_token: str, alg: str) -> str | None:
    """OpenID Core 3.1.3.6: the left half of the hash of the access token, base64url.

    None when the token is not ASCII (RFC 6749 A.12: no such token is valid), so it never matches.
    """
    bits = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}.get(alg[-3:], hashlib.sha256)
    try:
        digest = bits(access_token.encode("ascii")).digest()
    except UnicodeEncodeError:
        return None
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def pick(preferred: Sequence[str], supported: Any, *, unlisted: str) -> str | None:
    """The first of ``preferred`` a provider lists as ``supported``; ``unlisted`` (the common default) when it
    lists none; None when it lists others only."""
    if not isinstance(supported, list):
        return unlisted
    return next((p for p in preferred if p in supported), None)


def allowed(ours: Sequence[str], supported: Any) -> list[str]:
    """The algorithms of ``ours`` a provider lists as ``supported`` (all of ours when it lists none)."""
    return [a for a in ours if not isinstance(supported, list) or a in supported]
