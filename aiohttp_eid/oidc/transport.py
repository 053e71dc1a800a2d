"""Outbound HTTP to providers: one shared ClientSession, a timeout and a size cap on every call.

Every failure becomes a ``ProviderUnavailableError`` with a fitting status
(503 unreachable, 504 too slow, 502 an answer we cannot use), so no network
error ever escapes as a 500. Only idempotent GETs are retried, once, and only
when the connection failed.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import aiohttp

from ..errors import ProviderUnavailableError

__all__ = ["HttpAnswer", "HttpClient", "cache_max_age", "new_client_session", "unusable"]

log = logging.getLogger("aiohttp_eid.http")

USER_AGENT = "aiohttp-eid"
_FORM = "application/x-www-form-urlencoded"


def new_client_session(timeout: float) -> aiohttp.ClientSession:
    """The plugin's one outbound session.

    A ``DummyCookieJar``: provider and load-balancer cookies must never travel
    between different users' back-channel calls.
    """
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 5.0)),
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": USER_AGENT},
        auto_decompress=True,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class HttpAnswer:
    """A provider's answer: status, content type and body (parsed JSON when it was JSON)."""

    status: int
    content_type: str
    body: bytes
    json: Any = None
    #: the cache lifetime the answer allows (Cache-Control max-age; 0 for no-store or no-cache)
    max_age: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class HttpClient:
    """Calls providers through one ClientSession with bounded answers."""

    def __init__(self, *, timeout: float, max_bytes: int) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the ClientSession (inside the running loop, at application startup)."""
        if self._session is None:
            self._session = new_client_session(self.timeout)

    async def close(self) -> None:
        """Close the ClientSession (application cleanup)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("aiohttp-eid's HTTP client is used before application startup")
        return self._session

    async def call(
        self,
        method: str,
        url: str,
        *,
        provider: str,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        parse_json: bool = True,
    ) -> HttpAnswer:
        """Send one request; parse a JSON body when the answer has one."""
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                return await self._call_once(method, url, provider, headers, data, parse_json)
            except aiohttp.ClientConnectionError as exc:
                if attempt + 1 == attempts or isinstance(exc, aiohttp.ServerTimeoutError):
                    log.warning(
                        "provider %s unreachable (%s %s): %s", provider, method, _where(url), type(exc).__name__
                    )
                    raise ProviderUnavailableError(
                        f"{method} {_where(url)}: {type(exc).__name__}",
                        provider=provider,
                        status=504 if isinstance(exc, aiohttp.ServerTimeoutError) else 503,
                    ) from None
            except TimeoutError:
                log.warning("provider %s too slow (%s %s)", provider, method, _where(url))
                raise ProviderUnavailableError(
                    f"{method} {_where(url)}: timed out",
                    provider=provider,
                    status=504,
                ) from None
            except aiohttp.ClientError as exc:
                log.warning("provider %s answered badly (%s %s): %s", provider, method, _where(url), type(exc).__name__)
                raise ProviderUnavailableError(
                    f"{method} {_where(url)}: {type(exc).__name__}",
                    provider=provider,
                    status=502,
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _call_once(
        self,
        method: str,
        url: str,
        provider: str,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        parse_json: bool,
    ) -> HttpAnswer:
        body: bytes | None = None
        if data is not None:
            # encoded here, as aiohttp's FormData would (RFC 6749 appendix B), without its multipart machinery
            body = urlencode(data).encode("ascii")
            headers = {**(headers or {}), "Content-Type": _FORM}
        async with self.session.request(method, url, headers=headers, data=body, allow_redirects=False) as resp:
            if resp.content_length is not None and resp.content_length > self.max_bytes:
                raise self._too_large(method, url, provider)
            received = bytearray()
            async for chunk in resp.content.iter_chunked(65536):
                received += chunk
                if len(received) > self.max_bytes:
                    raise self._too_large(method, url, provider)
            content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            status, max_age = resp.status, cache_max_age(resp.headers)
        parsed = None
        if parse_json and received and (content_type.endswith("json") or not content_type):
            try:
                parsed = json.loads(received)
            except (ValueError, UnicodeDecodeError, RecursionError):
                parsed = None  # announced as JSON but is not: callers see "not an object"
        return HttpAnswer(status, content_type, bytes(received), json=parsed, max_age=max_age)

    def _too_large(self, method: str, url: str, provider: str) -> ProviderUnavailableError:
        log.warning("provider %s answer too large (%s %s)", provider, method, _where(url))
        return ProviderUnavailableError(
            f"{method} {_where(url)}: answer over {self.max_bytes} bytes",
            provider=provider,
            status=502,
        )


def unusable(answer: HttpAnswer, *, provider: str, where: str) -> ProviderUnavailableError:
    """The error for an answer that is neither a success nor an error we can read (logged)."""
    log.warning("provider %s %s answered %s with an unusable body", provider, where, answer.status)
    return ProviderUnavailableError(
        f"{where} answered {answer.status} with an unusable body",
        provider=provider,
        status=503 if answer.status >= 500 else 502,
    )


def cache_max_age(headers: Mapping[str, str]) -> float | None:
    """Cache-Control's max-age in seconds (RFC 9111 5.2.2.1); 0 for no-store or no-cache; None when unsaid."""
    max_age: float | None = None
    for directive in headers.get("Cache-Control", "").split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return 0.0
        value = value.strip().strip('"')
        if name == "max-age" and value.isdecimal() and len(value) <= 10:
            max_age = float(value)
    return max_age


def _where(url: str) -> str:
    # scheme, host and path only: a query string may carry secrets
    return url.split("?", 1)[0]
