"""Emulated eID providers and pytest fixtures for testing applications that use aiohttp-eid.

Nothing here is used at runtime by the plugin; the pytest fixtures live in
``aiohttp_eid.testing.pytest_plugin`` (registered through the ``pytest11`` entry point).
"""

from aiohttp_eid.testing.eidg import EidgEmulator
from aiohttp_eid.testing.eidg_users import DEFAULT_EIDG_USERS, EidgUser
from aiohttp_eid.testing.faults import Fault
from aiohttp_eid.testing.itsme import ItsmeEmulator
from aiohttp_eid.testing.itsme_users import DEFAULT_ITSME_USERS, ItsmeUser
from aiohttp_eid.testing.oidc_provider import OidcProviderEmulator
from aiohttp_eid.testing.redis_server import RedisServer

__all__ = [
    "DEFAULT_EIDG_USERS",
    "DEFAULT_ITSME_USERS",
    "EidgEmulator",
    "EidgUser",
    "Fault",
    "ItsmeEmulator",
    "ItsmeUser",
    "OidcProviderEmulator",
    "RedisServer",
]
