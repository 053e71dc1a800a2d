"""Authorization codes, grants and the RS256 tokens the EIDG emulator issues.

Tokens look like the document's: access tokens carry ``aud``, ``nbf``, ``iss``,
``exp``, ``iat`` and ``jti`` (the document's examples have ``iss`` equal to the
client id, and so do these), refresh tokens ``exp``, ``client_id`` and ``jti``.
The ID token (not shown decoded in the document) is a plain OpenID Connect one
signed with the key published at ``/oauth2/jwks``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from aiohttp_eid.testing.eidg.errors import EidgFailure
from aiohttp_eid.testing.eidg.users import EidgUser

__all__ = ["CODE_LIFETIME", "CodeGrant", "Grant", "TokenRecord", "TokenStore"]

CODE_LIFETIME = 60.0
TokenKind = Literal["access", "refresh"]
TokenState = Literal["active", "rotated", "expired", "revoked"]


@dataclass(eq=False)
class Grant:
    """One login: the tokens issued for it share its fate."""

    user: EidgUser
    method: str
    nonce: str | None
    raw_request: str | None
    raw_response: str | None
    tokens: list[TokenRecord] = field(default_factory=list)


@dataclass
class CodeGrant:
    """What an authorization code stands for until it is exchanged."""

    code: str
    grant: Grant
    redirect_uri: str
    code_challenge: str | None
    created: float


@dataclass(eq=False)
class TokenRecord:
    jti: str
    kind: TokenKind
    grant: Grant
    exp: float
    state: TokenState = "active"


class TokenStore:
    """Mints tokens, remembers them by ``jti`` and answers EIDG_14/EIDG_15 for bad ones."""

    def __init__(
        self,
        *,
        key: RSAKey,
        client_id: str,
        issuer: Callable[[], str],
        clock: Callable[[], float],
        access_lifetime: int,
        refresh_lifetime: int,
        id_token_lifetime: int,
    ) -> None:
        self.key = key
        self.client_id = client_id
        self._issuer = issuer
        self._clock = clock
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self.id_token_lifetime = id_token_lifetime
        self.codes: dict[str, CodeGrant] = {}
        self.used_codes: set[str] = set()
        self.tokens: dict[str, TokenRecord] = {}

    # -- codes -------------------------------------------------------------------------

    def new_code(self, grant: Grant, *, redirect_uri: str, code_challenge: str | None) -> str:
        code = str(uuid.uuid4())  # the document's codes are UUIDs
        self.codes[code] = CodeGrant(code, grant, redirect_uri, code_challenge, self._clock())
        return code

    def take_code(self, code: str) -> CodeGrant | None:
        """The code's grant, consumed; None if unknown, already used or expired."""
        grant = self.codes.pop(code, None)
        if grant is None:
            return None
        self.used_codes.add(code)
        if self._clock() - grant.created > CODE_LIFETIME:
            return None
        return grant

    # -- minting -----------------------------------------------------------------------

    def _sign(self, claims: dict[str, object], *, kid: bool = False) -> str:
        header: dict[str, object] = {"typ": "JWT", "alg": "RS256"}
        if kid:
            header["kid"] = self.key.kid
        return jwt.encode(header, claims, self.key, algorithms=["RS256"])

    def _remember(self, grant: Grant, kind: TokenKind, exp: int) -> str:
        jti = str(uuid.uuid4())
        record = TokenRecord(jti=jti, kind=kind, grant=grant, exp=exp)
        self.tokens[jti] = record
        grant.tokens.append(record)
        return jti

    def access_token(self, grant: Grant) -> str:
        now = int(self._clock())
        exp = now + self.access_lifetime
        jti = self._remember(grant, "access", exp)
        claims: dict[str, object] = {
            "aud": self.client_id,
            "nbf": now,
            "iss": self.client_id,
            "exp": exp,
            "iat": now,
            "jti": jti,
        }
        return self._sign(claims)

    def refresh_token(self, grant: Grant) -> str:
        exp = int(self._clock()) + self.refresh_lifetime
        jti = self._remember(grant, "refresh", exp)
        return self._sign({"exp": exp, "client_id": self.client_id, "jti": jti})

    def id_token(self, grant: Grant, *, with_nonce: bool) -> str:
        now = int(self._clock())
        claims: dict[str, object] = {
            "iss": self._issuer(),
            "sub": grant.user.subject,
            "aud": self.client_id,
            "iat": now,
            "exp": now + self.id_token_lifetime,
        }
        if with_nonce and grant.nonce is not None:
            claims["nonce"] = grant.nonce
        return self._sign(claims, kid=True)

    # -- checking ----------------------------------------------------------------------

    def find(self, token: str | None, *, status: int) -> TokenRecord:
        """The record of a token this emulator issued.

        Raises EIDG_15 (``status``) for something that is not one of our JWTs and
        EIDG_14 (``status``) for a missing token or one we no longer know.
        Expired, revoked and rotated records are returned: the caller decides.
        """
        if not token:
            raise EidgFailure("EIDG_14", status)
        try:
            claims = jwt.decode(token, self.key, algorithms=["RS256"]).claims
        except (JoseError, ValueError, TypeError, UnicodeError) as exc:
            raise EidgFailure("EIDG_15", status) from exc
        jti = claims.get("jti")
        record = self.tokens.get(jti) if isinstance(jti, str) else None
        if record is None:
            raise EidgFailure("EIDG_14", status)
        return record

    def live(self, record: TokenRecord, *, status: int) -> TokenRecord:
        """``record`` if it is still usable, else EIDG_14."""
        if record.state != "active" or self._clock() >= record.exp:
            raise EidgFailure("EIDG_14", status)
        return record

    def revoke_grant(self, grant: Grant) -> None:
        for record in grant.tokens:
            record.state = "revoked"

    def expire_access_tokens(self) -> None:
        for record in self.tokens.values():
            if record.kind == "access" and record.state == "active":
                record.state = "expired"

    def revoke_all(self) -> None:
        for record in self.tokens.values():
            record.state = "revoked"
        self.used_codes.update(self.codes)
        self.codes.clear()
