"""Tokens no JOSE library will make for us: written out by hand, byte for byte, with cryptography's primitives.

The HS256-with-the-public-key attack signs with the provider's public PEM as
the HMAC secret; libraries rightly refuse to build that key (joserfc >= 1.8),
so the test must not depend on what a library allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7
from joserfc.jwk import RSAKey

#: a critical header extension that no one implements (RFC 7515 4.1.11): a recipient must refuse it
EXTENSION: dict[str, Any] = {"crit": ["urn:example:x"], "urn:example:x": 1}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hs256_jwt(claims: dict[str, Any], secret: bytes, **header: Any) -> str:
    """A compact JWS signed with HMAC-SHA256 over ``secret`` (RFC 7515 A.1)."""
    head = b64url(json.dumps({"alg": "HS256", **header}).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


def none_jwt(claims: dict[str, Any], **header: Any) -> str:
    """An unsecured JWS (``alg: none``, RFC 7515 A.5): header, payload and an empty signature."""
    return f"{b64url(json.dumps({'alg': 'none', **header}).encode())}.{b64url(json.dumps(claims).encode())}."


def rs256_jwt(claims: Any, key: RSAKey, *, header_json: str | None = None, **header: Any) -> str:
    """A compact JWS signed RS256 with ``key``, any header we like (``header_json``: the exact header text)."""
    head = b64url((header_json or json.dumps({"alg": "RS256", **header})).encode())
    body = b64url(claims if isinstance(claims, bytes) else json.dumps(claims).encode())
    private = key.get_op_key("sign")
    assert isinstance(private, rsa.RSAPrivateKey)
    signature = private.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64url(signature)}"


def jwe_a128cbc(plaintext: bytes, key: RSAKey, *, alg: str = "RSA-OAEP", **header: Any) -> str:
    """A compact JWE (RSA-OAEP, A128CBC-HS256: RFC 7516 A.2, RFC 7518 5.2) of ``plaintext`` to ``key``.

    Any header parameter may be set (``zip``, ``crit``, replicated claims); the plaintext is
    encrypted as given, so a ``zip`` header does not compress it.
    """
    head = b64url(json.dumps({"alg": alg, "enc": "A128CBC-HS256", "kid": key.kid, **header}).encode())
    cek, iv = os.urandom(32), os.urandom(16)
    public = key.get_op_key("wrapKey")
    assert isinstance(public, rsa.RSAPublicKey)
    hash_ = hashes.SHA256() if alg == "RSA-OAEP-256" else hashes.SHA1()  # noqa: S303 - RSA-OAEP is SHA-1 by definition
    wrapped = public.encrypt(cek, padding.OAEP(mgf=padding.MGF1(hash_), algorithm=hash_, label=None))
    padder = PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    aad = head.encode()
    mac = hmac.new(cek[:16], aad + iv + ciphertext + struct.pack(">Q", len(aad) * 8), hashlib.sha256).digest()
    return ".".join([head, b64url(wrapped), b64url(iv), b64url(ciphertext), b64url(mac[:16])])
