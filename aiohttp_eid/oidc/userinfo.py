"""The UserInfo response (OpenID Core 5.3.2): JSON, or a signed and optionally encrypted JWT."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from joserfc.jwk import KeySet

from ..errors import ProviderUnavailableError, TokenValidationError
from .jose import decrypt, is_encrypted
from .jose_headers import check_replicated
from .jwks import JwksCache
from .transport import HttpAnswer

__all__ = ["userinfo_claims"]


async def userinfo_claims(
    answer: HttpAnswer,
    *,
    provider: str,
    issuer: str,
    client_id: str,
    expected_sub: str,
    provider_keys: JwksCache,
    decryption_keys: KeySet | None,
    encryption_algorithms: Sequence[str],
    encryption_methods: Sequence[str],
    signing_algorithms: Sequence[str],
    require_encryption: bool = False,
) -> dict[str, Any]:
    """The claims of a successful userinfo answer, with ``sub`` equal to the ID token's."""
    if answer.content_type == "application/jwt":
        token = answer.body.decode("ascii", errors="replace").strip()
        outer: Mapping[str, Any] = {}
        if is_encrypted(token):
            if decryption_keys is None:
                raise TokenValidationError("userinfo is encrypted but no keys are configured", provider=provider)
            decrypted = decrypt(
                token,
                decryption_keys,
                algorithms=encryption_algorithms,
                methods=encryption_methods,
                provider=provider,
                what="userinfo",
            )
            token, outer = decrypted.jws, decrypted.header
        elif require_encryption:
            raise TokenValidationError("userinfo is signed but not encrypted", provider=provider)
        _, claims = await provider_keys.decode(token, signing_algorithms, what="userinfo")
        check_replicated(outer, claims, provider=provider, what="userinfo")
        # if signed, iss and aud SHOULD be there; when they are, they must be right
        if "iss" in claims and claims["iss"] != issuer:
            raise TokenValidationError("userinfo has the wrong issuer", provider=provider)
        aud = claims.get("aud")
        if aud is not None and client_id not in (
            [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        ):
            raise TokenValidationError("userinfo is not for this client", provider=provider)
    elif require_encryption:
        raise TokenValidationError("userinfo is not a signed and encrypted JWT", provider=provider)
    elif isinstance(answer.json, dict):
        claims = answer.json
    else:
        raise ProviderUnavailableError("userinfo answer is neither JSON nor a JWT", provider=provider, status=502)
    if claims.get("sub") != expected_sub:
        raise TokenValidationError("userinfo is about another subject than the ID token", provider=provider)
    return claims
