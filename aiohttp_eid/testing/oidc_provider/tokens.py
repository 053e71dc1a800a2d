"""Grants, authorization codes and opaque tokens of the OpenID provider emulator.

Codes, access tokens and refresh tokens are random opaque strings remembered
here; ID tokens and userinfo JWTs are minted by the emulator from a :class:`Grant`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp_eid.testing.oidc_provider.claims import EmulatedUser

__all__ = ["AuthorizationRequest", "CodeGrant", "Grant", "TokenRecord", "TokenStore"]

TokenKind = Literal["access", "refresh"]
TokenState = Literal["active", "rotated", "revoked"]


@dataclass
class AuthorizationRequest:
    """An authorization request, filled in as it is validated."""

    client_id: str
    redirect_uri: str
    state: str | None
    created: float
    scopes: tuple[str, ...] = ()
    nonce: str | None = None
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    acr: str | None = None
    locale: str = "en"
    login_hint: str | None = None
    display: str | None = None
    prompt: tuple[str, ...] = ()
    code_challenge: str | None = None
    #: the verified claims of the request object, when there was one
    request_object: dict[str, Any] | None = None
    #: the effective parameters: the request object's values over the query's
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Grant:
    """One login of one user for one client: what its tokens may tell."""

    user: EmulatedUser
    client_id: str
    sub: str
    redirect_uri: str
    scopes: tuple[str, ...]
    claims: dict[str, dict[str, Any]]
    nonce: str | None
    acr: str | None
    auth_time: int
    sid: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    tokens: list[TokenRecord] = field(default_factory=list)
    ended: bool = False


@dataclass
class CodeGrant:
    """What an authorization code stands for until it is exchanged (once)."""

    code: str
    grant: Grant
    redirect_uri: str
    code_challenge: str | None
    created: float


@dataclass(eq=False)
class TokenRecord:
    value: str
    kind: TokenKind
    grant: Grant
    exp: float | None
    state: TokenState = "active"


class TokenStore:
    """Mints codes and opaque tokens and finds them again."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.codes: dict[str, CodeGrant] = {}
        self.used_codes: dict[str, Grant] = {}
        self.tokens: dict[str, TokenRecord] = {}

    def new_code(self, grant: Grant, *, redirect_uri: str, code_challenge: str | None) -> str:
        code = secrets.token_urlsafe(32)
        self.codes[code] = CodeGrant(code, grant, redirect_uri, code_challenge, self._clock())
        return code

    def take_code(self, code: str, lifetime: float) -> tuple[CodeGrant | None, bool]:
        """``(the code's grant or None, whether the code was already used)``; consumes it."""
        found = self.codes.pop(code, None)
        if found is None:
            replayed = self.used_codes.get(code)
            if replayed is not None:
                self.revoke_grant(replayed)  # RFC 6749 4.1.2: a replayed code kills its tokens
            return None, replayed is not None
        self.used_codes[code] = found.grant
        if self._clock() - found.created > lifetime:
            return None, False
        return found, False

    def new_token(self, grant: Grant, kind: TokenKind, lifetime: float | None) -> TokenRecord:
        value = secrets.token_urlsafe(32)
        exp = None if lifetime is None else self._clock() + lifetime
        record = TokenRecord(value, kind, grant, exp)
        self.tokens[value] = record
        grant.tokens.append(record)
        return record

    def find(self, value: str | None, kind: TokenKind) -> TokenRecord | None:
        """The record of a token of that kind (any state: the caller decides), or None."""
        record = self.tokens.get(value or "")
        return record if record is not None and record.kind == kind else None

    def live(self, record: TokenRecord | None) -> bool:
        return (
            record is not None
            and record.state == "active"
            and not record.grant.ended
            and (record.exp is None or self._clock() < record.exp)
        )

    def revoke_grant(self, grant: Grant) -> None:
        grant.ended = True
        for record in grant.tokens:
            record.state = "revoked"

    def grants(self) -> list[Grant]:
        """Every grant that still has tokens or a pending code."""
        seen: dict[int, Grant] = {}
        for record in self.tokens.values():
            seen.setdefault(id(record.grant), record.grant)
        for code in self.codes.values():
            seen.setdefault(id(code.grant), code.grant)
        return list(seen.values())
