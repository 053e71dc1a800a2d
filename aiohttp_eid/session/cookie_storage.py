"""The default session storage: encrypted cookies, split in at most two.

Browsers drop a cookie over 4,096 bytes without a word, and aiohttp (like nginx)
refuses a whole ``Cookie`` header over ~8 KB, after which every request of that
browser fails. So a session is sealed (AES-GCM) in chunks of at most
``CHUNK_CHARS`` characters, at most ``MAX_CHUNKS`` of them, and a session that
would need more is refused loudly with ``SessionTooLargeError`` (use Redis),
never dropped. Each chunk is sealed on its own with the cookie name, its index
and the chunk count bound in as associated data, plus a random write id shared
by the chunks of one write, so chunks cannot be moved, reordered or mixed.
"""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from typing import Any

from aiohttp import hdrs, web
from aiohttp_session import AbstractStorage, Session

from ..errors import SessionTooLargeError
from ..events import NO_EVENTS, Events
from .cookies import chunk_values, cookie_present, cookie_value, only_span, usual_start
from .crypto import Sealer
from .login_record import NOT_CACHED, CachedLogin, StoredLogin, read_login

__all__ = ["CHUNK_CHARS", "MAX_CHUNKS", "ChunkedCookieStorage", "cookie_value"]

log = logging.getLogger("aiohttp_eid.session")

#: the longest cookie value written: with its name and attributes it stays under 4,096 bytes,
#: and two of them leave room in aiohttp's 8,190-byte header limit for the app's own cookies
CHUNK_CHARS = 3600
MAX_CHUNKS = 2
_WRITE_ID = 8
_OVERHEAD = 1 + 4 + 12 + 16  # version, key id, nonce, tag
_CHUNK_PLAINTEXT = CHUNK_CHARS * 3 // 4 - _OVERHEAD - _WRITE_ID
_CACHE_SIZE = 1024
_KEY_CHARS = 32  # of a sealed value: version, key id, the 12-byte random nonce and a little more


class ChunkedCookieStorage(AbstractStorage):
    """aiohttp-session storage keeping the session in at most two encrypted cookies."""

    events: Events = NO_EVENTS  # setup() gives it the application's

    def __init__(
        self,
        sealer: Sealer,
        *,
        cookie_name: str,
        secure: bool,
        max_age: int | None,
        browser_session_cookie: bool = False,
    ) -> None:
        super().__init__(
            cookie_name=cookie_name,
            max_age=max_age,
            secure=secure,
            httponly=True,
            samesite="Lax",
            path="/",
        )
        self._sealer = sealer
        # a browser-session cookie carries no Max-Age: closing the browser ends it
        self._cookie_max_age = None if browser_session_cookie else max_age
        self._names = [cookie_name] + [f"{cookie_name}.{i}" for i in range(1, MAX_CHUNKS)]
        # Decrypting is the costly part of a read: remember what recent cookie values
        # decrypted to. Keyed by the sealed values themselves, which only we can produce,
        # and only once they opened: junk an anonymous client sends is never kept.
        self._plaintexts: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        # logins by the head of the first value (its random nonce: unique per write), so a lookup
        # hashes a few dozen characters, not kilobytes; the entry holds every value, compared in full
        self._logins: OrderedDict[str, tuple[tuple[str, ...], StoredLogin | None]] = OrderedDict()

    @property
    def chunk_names(self) -> list[str]:
        """The names of the cookies a session may occupy, in order."""
        return self._names

    def cached_login(self, request: web.Request) -> CachedLogin:
        """The login our cookies were last decoded to (the hot path of every request).

        Keyed by our cookies' values, not the whole header: a client cannot fill this
        cache with other cookies, and the values are sealed ones that opened.
        """
        header = request.headers.get(hdrs.COOKIE)
        if header is None:
            return None
        name = self._cookie_name
        found = header.find(name)
        if found < 0:
            return None
        # the usual pair holding a value we opened, ending the header or at a ";", and our name nowhere
        # after it: the answer the general path below would give, in a few string comparisons
        start = usual_start(header, name, found)
        if start >= 0:
            entry = self._logins.get(header[start : start + _KEY_CHARS])
            if entry is not None and len(entry[0]) == 1:
                value = entry[0][0]
                end = start + len(value)
                if (
                    header.startswith(value, start)
                    and (end == len(header) or header[end] == ";")
                    and header.find(name, end) < 0
                ):
                    return entry[1]
        span = only_span(header, name)
        if span is None:  # two chunks, or our name given more than once: read them all
            values = self._values(header)
            if values is None:
                return None
            entry = self._logins.get(values[0][:_KEY_CHARS])
            return entry[1] if entry is not None and entry[0] == values else NOT_CACHED
        start, end = span
        if start == end:
            return None
        # compared in place, without copying the value out of the header
        entry = self._logins.get(header[start : start + _KEY_CHARS])
        if entry is None or len(entry[0]) != 1 or len(entry[0][0]) != end - start:
            return NOT_CACHED
        return entry[1] if header.startswith(entry[0][0], start) else NOT_CACHED

    async def load_login(self, request: web.Request) -> StoredLogin | None:
        """The stored login, decoded once per distinct set of cookie values."""
        values = self._values(request.headers.get(hdrs.COOKIE, ""))
        if values is None:
            return None
        entry = self._logins.get(values[0][:_KEY_CHARS])
        if entry is not None and entry[0] == values:
            return entry[1]
        data = self._data(values)
        if data is None:
            return None  # not ours: not remembered, so junk costs one failed decryption and no memory
        login = read_login(data.get("session") or {})
        self._logins[values[0][:_KEY_CHARS]] = (values, login)
        if len(self._logins) > _CACHE_SIZE:
            self._logins.popitem(last=False)  # first in, first out: cheap, and hits need no reordering
        return login

    async def load_session(self, request: web.Request) -> Session:
        values = self._values(request.headers.get(hdrs.COOKIE, ""))
        data = self._data(values) if values is not None else None
        if data is None:
            return Session(None, data=None, new=True, max_age=self.max_age)
        return Session(None, data=data, new=False, max_age=self.max_age)

    def _values(self, header: str) -> tuple[str, ...] | None:
        # our chunks read straight from the one Cookie header (RFC 6265 5.4: user agents send
        # one): parsing every cookie of the site through http.cookies costs more than the rest
        return chunk_values(header, self._cookie_name, MAX_CHUNKS)

    def _data(self, values: tuple[str, ...]) -> Any:
        plaintext = self._plaintexts.get(values)
        if plaintext is None:
            plaintext = self._open(values)
            if plaintext is None:
                return None
            self._remember(values, plaintext)
        try:
            data = json.loads(plaintext)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _open(self, values: tuple[str, ...]) -> bytes | None:
        # The chunk count is taken from the first chunk's associated data: try the
        # count we see; a stale extra cookie from an older, longer write is ignored.
        for count in range(len(values), 0, -1):
            parts: list[bytes] = []
            write_id: bytes | None = None
            for index in range(count):
                part = self._sealer.open(values[index], self._aad(index, count))
                if part is None or (write_id is not None and part[:_WRITE_ID] != write_id):
                    break
                write_id = part[:_WRITE_ID]
                parts.append(part[_WRITE_ID:])
            else:
                return b"".join(parts)
        log.info("session cookie could not be opened; starting an anonymous session")
        return None

    def _remember(self, values: tuple[str, ...], plaintext: bytes) -> None:
        self._plaintexts[values] = plaintext
        if len(self._plaintexts) > _CACHE_SIZE:
            self._plaintexts.popitem(last=False)

    def seal(self, session: Session) -> list[str]:
        """The cookie values for ``session`` ([] when empty); raises SessionTooLargeError."""
        data = self._get_session_data(session)
        if not data:
            return []
        plaintext = json.dumps(data, separators=(",", ":")).encode()
        count = max(1, -(-len(plaintext) // _CHUNK_PLAINTEXT))
        if count > MAX_CHUNKS:
            raise self.events.raised(
                SessionTooLargeError(
                    f"the session needs {len(plaintext)} bytes, more than {MAX_CHUNKS} cookies "
                    "hold; keep less in the session or use Redis storage "
                    "(EidConfig(storage='redis://...'))",
                )
            )
        write_id = os.urandom(_WRITE_ID)
        values = [
            self._sealer.seal(
                write_id + plaintext[i * _CHUNK_PLAINTEXT : (i + 1) * _CHUNK_PLAINTEXT],
                self._aad(i, count),
            )
            for i in range(count)
        ]
        self._remember(tuple(values), plaintext)
        return values

    async def save_session(
        self,
        request: web.Request,
        response: web.StreamResponse,
        session: Session,
    ) -> None:
        values = self.seal(session)
        params = self.cookie_params
        for index, name in enumerate(self._names):
            if index < len(values):
                response.set_cookie(
                    name,
                    values[index],
                    max_age=self._cookie_max_age,
                    path=params["path"],
                    secure=params["secure"],
                    httponly=params["httponly"],
                    samesite=params["samesite"],
                )
            elif cookie_present(request.headers.get(hdrs.COOKIE, ""), name):
                response.del_cookie(
                    name,
                    path=params["path"],
                    secure=params["secure"],
                    httponly=params["httponly"],
                    samesite=params["samesite"],
                )

    def _aad(self, index: int, count: int) -> bytes:
        return f"{self._cookie_name}\x00{index}/{count}".encode()
