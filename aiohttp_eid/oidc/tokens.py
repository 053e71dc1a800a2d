"""Token responses (RFC 6749 section 5.1) and the token set a login keeps."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from ..errors import ProviderUnavailableError
from .jose import unverified_claims
from .numbers import finite_number

__all__ = ["TokenSet", "parse_token_response"]

# camelCase (EIDG's text) -> snake_case (RFC 6749, EIDG's curl examples)
_CAMEL = {
    "accessToken": "access_token",
    "refreshToken": "refresh_token",
    "idToken": "id_token",
    "expiresIn": "expires_in",
    "tokenType": "token_type",
}


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TokenSet:
    """The tokens of one login, with absolute expiry times (Unix seconds)."""

    access_token: str
    obtained_at: float
    expires_at: float | None = None
    refresh_token: str | None = None
    refresh_expires_at: float | None = None
    id_token: str | None = None
    #: what a refreshed ID token must match (``id_token_binding`` of the first; OpenID Core 12.2)
    id_binding: Mapping[str, Any] | None = None

    def __repr__(self) -> str:
        return f"TokenSet(expires_at={self.expires_at!r}, refresh={self.refresh_token is not None})"

    def refresh_at(self, leeway: float) -> float:
        """When the access token is due a refresh: ``leeway`` before its expiry (inf: never).

        The leeway is never more than a third of the token's lifetime, so a short-lived
        token is not refreshed on every request.
        """
        if self.expires_at is None:
            return math.inf
        lifetime = max(0.0, self.expires_at - self.obtained_at)
        return self.expires_at - min(leeway, lifetime / 3)

    def refresh_due(self, now: float, leeway: float) -> bool:
        """True once ``now`` is within ``leeway`` of the access token's expiry (see ``refresh_at``)."""
        return now >= self.refresh_at(leeway)

    def expired(self, now: float) -> bool:
        """True once the access token's expiry has passed."""
        return self.expires_at is not None and now >= self.expires_at

    def refresh_alive(self, now: float) -> bool:
        """True while there is a refresh token that is not known to have expired."""
        if self.refresh_token is None:
            return False
        return self.refresh_expires_at is None or now < self.refresh_expires_at

    def to_dict(self) -> dict[str, Any]:
        """Compact form for the session."""
        out: dict[str, Any] = {"a": self.access_token, "o": self.obtained_at}
        for key, value in (
            ("e", self.expires_at),
            ("r", self.refresh_token),
            ("re", self.refresh_expires_at),
            ("i", self.id_token),
            ("b", self.id_binding),
        ):
            if value is not None:
                out[key] = value
        return out

    @staticmethod
    def obtained_at_of(data: Mapping[str, Any]) -> float:
        """When the tokens in ``to_dict``'s form were obtained (their version), without reading the rest."""
        return float(data["o"])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenSet:
        """Read back ``to_dict``'s form."""
        return cls(
            access_token=data["a"],
            obtained_at=data["o"],
            expires_at=data.get("e"),
            refresh_token=data.get("r"),
            refresh_expires_at=data.get("re"),
            id_token=data.get("i"),
            id_binding=data.get("b"),
        )


def parse_token_response(
    body: Any,
    *,
    now: float,
    provider: str,
    previous: TokenSet | None = None,
    keep_id_token: bool = False,
) -> tuple[TokenSet, str | None]:
    """The token set and the raw ID token (if any) of a successful token response.

    Both camelCase and snake_case field names are accepted (EIDG's document shows
    both). When the access token is a readable JWT, the earlier of ``expires_in``
    and its ``exp`` counts. On a refresh, a response without a refresh token keeps
    the ``previous`` one (RFC 6749 section 6).
    """
    if not isinstance(body, Mapping):
        raise ProviderUnavailableError("token response is not a JSON object", provider=provider, status=502)
    if any(key in body for key in _CAMEL):
        body = {_CAMEL.get(k, k): v for k, v in body.items() if k in _CAMEL}
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ProviderUnavailableError("token response has no access token", provider=provider, status=502)
    token_type = body.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise ProviderUnavailableError("token type is not Bearer", provider=provider, status=502)
    refresh = body.get("refresh_token")
    id_token = body.get("id_token")
    if (refresh is not None and not isinstance(refresh, str)) or (
        id_token is not None and not isinstance(id_token, str)
    ):
        raise ProviderUnavailableError("token response has a malformed token", provider=provider, status=502)
    expires_at = _expiry(body.get("expires_in"), now, provider)
    jwt_exp = _jwt_exp(access)
    if jwt_exp is not None:
        expires_at = jwt_exp if expires_at is None else min(expires_at, jwt_exp)
    if refresh is None and previous is not None:
        refresh, refresh_expires_at = previous.refresh_token, previous.refresh_expires_at
    else:
        refresh_expires_at = _jwt_exp(refresh) if refresh else None
    tokens = TokenSet(
        access_token=access,
        obtained_at=now,
        expires_at=expires_at,
        refresh_token=refresh or None,
        refresh_expires_at=refresh_expires_at,
        id_token=id_token if keep_id_token else None,
        id_binding=previous.id_binding if previous is not None else None,
    )
    return tokens, id_token or None


def _expiry(value: Any, now: float, provider: str) -> float | None:
    if value is None:
        return None
    # str.isdigit() is true for "²", which int() refuses: only ASCII digits, of a sane length
    if isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) <= 12:
        value = int(value)
    seconds = finite_number(value)
    if seconds is None:
        raise ProviderUnavailableError("token response has a malformed expires_in", provider=provider, status=502)
    if seconds <= 0:
        raise ProviderUnavailableError("token response has a non-positive expires_in", provider=provider, status=502)
    return now + seconds


def _jwt_exp(token: str) -> float | None:
    claims = unverified_claims(token)
    return finite_number(claims.get("exp")) if claims else None
