"""Configurations for ``python -m aiohttp_eid doctor tests.ops.doctor_target:...``, from DOCTOR_* variables."""

from __future__ import annotations

import os

from aiohttp_eid import EidConfig, EidgConfig, OidcConfig

not_a_config = 42


def config() -> EidConfig:
    """An EIDG and an OpenID provider (the emulators the test started), Redis when DOCTOR_REDIS is set."""
    origin = os.environ["DOCTOR_ORIGIN"]
    return EidConfig(
        providers=[
            EidgConfig(
                name="eidg",
                base_url=os.environ["DOCTOR_EIDG"],
                client_id="demo-client",
                client_secret=os.environ["DOCTOR_SECRET"],
                redirect_uri=f"{origin}/auth/eidg/callback",
            ),
            OidcConfig(
                name="op",
                discovery_url=os.environ["DOCTOR_OP"],
                client_id="demo-rp",
                client_secret=os.environ["DOCTOR_SECRET"],
                redirect_uri=f"{origin}/auth/op/callback",
            ),
        ],
        session_key=os.environ["DOCTOR_SESSION_KEY"],
        storage=os.environ.get("DOCTOR_REDIS", "cookie"),
    )
