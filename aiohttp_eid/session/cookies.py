"""A strict reader of our cookies in a ``Cookie`` request header (RFC 6265 5.4, RFC 6265bis 5.7.4).

The header is ``name=value`` pairs joined by ``;``: a pair starts at the start of
the header or after a ``;`` (and blanks), its name runs to the first ``=``, and
names are matched exactly. A space is not a separator: in
``z=1 __Host-eid_session=ATTACKER; __Host-eid_session=VICTIM`` the first
``__Host-eid_session=`` is inside the value of ``z``, which a sibling subdomain
or a plain-HTTP page could have planted (the threat the ``__Host-`` prefix stops).

If our cookie name appears more than once with different values (a second
cookie of the same name planted with another Domain or Path), nobody can tell
which is ours: the request is anonymous, and a warning says so (without values,
at most once a minute).

This runs on every request, so it searches with ``str.find`` instead of splitting
the whole header: a site's other cookies cost a C-level scan, not a Python loop.
"""

from __future__ import annotations

import logging
import time

__all__ = ["cookie_present", "cookie_value", "cookie_values"]

log = logging.getLogger("aiohttp_eid.session")

_BLANKS = " \t"
_WARN_EVERY = 60.0


class _ConflictLog:
    """One warning a minute at most, with how many conflicts it stands for."""

    def __init__(self) -> None:
        self._last = -_WARN_EVERY
        self._unreported = 0

    def conflict(self, name: str) -> None:
        self._unreported += 1
        now = time.monotonic()
        if now - self._last >= _WARN_EVERY:
            log.warning(
                "a request carried the cookie %s more than once with different values (one may be planted "
                "by another site); treated as anonymous (%d such request(s) since the last warning)",
                name,
                self._unreported,
            )
            self._last = now
            self._unreported = 0


_conflicts = _ConflictLog()


def cookie_values(header: str, name: str) -> list[str]:
    """Every value the header gives cookie ``name``, blanks trimmed, in order ([] if none)."""
    values: list[str] = []
    size = len(header)
    start = 0
    while (found := header.find(name, start)) >= 0:
        after = found + len(name)
        start = after
        before = found - 1
        while before >= 0 and header[before] in _BLANKS:
            before -= 1
        if before >= 0 and header[before] != ";":
            continue  # inside another cookie's name or value
        while after < size and header[after] in _BLANKS:
            after += 1
        if after >= size or header[after] != "=":
            continue  # a longer name (``name.1``) or a pair without a value
        end = header.find(";", after)
        values.append(header[after + 1 : end if end >= 0 else size].strip(_BLANKS))
        start = end if end >= 0 else size
    return values


def cookie_value(header: str, name: str) -> str | None:
    """The value of cookie ``name``; None when absent, empty, or given several different values."""
    values = cookie_values(header, name)
    if not values:
        return None
    first = values[0]
    if len(values) > 1 and any(value != first for value in values):
        _conflicts.conflict(name)
        return None
    return first or None


def cookie_present(header: str, name: str) -> bool:
    """Whether the header names cookie ``name`` at all (with any value)."""
    return bool(cookie_values(header, name))
