"""What every emulator shares: its own listener on 127.0.0.1, counters, faults and recorded requests."""

from __future__ import annotations

from collections import Counter, defaultdict
from types import TracebackType
from typing import Self

from aiohttp import web

from aiohttp_eid.testing.faults import Fault, Recorder, SeenRequest
from aiohttp_eid.testing.http import read_form

__all__ = ["ServedEmulator"]


class ServedEmulator:
    """A provider emulator served under ``path_prefix`` of its own origin; subclasses add the routes."""

    def __init__(self, *, path_prefix: str) -> None:
        path_prefix = path_prefix.rstrip("/")
        if path_prefix and not path_prefix.startswith("/"):
            raise ValueError("path_prefix must be empty or start with '/'")
        self.path_prefix = path_prefix
        self.app = web.Application()
        self._recorder = Recorder()
        self._origin: str | None = None
        self._runner: web.AppRunner | None = None

    # -- public test state -------------------------------------------------------------

    @property
    def counters(self) -> Counter[str]:
        return self._recorder.counters

    @property
    def faults(self) -> dict[str, Fault]:
        return self._recorder.faults

    @faults.setter
    def faults(self, faults: dict[str, Fault]) -> None:
        self._recorder.faults = faults

    @property
    def requests(self) -> defaultdict[str, list[SeenRequest]]:
        return self._recorder.requests

    def last_request(self, endpoint: str) -> SeenRequest:
        """The last request seen at ``endpoint`` (KeyError if none)."""
        return self._recorder.last(endpoint)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port><path_prefix>`` once started (or once it served a request)."""
        if self._origin is None:
            raise RuntimeError(f"{type(self).__name__}: not started")
        return self._origin + self.path_prefix

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: a free port); returns :attr:`base_url`."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} already started")
        runner = web.AppRunner(self.app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = runner.addresses[0][1]
        self._origin = f"http://{f'[{host}]' if ':' in host else host}:{bound}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- shared by the handlers --------------------------------------------------------

    async def enter(self, request: web.Request, endpoint: str, count: str | None = None) -> web.Response | None:
        """Learn the origin if needed, count, record, apply a fault (see :meth:`Recorder.enter`)."""
        if self._origin is None:
            self._origin = str(request.url.origin())
        form = await read_form(request)
        return await self._recorder.enter(request, endpoint, count=count, form=form)
