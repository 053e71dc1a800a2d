"""Keys derived per purpose from the configured secrets, and AES-GCM sealing.

One configured secret (or a list, newest first) gives, through HKDF-SHA256, one
key per purpose ("cookie", "redis", "handoff"), so a value sealed for one use
can never be opened as another. Every sealed value starts with a 4-byte key id,
so opening picks the right key without trial decryption, and a rotated-out
secret can still open what it sealed until it is removed from the list.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Sealer", "derive_sealer"]

_VERSION = b"\x01"
_NONCE = 12
_KID = 4


class Sealer:
    """Seals and opens bytes for one purpose; associated data binds each value to its place."""

    __slots__ = ("_by_kid", "_current", "purpose")

    def __init__(self, purpose: str, keys: Sequence[bytes]) -> None:
        self.purpose = purpose
        ring = [(hashlib.sha256(k).digest()[:_KID], AESGCM(k)) for k in keys]
        self._current = ring[0]
        self._by_kid = dict(reversed(ring))  # the newest wins a (vanishing) id clash

    def seal(self, plaintext: bytes, aad: bytes) -> str:
        """Encrypt and authenticate ``plaintext``; URL-safe base64 without padding."""
        kid, aead = self._current
        nonce = os.urandom(_NONCE)
        sealed = _VERSION + kid + nonce + aead.encrypt(nonce, plaintext, self._aad(aad))
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")

    def open(self, token: str, aad: bytes) -> bytes | None:
        """The plaintext, or None when ``token`` was not sealed by us for this place."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) < 1 + _KID + _NONCE + 16 or raw[:1] != _VERSION:
            return None
        aead = self._by_kid.get(raw[1 : 1 + _KID])
        if aead is None:
            return None
        nonce = raw[1 + _KID : 1 + _KID + _NONCE]
        try:
            return aead.decrypt(nonce, raw[1 + _KID + _NONCE :], self._aad(aad))
        except InvalidTag:
            return None

    def _aad(self, aad: bytes) -> bytes:
        return b"aiohttp-eid\x00" + self.purpose.encode() + b"\x00" + aad


def derive_sealer(secrets: Sequence[bytes], purpose: str) -> Sealer:
    """A Sealer whose keys are derived from ``secrets`` (newest first) for ``purpose``."""
    keys = [
        HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"aiohttp-eid/v1",
            info=purpose.encode(),
        ).derive(secret)
        for secret in secrets
    ]
    return Sealer(purpose, keys)
