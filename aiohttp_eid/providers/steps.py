"""The steps every provider takes the same way, written once.

The lowest level a login may end with, a callback that must carry a code, the
refusal of a login below that level (and its log line), the guard against a
refresh without a refresh token, a provider answer's JSON object, and the JWKS
cache built on first use (the provider's keys URL may need discovery first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import AssuranceError, LoginError, ProviderUnavailableError
from ..identity import Assurance
from ..oidc.jwks import JwksCache
from ..oidc.tokens import TokenSet
from ..oidc.transport import HttpAnswer, HttpClient

__all__ = ["ProviderSteps", "json_object"]


def json_object(answer: HttpAnswer) -> dict[str, Any]:
    """The answer's JSON body when it is an object; an empty one otherwise (an HTML error page, a list)."""
    return answer.json if isinstance(answer.json, dict) else {}


class ProviderSteps:
    """What EidgProvider and OidcProvider share: their name, HTTP client, clock, leeway and common steps."""

    def __init__(
        self, name: str, http: HttpClient, *, clock: Callable[[], float], leeway: float, log: logging.Logger
    ) -> None:
        self.name = name
        self._log = log
        self._http = http
        self._clock = clock
        self._leeway = leeway
        #: the lowest level any login of this provider may have (set by each provider)
        self.required_assurance = Assurance.LOW
        self._jwks: JwksCache | None = None

    def minimum(self, asked: Assurance | None) -> Assurance:
        """The lowest level a login may end with when ``asked`` is requested."""
        return max(self.required_assurance, asked or Assurance.LOW)

    def callback_code(self, query: Mapping[str, str]) -> str:
        """The authorization code of a callback that reports no error; LoginError when it has none."""
        code = query.get("code")
        if not code:
            raise LoginError("callback without code or error", provider=self.name)
        return code

    def refuse_below(self, level: Assurance, asked: Assurance | None) -> None:
        """AssuranceError (logged) when a login at ``level`` is below what ``asked`` requires."""
        minimum = self.minimum(asked)
        if level < minimum:
            self._log.warning("provider %s: login at %s refused, %s required", self.name, level.name, minimum.name)
            raise AssuranceError(f"login at {level.name}, {minimum.name} required", provider=self.name)

    def refresh_token_of(self, tokens: TokenSet) -> str:
        """The refresh token; a login without one cannot be refreshed (401, the login is kept)."""
        if not tokens.refresh_token:
            raise ProviderUnavailableError("no refresh token", provider=self.name, status=401)
        return tokens.refresh_token

    async def _jwks_uri(self) -> str | None:
        """Where the provider publishes its keys (None: nowhere known)."""
        raise NotImplementedError

    async def _keys(self) -> JwksCache:
        if self._jwks is None:
            url = await self._jwks_uri()
            if not url:
                raise ProviderUnavailableError("no jwks_uri", provider=self.name, status=502)
            self._jwks = JwksCache(self._http, url, provider=self.name, clock=self._clock)
        return self._jwks
