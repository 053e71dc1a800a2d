"""Fixtures for the emulator tests.

The emulator fixtures come from ``aiohttp_eid.testing.pytest_plugin``; importing
them here makes them available whether or not the package (and so its ``pytest11``
entry point) is installed.
"""

from __future__ import annotations

from aiohttp_eid.testing.pytest_plugin import eidg_emulator, eidg_emulator_factory

__all__ = ["eidg_emulator", "eidg_emulator_factory"]
