"""OpenID Provider metadata (OpenID Connect Discovery 1.0), cached.

A fresh copy is fetched after ``ttl``; when that fails, the last good copy is
used for at most ``stale_for`` more seconds, then the failure shows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from yarl import URL

from ..errors import ProviderUnavailableError
from ..urls import is_loopback_host
from .transport import HttpClient

__all__ = ["DiscoveryCache"]

_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
    "revocation_endpoint",
)


def _endpoint(value: Any, *, allow_http: bool) -> str | None:
    """``value`` normalised, when it is an absolute https URL (http too, on loopback, with ``allow_http``).

    yarl's normalisation drops CR, LF and tab (as browsers do), so nothing a provider
    publishes can split a log line.
    """
    if not isinstance(value, str) or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    try:
        url = URL(value)
        url.port  # noqa: B018 - yarl checks the port only when it is read
    except ValueError:
        return None
    if not url.absolute or not url.host or url.user or url.password or url.fragment:
        return None
    if url.scheme == "https" or (url.scheme == "http" and allow_http and is_loopback_host(url.host)):
        return str(url)
    return None


log = logging.getLogger("aiohttp_eid.oidc")


class DiscoveryCache:
    """The provider's discovery document, checked against the expected issuer."""

    def __init__(
        self,
        http: HttpClient,
        url: str,
        *,
        issuer: str | None,
        provider: str,
        clock: Callable[[], float],
        ttl: float = 3600.0,
        stale_for: float = 86400.0,
    ) -> None:
        self._http = http
        self.url = url
        self._issuer = issuer
        self._provider = provider
        self._clock = clock
        self._ttl = ttl
        self._stale_for = stale_for
        # plain-http endpoints only for a provider we reach on loopback ourselves (development)
        self._allow_http = is_loopback_host(URL(url).host)
        self._document: Mapping[str, Any] | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def document(self) -> Mapping[str, Any]:
        """The metadata; raises ProviderUnavailableError when none usable can be had."""
        async with self._lock:
            age = self._clock() - self._fetched_at
            if self._document is not None and age < self._ttl:
                return self._document
            try:
                self._document = await self._fetch()
                self._fetched_at = self._clock()
            except ProviderUnavailableError:
                if self._document is None or age >= self._ttl + self._stale_for:
                    raise
                log.warning("provider %s: discovery refresh failed, using the last good copy", self._provider)
            return self._document

    async def _fetch(self) -> Mapping[str, Any]:
        answer = await self._http.call("GET", self.url, provider=self._provider)
        doc = answer.json
        if not answer.ok or not isinstance(doc, dict):
            raise ProviderUnavailableError(
                f"discovery answer {answer.status} unusable", provider=self._provider, status=502
            )
        # OpenID Connect Discovery 4.3: the issuer must be exactly the one expected
        expected = self._issuer or self.url.removesuffix("/.well-known/openid-configuration")
        if doc.get("issuer") != expected:
            raise ProviderUnavailableError("discovery issuer does not match", provider=self._provider, status=502)
        doc = dict(doc)
        for name in _ENDPOINTS:
            if name in doc:
                endpoint = _endpoint(doc[name], allow_http=self._allow_http)
                if endpoint is None:
                    raise ProviderUnavailableError(
                        f"discovery {name} is not an https URL", provider=self._provider, status=502
                    )
                doc[name] = endpoint
        return doc
