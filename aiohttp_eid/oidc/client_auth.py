"""Client authentication at the token endpoint (RFC 6749 2.3, OpenID Core 9)."""

from __future__ import annotations

import base64
import dataclasses
import secrets
from collections.abc import Callable
from typing import Literal
from urllib.parse import quote_plus

from joserfc.jwk import RSAKey

from .jose import sign

__all__ = ["ASSERTION_TYPE", "ClientAuthenticator", "basic_authorization", "client_assertion"]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: how long a client assertion is valid: just long enough for the request it authenticates
ASSERTION_LIFETIME = 60


def basic_authorization(client_id: str, client_secret: str) -> str:
    """``client_secret_basic``: the Authorization header value (RFC 6749 section 2.3.1).

    Both parts are form-urlencoded before base64, as the RFC asks; for the usual
    alphanumeric credentials this changes nothing.
    """
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def client_assertion(client_id: str, audience: str, key: RSAKey, now: float) -> str:
    """``private_key_jwt``: iss = sub = client_id, aud = the token endpoint, a one-use jti, short exp."""
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": secrets.token_urlsafe(24),
        "iat": int(now),
        "exp": int(now) + ASSERTION_LIFETIME,
    }
    return sign(claims, key, alg="RS256")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClientAuthenticator:
    """Adds a client's credentials to a token (or revocation) request."""

    method: Literal["client_secret_basic", "client_secret_post", "private_key_jwt"]
    client_id: str
    client_secret: str | None = None
    key: RSAKey | None = None
    clock: Callable[[], float]
    #: the client_secret_basic header, built once: it never changes
    _basic: str = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_basic", basic_authorization(self.client_id, self.client_secret or ""))

    def apply(self, endpoint: str, headers: dict[str, str], form: dict[str, str]) -> None:
        """Put the credentials into ``headers`` or ``form`` for a request to ``endpoint``."""
        if self.method == "client_secret_basic":
            headers["Authorization"] = self._basic
        elif self.method == "client_secret_post":
            form["client_id"] = self.client_id
            form["client_secret"] = self.client_secret or ""
        else:
            assert self.key is not None
            form["client_id"] = self.client_id
            form["client_assertion_type"] = ASSERTION_TYPE
            form["client_assertion"] = client_assertion(self.client_id, endpoint, self.key, self.clock())
