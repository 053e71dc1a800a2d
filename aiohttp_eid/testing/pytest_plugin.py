"""pytest fixtures starting the emulated eID providers on 127.0.0.1.

Registered through the ``pytest11`` entry point ``aiohttp_eid``, so installing
aiohttp-eid makes them available to any test suite:

``eidg_emulator``
    an :class:`~aiohttp_eid.testing.EidgEmulator` that logs in the test user
    ``ada`` without a page (``auto_approve="ada"``), started and closed around the test.
``eidg_emulator_factory``
    ``await eidg_emulator_factory(**kwargs)`` starts an emulator built with those
    :class:`~aiohttp_eid.testing.EidgEmulator` arguments; all are closed at teardown.
``itsme_emulator``
    an :class:`~aiohttp_eid.testing.ItsmeEmulator` that logs in the test user
    ``jan`` without a page (``auto_approve="jan"``); set its ``rp_jwks_uri`` to
    the application's JWKS before the first login.
``itsme_emulator_factory``
    ``await itsme_emulator_factory(**kwargs)``, as ``eidg_emulator_factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

import pytest_asyncio

from aiohttp_eid.testing.eidg import EidgEmulator
from aiohttp_eid.testing.itsme import ItsmeEmulator

__all__ = [
    "EidgEmulatorFactory",
    "ItsmeEmulatorFactory",
    "eidg_emulator",
    "eidg_emulator_factory",
    "itsme_emulator",
    "itsme_emulator_factory",
]


class EidgEmulatorFactory(Protocol):
    """The type of the ``eidg_emulator_factory`` fixture."""

    async def __call__(self, **kwargs: Any) -> EidgEmulator: ...


@pytest_asyncio.fixture
async def eidg_emulator() -> AsyncIterator[EidgEmulator]:
    """A started EIDG emulator that logs ``ada`` in straight away."""
    emulator = EidgEmulator(auto_approve="ada")
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.close()


@pytest_asyncio.fixture
async def eidg_emulator_factory() -> AsyncIterator[EidgEmulatorFactory]:
    """Start EIDG emulators with any constructor arguments; all closed at teardown."""
    started: list[EidgEmulator] = []

    async def factory(**kwargs: Any) -> EidgEmulator:
        emulator = EidgEmulator(**kwargs)
        await emulator.start()
        started.append(emulator)
        return emulator

    try:
        yield factory
    finally:
        for emulator in reversed(started):
            await emulator.close()


class ItsmeEmulatorFactory(Protocol):
    """The type of the ``itsme_emulator_factory`` fixture."""

    async def __call__(self, **kwargs: Any) -> ItsmeEmulator: ...


@pytest_asyncio.fixture
async def itsme_emulator() -> AsyncIterator[ItsmeEmulator]:
    """A started itsme emulator that logs ``jan`` in straight away."""
    emulator = ItsmeEmulator(auto_approve="jan")
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.close()


@pytest_asyncio.fixture
async def itsme_emulator_factory() -> AsyncIterator[ItsmeEmulatorFactory]:
    """Start itsme emulators with any constructor arguments; all closed at teardown."""
    started: list[ItsmeEmulator] = []

    async def factory(**kwargs: Any) -> ItsmeEmulator:
        emulator = ItsmeEmulator(**kwargs)
        await emulator.start()
        started.append(emulator)
        return emulator

    try:
        yield factory
    finally:
        for emulator in reversed(started):
            await emulator.close()
