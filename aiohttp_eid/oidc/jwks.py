"""A provider's JWKS, cached, refetched at most once per interval for an unknown ``kid``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, RSAKey

from ..errors import ProviderUnavailableError, TokenValidationError
from .transport import HttpClient

__all__ = ["SIGNING_ALGORITHMS", "JwksCache"]

log = logging.getLogger("aiohttp_eid.oidc")

#: asymmetric signature algorithms only: never "none", never HMAC with a public key
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


class JwksCache:
    """Fetches and keeps a provider's signing keys."""

    def __init__(
        self,
        http: HttpClient,
        url: str,
        *,
        provider: str,
        clock: Callable[[], float],
        ttl: float = 3600.0,
        refetch_interval: float = 60.0,
    ) -> None:
        self._http = http
        self.url = url
        self._provider = provider
        self._clock = clock
        self._ttl = ttl
        self._refetch_interval = refetch_interval
        self._keys: KeySet | None = None
        self._encryption: list[RSAKey] = []
        self._fetched_at = float("-inf")
        self._refetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def keys(self, *, refetch: bool = False) -> KeySet:
        """The key set, fetched when missing, stale, or (throttled) when ``refetch`` is asked."""
        async with self._lock:
            now = self._clock()
            # an unknown kid may refetch once per interval: a rotation is seen at once, a stream of
            # unknown kids never turns into a fetch per login
            refetch = refetch and now - self._refetched_at >= self._refetch_interval
            if self._keys is None or now - self._fetched_at >= self._ttl or refetch:
                if refetch:
                    self._refetched_at = now
                try:
                    self._keys = await self._fetch()
                    self._fetched_at = now
                except ProviderUnavailableError:
                    if self._keys is None:
                        raise
                    log.warning("provider %s: JWKS refetch failed, keeping the cached keys", self._provider)
            return self._keys

    async def _fetch(self) -> KeySet:
        answer = await self._http.call("GET", self.url, provider=self._provider)
        if not answer.ok or not isinstance(answer.json, dict) or not isinstance(answer.json.get("keys"), list):
            raise ProviderUnavailableError(f"JWKS answer {answer.status} unusable", provider=self._provider, status=502)
        keys = [k for k in answer.json["keys"] if isinstance(k, dict) and k.get("kty") in ("RSA", "EC")]
        try:
            self._encryption = [
                k for k in (RSAKey.import_key(d) for d in keys if d.get("use") == "enc" and d.get("kty") == "RSA")
            ]
            return KeySet.import_key_set({"keys": [k for k in keys if k.get("use", "sig") == "sig"]})
        except (JoseError, ValueError, TypeError) as exc:
            raise ProviderUnavailableError(
                f"JWKS unusable: {type(exc).__name__}", provider=self._provider, status=502
            ) from None

    async def encryption_key(self, algorithm: str) -> RSAKey:
        """The provider's RSA key to encrypt to (``use=enc``), preferring one made for ``algorithm``."""
        await self.keys()
        fitting = [k for k in self._encryption if k.get("alg") in (None, algorithm)]
        if not fitting:
            raise ProviderUnavailableError(
                "the provider publishes no encryption key", provider=self._provider, status=502
            )
        return fitting[0]

    async def decode(self, token: str, algorithms: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Verify a compact JWS with the provider's keys: (header, claims). Checks no claim."""
        for attempt in (0, 1):
            keys = await self.keys(refetch=attempt == 1)
            try:
                decoded = jwt.decode(token, keys, algorithms=list(algorithms))
            except InvalidKeyIdError:
                if attempt == 0:
                    continue  # the provider may have rotated its keys: one throttled refetch
                raise TokenValidationError("signed by an unknown key", provider=self._provider) from None
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise TokenValidationError(
                    f"bad signature or format: {type(exc).__name__}", provider=self._provider
                ) from None
            return dict(decoded.header), dict(decoded.claims)
        raise AssertionError("unreachable")  # pragma: no cover
