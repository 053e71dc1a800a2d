"""What every emulator shares: its own listener on 127.0.0.1, the shapes of its HTTP answers,
fault injection, call counters and recorded requests.

An emulator calls :meth:`ServedEmulator.enter` first thing in each handler: the call is
counted and recorded, then a :class:`Fault` registered for that endpoint (if any)
is applied: its delay, then its canned answer instead of the normal one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

__all__ = [
    "FORM",
    "NO_STORE",
    "Fault",
    "Recorder",
    "SeenRequest",
    "ServedEmulator",
    "json_ok",
    "page",
    "read_form",
    "redirect",
]

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def json_ok(body: Mapping[str, object], status: int = 200) -> web.Response:
    """A JSON answer that no cache keeps."""
    return web.json_response(dict(body), status=status, headers=NO_STORE)


def page(html: str, status: int = 200) -> web.Response:
    """An HTML page that no cache keeps and no frame embeds: inline styles only, no script."""
    return web.Response(text=html, status=status, content_type="text/html", headers=_PAGE_HEADERS)


def redirect(location: str) -> web.Response:
    """A 302 to ``location`` that no cache keeps."""
    return web.Response(status=302, headers={"Location": location, **NO_STORE})


async def read_form(request: web.Request) -> MultiDictProxy[str]:
    """The urlencoded form of a request (empty for any other content type)."""
    if request.content_type != FORM or not request.body_exists:
        return MultiDictProxy(MultiDict())
    posted = await request.post()
    return MultiDictProxy(MultiDict((k, v) for k, v in posted.items() if isinstance(v, str)))


MAX_SEEN_PER_ENDPOINT = 1000


@dataclass(frozen=True)
class Fault:
    """A failure to apply to the next calls of one endpoint.

    ``delay`` seconds are waited first (the handler is cancelled if the client goes
    away); then, when ``status`` or ``body`` is given, that answer is sent instead of
    the normal one (``status`` defaults to 200 when only ``body`` is given, ``body``
    to empty when only ``status`` is given). With neither, the call is only slowed
    down. ``times`` is how many calls are affected; ``-1`` means every call.
    ``headers`` are added to the canned answer (over ``Cache-Control: no-store``).
    """

    status: int | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0
    times: int = 1
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeenRequest:
    """One request as an emulator received it, for tests to assert on."""

    endpoint: str
    method: str
    path: str
    headers: CIMultiDictProxy[str]
    query: Mapping[str, str]
    form: Mapping[str, str] = field(default_factory=dict)
    #: the order of arrival across all endpoints of one emulator (1, 2, ...)
    seq: int = 0
    #: the client's (host, port): requests with the same peer came over one kept-alive connection
    peer: tuple[str, int] | None = None

    @property
    def bearer(self) -> str | None:
        """The token of an ``Authorization: Bearer`` header, if any."""
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return value.strip() or None

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        """The decoded ``(user, password)`` of an ``Authorization: Basic`` header, if any."""
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return (user, password) if sep else None


def _peer(request: web.Request) -> tuple[str, int] | None:
    peer = request.transport.get_extra_info("peername") if request.transport is not None else None
    return (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) and len(peer) >= 2 else None


class Recorder:
    """Counters, recorded requests and pending faults of one emulator."""

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()
        self.faults: dict[str, Fault] = {}
        self.requests: defaultdict[str, list[SeenRequest]] = defaultdict(list)
        self._seq = 0

    def last(self, endpoint: str) -> SeenRequest:
        """The last request seen at ``endpoint`` (KeyError when there was none)."""
        seen = self.requests.get(endpoint)
        if not seen:
            raise KeyError(endpoint)
        return seen[-1]

    def record(self, request: web.Request, endpoint: str, form: Mapping[str, str] | None = None) -> None:
        seen = self.requests[endpoint]
        self._seq += 1
        seen.append(
            SeenRequest(
                endpoint=endpoint,
                method=request.method,
                path=request.path,
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
                query=dict(request.query),
                form=dict(form or {}),
                seq=self._seq,
                peer=_peer(request),
            )
        )
        del seen[:-MAX_SEEN_PER_ENDPOINT]

    def take_fault(self, endpoint: str) -> Fault | None:
        """The fault to apply to this call of ``endpoint``, consuming one of its ``times``."""
        fault = self.faults.get(endpoint)
        if fault is None:
            return None
        if fault.times > 0:
            remaining = fault.times - 1
            if remaining == 0:
                del self.faults[endpoint]
            else:
                self.faults[endpoint] = dataclasses.replace(fault, times=remaining)
        elif fault.times == 0:
            del self.faults[endpoint]
            return None
        return fault

    async def enter(
        self,
        request: web.Request,
        endpoint: str,
        *,
        count: str | None = None,
        form: Mapping[str, str] | None = None,
    ) -> web.Response | None:
        """Count (as ``endpoint`` and, if given, ``count``) and record a call, then apply a fault.

        Returns the canned response of the fault, or None to go on normally.
        """
        self.counters[endpoint] += 1
        if count is not None:
            self.counters[count] += 1
        self.record(request, endpoint, form)
        fault = self.take_fault(endpoint)
        if fault is None:
            return None
        if fault.delay > 0:
            await asyncio.sleep(fault.delay)
        if fault.status is None and fault.body is None:
            return None
        return web.Response(
            status=fault.status if fault.status is not None else 200,
            body=fault.body or b"",
            headers={"Content-Type": fault.content_type, "Cache-Control": "no-store", **fault.headers},
        )


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
