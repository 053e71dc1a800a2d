"""JOSE helpers: reading, signing, encrypting and unwrapping tokens, with allowlisted algorithms."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from ..errors import TokenValidationError

__all__ = [
    "ENCRYPTION_ALGORITHMS",
    "ENCRYPTION_METHODS",
    "at_hash",
    "decrypt",
    "encrypt",
    "is_encrypted",
    "sign",
    "unverified_claims",
]

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
    except (binascii.Error, ValueError, UnicodeDecodeError):
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


def decrypt(
    token: str,
    keys: KeySet,
    *,
    algorithms: Sequence[str],
    methods: Sequence[str],
    provider: str,
    what: str,
) -> str:
    """The nested JWS of a compact JWE encrypted to one of ``keys``; TokenValidationError otherwise."""
    allowed = [a for a in algorithms if a in ENCRYPTION_ALGORITHMS] + [m for m in methods if m in ENCRYPTION_METHODS]
    try:
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        kid = header.get("kid") if isinstance(header, dict) else None
        candidates = [k for k in keys if kid is None or k.kid == kid]
        if not candidates:
            raise TokenValidationError(f"{what} encrypted to an unknown key", provider=provider)
        for key in candidates:
            try:
                plaintext = jwe.decrypt_compact(token, key, algorithms=allowed).plaintext
                break
            except JoseError:
                if key is candidates[-1]:
                    raise
    except TokenValidationError:
        raise
    # joserfc raises ValueError (not only JoseError) for some malformed JWEs
    except (JoseError, ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise TokenValidationError(f"{what} cannot be decrypted: {type(exc).__name__}", provider=provider) from None
    if plaintext is None:
        raise TokenValidationError(f"{what} is empty", provider=provider)
    return plaintext.decode("ascii", errors="replace")


def at_hash(access_token: str, alg: str) -> str:
    """OpenID Core 3.1.3.6: the left half of the hash of the access token, base64url."""
    bits = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}.get(alg[-3:], hashlib.sha256)
    digest = bits(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")
