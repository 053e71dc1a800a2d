"""Client authentication at the token endpoint."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

__all__ = ["basic_authorization"]


def basic_authorization(client_id: str, client_secret: str) -> str:
    """``client_secret_basic``: the Authorization header value (RFC 6749 section 2.3.1).

    Both parts are form-urlencoded before base64, as the RFC asks; for the usual
    alphanumeric credentials this changes nothing.
    """
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")
