"""Keys of the OpenID provider emulator, the relying party's published keys, JWS and JWE.

Only allowlisted algorithms are used or accepted: RS256 for signatures; RSA-OAEP
and RSA-OAEP-256 with A128CBC-HS256 or A256GCM for encryption. Never ``none``,
never an HMAC keyed with a public key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, Literal

import aiohttp
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import KeyParameters, KeySet, RSAKey

__all__ = [
    "ENCRYPTION_ALGS",
    "ENCRYPTION_ENCS",
    "SIGNING_ALG",
    "KeyProblem",
    "RpKeys",
    "decrypt",
    "encrypt",
    "new_key",
    "sign",
    "unverified_header",
    "verify",
]

SIGNING_ALG = "RS256"
ENCRYPTION_ALGS = ("RSA-OAEP", "RSA-OAEP-256")
ENCRYPTION_ENCS = ("A128CBC-HS256", "A256GCM")
MAX_JWKS_BYTES = 256 * 1024
FETCH_TIMEOUT = 5.0


class KeyProblem(Exception):
    """A token or key set that cannot be used; the message says why (no secrets in it)."""


def new_key(use: Literal["sig", "enc"]) -> RSAKey:
    """A fresh 2048-bit RSA key with a ``kid`` (its RFC 7638 thumbprint)."""
    # no "alg" on the encryption key: request objects may use either allowlisted one
    parameters: KeyParameters = {"use": "sig", "alg": SIGNING_ALG} if use == "sig" else {"use": "enc"}
    key = RSAKey.generate_key(2048, parameters=parameters)
    key.ensure_kid()
    return key


def unverified_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWS or JWE, NOT verified (to pick keys and check algorithms)."""
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise KeyProblem("unreadable JOSE header") from exc
    if not isinstance(header, dict):
        raise KeyProblem("unreadable JOSE header")
    return header


def sign(claims: dict[str, Any], key: RSAKey, headers: dict[str, Any] | None = None) -> str:
    """A compact JWS (RS256) of ``claims``, with the key's ``kid``; ``headers`` are added as given."""
    header: dict[str, Any] = {"alg": SIGNING_ALG, "typ": "JWT", "kid": key.kid}
    header.update(headers or {})
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False)
    return jws.serialize_compact(header, payload, key, algorithms=[str(header["alg"])])


def verify(token: str, key: RSAKey) -> dict[str, Any]:
    """The claims of a compact JWS signed RS256 by ``key``; KeyProblem otherwise."""
    if token.count(".") != 2:
        raise KeyProblem("not a compact JWS")
    if unverified_header(token).get("alg") != SIGNING_ALG:
        raise KeyProblem(f"JWS algorithm must be {SIGNING_ALG}")
    try:
        payload = jws.deserialize_compact(token, key, algorithms=[SIGNING_ALG]).payload
        claims = json.loads(payload)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise KeyProblem("bad JWS signature or payload") from exc
    if not isinstance(claims, dict):
        raise KeyProblem("JWS payload is not a JSON object")
    return claims


def encrypt(
    plaintext: str, key: RSAKey, *, alg: str = "RSA-OAEP", enc: str = "A128CBC-HS256", cty: str | None = "JWT"
) -> str:
    """A compact JWE of ``plaintext`` to the RSA public ``key`` (``kid`` and ``cty`` in the header)."""
    header: dict[str, Any] = {"alg": alg, "enc": enc}
    if cty is not None:
        header["cty"] = cty
    if key.kid:
        header["kid"] = key.kid
    return jwe.encrypt_compact(header, plaintext, key, algorithms=[alg, enc])


def decrypt(token: str, key: RSAKey) -> tuple[dict[str, Any], str]:
    """The header and plaintext of a compact JWE to ``key``, within the allowlist."""
    if token.count(".") != 4:
        raise KeyProblem("not a compact JWE")
    header = unverified_header(token)
    alg, enc = header.get("alg"), header.get("enc")
    if alg not in ENCRYPTION_ALGS or enc not in ENCRYPTION_ENCS:
        raise KeyProblem(f"JWE algorithms {alg}/{enc} not supported")
    if "kid" in header and header["kid"] != key.kid:
        raise KeyProblem("JWE kid names no key of ours")
    try:
        plaintext = jwe.decrypt_compact(token, key, algorithms=[alg, enc]).plaintext
        assert plaintext is not None
        return header, plaintext.decode("utf-8")
    except (JoseError, ValueError, TypeError, KeyError, UnicodeDecodeError, AssertionError) as exc:
        raise KeyProblem("JWE cannot be decrypted") from exc


def _usable(key: object, use: str) -> bool:
    if not isinstance(key, RSAKey):
        return False
    allowed = (SIGNING_ALG,) if use == "sig" else ENCRYPTION_ALGS
    return key.get("use", use) == use and key.get("alg", allowed[0]) in allowed


class RpKeys:
    """The relying party's JWKS, fetched from ``uri`` when needed and cached.

    A lookup that finds no usable key (an unknown ``kid``) refetches once.
    ``on_fetch`` is called for every fetch (the emulator counts them as ``rp_jwks``).
    """

    def __init__(self, uri: str | None, on_fetch: Callable[[], None]) -> None:
        self._uri = uri
        self._on_fetch = on_fetch
        self._keys: KeySet | None = None
        self.session: aiohttp.ClientSession | None = None

    @property
    def uri(self) -> str | None:
        return self._uri

    @uri.setter
    def uri(self, value: str | None) -> None:
        if value != self._uri:
            self._uri, self._keys = value, None

    @property
    def cached(self) -> KeySet | None:
        return self._keys

    async def fetch(self) -> KeySet:
        if self._uri is None:
            raise KeyProblem("no rp_jwks_uri configured: the RP's keys are unknown")
        self._on_fetch()
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        try:
            timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
            async with self.session.get(self._uri, timeout=timeout, allow_redirects=False) as response:
                body = await response.content.read(MAX_JWKS_BYTES + 1)
                if response.status != 200 or len(body) > MAX_JWKS_BYTES:
                    raise KeyProblem(f"RP JWKS answered {response.status}")
            keys = KeySet.import_key_set(json.loads(body))
        except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError, JoseError) as exc:
            raise KeyProblem("RP JWKS cannot be fetched or read") from exc
        self._keys = keys
        return keys

    async def find(self, use: Literal["sig", "enc"], kid: str | None = None) -> RSAKey:
        """The RP's RSA key for ``use`` (with that ``kid`` when given)."""
        for attempt in range(2):
            keys = self._keys if self._keys is not None and attempt == 0 else await self.fetch()
            found = self.pick(keys, use, kid)
            if found is not None:
                return found
        raise KeyProblem(f"the RP's JWKS has no usable {use} key" + (f" with kid {kid!r}" if kid else ""))

    @staticmethod
    def pick(keys: KeySet, use: str, kid: str | None = None) -> RSAKey | None:
        candidates = [key for key in keys if _usable(key, use) and (kid is None or key.kid == kid)]
        if kid is None and len(candidates) != 1 and use == "sig":
            return None  # which one? a signer must say (kid) when it has several
        key = candidates[0] if candidates else None
        return key if isinstance(key, RSAKey) else None
