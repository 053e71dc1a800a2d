"""PKCE (RFC 7636) with S256, and the random values of a login."""

from __future__ import annotations

import base64
import hashlib
import secrets

__all__ = ["code_challenge", "new_code_verifier", "random_token"]


def random_token(nbytes: int = 32) -> str:
    """A URL-safe random string carrying ``nbytes`` of entropy (state, nonce)."""
    return secrets.token_urlsafe(nbytes)


def new_code_verifier() -> str:
    """A code verifier of 43 characters (32 random bytes), the RFC 7636 minimum length."""
    return secrets.token_urlsafe(32)


def code_challenge(verifier: str) -> str:
    """The S256 challenge of ``verifier``: BASE64URL(SHA256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
