"""A provider's JWKS: fetched, kept as long as its Cache-Control allows (clamped), refetched on rotation.

Keys are imported one by one: a key we cannot use (another curve, another key type, a broken
entry) is skipped and logged once, never fails the whole set (RFC 7517 5). A token signed by an
unknown ``kid``, or whose signature fails with a known ``kid`` or without one (a provider that
reuses a kid, or has one key without a kid), triggers one refetch, at most once per interval.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, RSAKey

from ..errors import ProviderUnavailableError, TokenValidationError
from .jose import verify
from .jose_headers import protected_header
from .transport import HttpClient

__all__ = ["SIGNING_ALGORITHMS", "JwksCache"]

log = logging.getLogger("aiohttp_eid.oidc")

#: asymmetric signature algorithms only: never "none", never HMAC with a public key
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")

#: the key type and curve each signature algorithm needs
_KEY_FOR = {"RS": ("RSA", None), "PS": ("RSA", None), "ES256": ("EC", "P-256"), "ES384": ("EC", "P-384")}

#: bounds on how long a JWKS is kept: a provider can neither force a fetch per login nor pin a key for months
MIN_TTL = 300.0
MAX_TTL = 86400.0
DEFAULT_TTL = 3600.0


def _fits(key: Key, alg: str) -> bool:
    kty, crv = _KEY_FOR.get(alg) or _KEY_FOR.get(alg[:2], ("", None))
    if key.key_type != kty or (crv is not None and key.get("crv") != crv):
        return False
    return key.get("alg") in (None, alg) and key.get("use") in (None, "sig")


class JwksCache:
    """Fetches and keeps a provider's signing and encryption keys."""

    def __init__(
        self,
        http: HttpClient,
        url: str,
        *,
        provider: str,
        clock: Callable[[], float],
        refetch_interval: float = 60.0,
    ) -> None:
        self._http = http
        self.url = url
        self._provider = provider
        self._clock = clock
        self._refetch_interval = refetch_interval
        self._keys: list[Key] | None = None
        self._encryption: list[RSAKey] = []
        self._expires_at = -math.inf
        self._refetched_at = -math.inf
        self._skipped: set[str] = set()
        self._lock = asyncio.Lock()

    async def keys(self, *, refetch: bool = False) -> list[Key]:
        """The signing keys, fetched when missing, stale, or (throttled) when ``refetch`` is asked."""
        async with self._lock:
            now = self._clock()
            # a refetch happens at most once per interval: a rotation is seen at once, a stream of
            # forged tokens never turns into a fetch per login
            refetch = refetch and now - self._refetched_at >= self._refetch_interval
            if self._keys is None or now >= self._expires_at or refetch:
                if refetch:
                    self._refetched_at = now
                try:
                    self._keys, self._encryption, ttl = await self._fetch()
                    self._expires_at = now + ttl
                except ProviderUnavailableError:
                    if self._keys is None:
                        raise
                    log.warning("provider %s: JWKS refetch failed, keeping the cached keys", self._provider)
            return self._keys

    async def _fetch(self) -> tuple[list[Key], list[RSAKey], float]:
        answer = await self._http.call("GET", self.url, provider=self._provider)
        body = answer.json
        if not answer.ok or not isinstance(body, dict) or not isinstance(body.get("keys"), list):
            raise ProviderUnavailableError(f"JWKS answer {answer.status} unusable", provider=self._provider, status=502)
        signing: list[Key] = []
        encryption: list[RSAKey] = []
        for entry in body["keys"]:
            key = self._import(entry)
            if key is None:
                continue
            if entry.get("use") == "enc":
                if isinstance(key, RSAKey):
                    encryption.append(key)
            else:
                signing.append(key)
        if not signing and not encryption:
            raise ProviderUnavailableError("JWKS holds no key we can use", provider=self._provider, status=502)
        ttl = DEFAULT_TTL if answer.max_age is None else min(MAX_TTL, max(MIN_TTL, answer.max_age))
        return signing, encryption, ttl

    def _import(self, entry: Any) -> Key | None:
        if not isinstance(entry, Mapping):
            return None
        kty = entry.get("kty")
        try:
            if kty == "RSA":
                return RSAKey.import_key(dict(entry))
            if kty == "EC":
                return ECKey.import_key(dict(entry))
        # a key we cannot read must not take the usable ones down with it (RFC 7517 5)
        except (JoseError, ValueError, TypeError, KeyError, OverflowError) as exc:
            reason = type(exc).__name__
        else:
            reason = "unsupported key type"
        label = f"{str(kty)[:8]}/{str(entry.get('kid'))[:64]!r}"
        if label not in self._skipped:
            self._skipped.add(label)
            log.warning("provider %s: JWKS key %s skipped (%s)", self._provider, label, reason)
        return None

    async def encryption_key(self, algorithm: str) -> RSAKey:
        """The provider's RSA key to encrypt to (``use=enc``), preferring one made for ``algorithm``."""
        await self.keys()
        fitting = [k for k in self._encryption if k.get("alg") in (None, algorithm)]
        if not fitting:
            raise ProviderUnavailableError(
                "the provider publishes no encryption key", provider=self._provider, status=502
            )
        return fitting[0]

    async def decode(
        self, token: str, algorithms: Sequence[str], *, what: str = "token"
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Verify a compact JWS with the provider's keys: (header, claims). Checks no claim."""
        allowed = [a for a in algorithms if a in SIGNING_ALGORITHMS]
        header = protected_header(token, algorithms=allowed, provider=self._provider, what=what)
        alg, kid = header["alg"], header.get("kid")
        keys = await self.keys()
        for attempt in (0, 1):
            candidates = [k for k in keys if (kid is None or k.kid == kid) and _fits(k, alg)]
            for key in candidates:
                try:
                    return header, verify(token, key, [alg])
                except (JoseError, ValueError, TypeError, KeyError, RecursionError, OverflowError):
                    continue
            if attempt == 0:
                refreshed = await self.keys(refetch=True)
                if refreshed is not keys:  # the provider may have rotated its keys
                    keys = refreshed
                    continue
            reason = "has a bad signature or format" if candidates else "is signed by an unknown key"
            raise TokenValidationError(f"{what} {reason}", provider=self._provider)
        raise AssertionError("unreachable")  # pragma: no cover
