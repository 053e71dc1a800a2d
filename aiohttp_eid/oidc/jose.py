"""Small JOSE helpers that need no key."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

__all__ = ["unverified_claims"]


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The payload of a compact JWS, NOT verified, or None if it is not readable as one.

    Only for hints that make us more careful (an earlier expiry), never for trust.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
