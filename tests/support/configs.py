"""Provider configurations the tests build without a running provider."""

from __future__ import annotations

from aiohttp_eid import EidgConfig

M = "infocert:identification:method:"


def eidg(**overrides: object) -> EidgConfig:
    values: dict[str, object] = {
        "name": "eidg",
        "base_url": "https://eid-gatewaycl.infocert.it/oauth2",
        "client_id": "client",
        "client_secret": "secret",
        "redirect_uri": "https://app.example.org/auth/eidg/callback",
        "methods": [M + "SPID_LEVEL_2", M + "CIE"],
        **overrides,
    }
    return EidgConfig(**values)  # type: ignore[arg-type]
