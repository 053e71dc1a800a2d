"""What every emulator shares: fault injection, call counters and recorded requests.

An emulator calls :meth:`Recorder.enter` first thing in each handler: the call is
counted and recorded, then a :class:`Fault` registered for that endpoint (if any)
is applied: its delay, then its canned answer instead of the normal one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["Fault", "Recorder", "SeenRequest"]

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


class Recorder:
    """Counters, recorded requests and pending faults of one emulator."""

    def __init__(self) -> None:
        self.counters: collections.Counter[str] = collections.Counter()
        self.faults: dict[str, Fault] = {}
        self.requests: collections.defaultdict[str, list[SeenRequest]] = collections.defaultdict(list)
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
