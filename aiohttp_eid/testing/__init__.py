"""Emulated eID providers and pytest fixtures for testing applications that use aiohttp-eid.

Nothing here is used at runtime by the plugin; the pytest fixtures live in
``aiohttp_eid.testing.pytest_plugin`` (registered through the ``pytest11`` entry point).
"""

from aiohttp_eid.testing.eidg.emulator import EidgEmulator
from aiohttp_eid.testing.eidg.users import DEFAULT_EIDG_USERS, EidgUser
from aiohttp_eid.testing.itsme.emulator import ItsmeEmulator
from aiohttp_eid.testing.itsme.users import DEFAULT_ITSME_USERS, ItsmeUser
from aiohttp_eid.testing.oidc_provider.emulator import OidcProviderEmulator
from aiohttp_eid.testing.redis_server import RedisServer
from aiohttp_eid.testing.served import Fault

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
