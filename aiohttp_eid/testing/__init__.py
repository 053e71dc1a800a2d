"""Emulated eID providers and pytest fixtures for testing applications that use aiohttp-eid.

Nothing here is used at runtime by the plugin; the pytest fixtures live in
``aiohttp_eid.testing.pytest_plugin`` (registered through the ``pytest11`` entry point).
"""

from aiohttp_eid.testing.eidg import EidgEmulator
from aiohttp_eid.testing.eidg_users import DEFAULT_EIDG_USERS, EidgUser
from aiohttp_eid.testing.faults import Fault

__all__ = ["DEFAULT_EIDG_USERS", "EidgEmulator", "EidgUser", "Fault"]
