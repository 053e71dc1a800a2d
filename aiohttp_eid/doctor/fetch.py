"""The doctor's HTTP GETs: a timeout, a size cap, no cookies, and every failure as a sentence."""

from __future__ import annotations

import dataclasses
import email.utils
import json
from typing import Any

import aiohttp

__all__ = ["Answer", "Fetcher"]

_MAX_BYTES = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Answer:
    """What one GET gave: its status, its JSON (None when not JSON), its ``Date``; or why there was none."""

    url: str
    status: int = 0
    json: Any = None
    date: float | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        """A 200 answer holding a JSON object."""
        return not self.problem and self.status == 200 and isinstance(self.json, dict)

    def why_not(self) -> str:
        """Why the answer is not ``ok``, as a sentence."""
        if self.problem:
            return self.problem
        if self.status != 200:
            return f"{self.url} answered HTTP {self.status}"
        return f"{self.url} did not answer a JSON object"


class Fetcher:
    """GETs for the doctor, on one client session with no cookie jar."""

    def __init__(self, timeout: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        self._session = aiohttp.ClientSession(timeout=self._timeout, cookie_jar=aiohttp.DummyCookieJar())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(self, url: str) -> Answer:
        """GET ``url``; a network failure is an Answer with a ``problem``, never an exception."""
        assert self._session is not None
        try:
            async with self._session.get(url, headers={"Accept": "application/json"}, allow_redirects=False) as resp:
                body = await resp.content.read(_MAX_BYTES + 1)
                date = _date(resp.headers.get("Date"))
                if len(body) > _MAX_BYTES:
                    return Answer(url, resp.status, date=date, problem=f"{url} answered more than 1 MiB")
                return Answer(url, resp.status, _json(body), date)
        except TimeoutError:
            return Answer(url, problem=f"{url} did not answer within {self._timeout.total:g} s")
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return Answer(url, problem=f"{url} cannot be reached ({type(exc).__name__})")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
