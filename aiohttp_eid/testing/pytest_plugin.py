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
``oidc_provider_emulator``
    an :class:`~aiohttp_eid.testing.OidcProviderEmulator` (a plain standard OpenID
    provider) that logs in the test user ``jan`` without a page (``auto_approve="jan"``).
``oidc_provider_emulator_factory``
    ``await oidc_provider_emulator_factory(**kwargs)``, as ``eidg_emulator_factory``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Protocol, TypeVar

import pytest_asyncio

from aiohttp_eid.testing.eidg.emulator import EidgEmulator
from aiohttp_eid.testing.itsme.emulator import ItsmeEmulator
from aiohttp_eid.testing.oidc_provider.emulator import OidcProviderEmulator
from aiohttp_eid.testing.served import ServedEmulator

__all__ = [
    "EidgEmulatorFactory",
    "ItsmeEmulatorFactory",
    "OidcProviderEmulatorFactory",
    "eidg_emulator",
    "eidg_emulator_factory",
    "itsme_emulator",
    "itsme_emulator_factory",
    "oidc_provider_emulator",
    "oidc_provider_emulator_factory",
]


_E = TypeVar("_E", bound=ServedEmulator)


async def _factory(cls: Callable[..., _E]) -> AsyncIterator[Callable[..., Coroutine[Any, Any, _E]]]:
    """A factory starting emulators of ``cls``; all closed, newest first, at teardown."""
    async with contextlib.AsyncExitStack() as stack:

        async def factory(**kwargs: Any) -> _E:
            emulator = cls(**kwargs)
            await emulator.start()
            stack.push_async_callback(emulator.close)
            return emulator

        yield factory


class EidgEmulatorFactory(Protocol):
    """The type of the ``eidg_emulator_factory`` fixture."""

    async def __call__(self, **kwargs: Any) -> EidgEmulator: ...


@pytest_asyncio.fixture
async def eidg_emulator() -> AsyncIterator[EidgEmulator]:
    """A started EIDG emulator that logs ``ada`` in straight away."""
    async with EidgEmulator(auto_approve="ada") as emulator:
        yield emulator


@pytest_asyncio.fixture
async def eidg_emulator_factory() -> AsyncIterator[EidgEmulatorFactory]:
    """Start EIDG emulators with any constructor arguments; all closed at teardown."""
    async for factory in _factory(EidgEmulator):
        yield factory


class ItsmeEmulatorFactory(Protocol):
    """The type of the ``itsme_emulator_factory`` fixture."""

    async def __call__(self, **kwargs: Any) -> ItsmeEmulator: ...


@pytest_asyncio.fixture
async def itsme_emulator() -> AsyncIterator[ItsmeEmulator]:
    """A started itsme emulator that logs ``jan`` in straight away."""
    async with ItsmeEmulator(auto_approve="jan") as emulator:
        yield emulator


@pytest_asyncio.fixture
async def itsme_emulator_factory() -> AsyncIterator[ItsmeEmulatorFactory]:
    """Start itsme emulators with any constructor arguments; all closed at teardown."""
    async for factory in _factory(ItsmeEmulator):
        yield factory


class OidcProviderEmulatorFactory(Protocol):
    """The type of the ``oidc_provider_emulator_factory`` fixture."""

    async def __call__(self, **kwargs: Any) -> OidcProviderEmulator: ...


@pytest_asyncio.fixture
async def oidc_provider_emulator() -> AsyncIterator[OidcProviderEmulator]:
    """A started standard OpenID provider emulator that logs ``jan`` in straight away."""
    async with OidcProviderEmulator(auto_approve="jan") as emulator:
        yield emulator


@pytest_asyncio.fixture
async def oidc_provider_emulator_factory() -> AsyncIterator[OidcProviderEmulatorFactory]:
    """Start OpenID provider emulators with any constructor arguments; all closed at teardown."""
    async for factory in _factory(OidcProviderEmulator):
        yield factory
