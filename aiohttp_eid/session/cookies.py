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

__all__ = ["chunk_values", "cookie_present", "cookie_value", "cookie_values", "only_span", "usual_start"]

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
    start = 0
    while (found := header.find(name, start)) >= 0:
        span = _span(header, name, found)
        if span is None:
            start = found + len(name)
        else:
            values.append(header[span[0] : span[1]])
            start = span[2]
    return values


def only_span(header: str, name: str) -> tuple[int, int] | None:
    """Where the value of cookie ``name`` is, in the usual case of one pair of that name and no other
    candidate after it (our name inside a value names nothing); None otherwise: read ``cookie_values``.

    The hot path of every request, so it copies nothing.
    """
    found = header.find(name)
    if found < 0:
        return None
    # the usual pair, no blanks around its value and our name nowhere after it: the answer of
    # _general_span, without its Python loops
    start = usual_start(header, name, found)
    if start >= 0:
        end = header.find(";", start)
        if end < 0:
            end = len(header)
        blank_edge = start < end and (header[start] in _BLANKS or header[end - 1] in _BLANKS)
        if not blank_edge and header.find(name, end) < 0:
            return start, end
    return _general_span(header, name, found)


def usual_start(header: str, name: str, found: int) -> int:
    """Where the value of the pair named ``name`` at ``found`` starts, when the pair has the shape browsers
    send (first in the header or after ``"; "``, ``=`` right after the name); -1 for any other shape."""
    start = found + len(name) + 1
    if (found == 0 or (found >= 2 and header.startswith("; ", found - 2))) and header.startswith("=", start - 1):
        return start
    return -1


def _general_span(header: str, name: str, found: int) -> tuple[int, int] | None:
    """``only_span`` for any header, ``found`` being where ``name`` first appears."""
    span = _span(header, name, found)
    if span is None or header.find(name, span[2]) >= 0:
        return None
    return span[0], span[1]


def cookie_value(header: str, name: str) -> str | None:
    """The value of cookie ``name``; None when absent, empty, or given several different values."""
    if name not in header:
        return None
    span = only_span(header, name)
    if span is not None:
        return header[span[0] : span[1]] or None
    values = cookie_values(header, name)
    if not values:
        return None
    first = values[0]
    if len(values) > 1 and any(value != first for value in values):
        _conflicts.conflict(name)
        return None
    return first or None


def chunk_values(header: str, name: str, count: int) -> tuple[str, ...] | None:
    """The values of cookies ``name``, ``name.1`` ... ``name.<count-1>`` (count at most 10), in one pass.

    They stop at the first one absent, empty or given different values; None when ``name`` is.
    """
    if name not in header:
        return None
    span = only_span(header, name)
    if span is not None:
        return (header[span[0] : span[1]],) if span[1] > span[0] else None
    found_values: list[str | None] = [None] * count
    conflicts = [False] * count
    start = 0
    while (found := header.find(name, start)) >= 0:
        index = _chunk_index(header, found + len(name), count)
        pair = _span(header, name if index == 0 else f"{name}.{index}", found)
        if pair is None:
            start = found + len(name)
            continue
        value, start = header[pair[0] : pair[1]], pair[2]
        if found_values[index] is None:
            found_values[index] = value
        elif found_values[index] != value:
            conflicts[index] = True
    values: list[str] = []
    for found_value, conflict in zip(found_values, conflicts, strict=True):
        if conflict:
            _conflicts.conflict(name)
            break
        if not found_value:
            break
        values.append(found_value)
    return tuple(values) or None


def cookie_present(header: str, name: str) -> bool:
    """Whether the header names cookie ``name`` at all (with any value)."""
    return bool(cookie_values(header, name))


def _chunk_index(header: str, after: int, count: int) -> int:
    """1 to count-1 when ``.<digit>`` follows a name ending at ``after``, else 0."""
    if (
        header[after : after + 1] == "."
        and (digit := header[after + 1 : after + 2])
        and digit in "123456789"[: count - 1]
    ):
        return int(digit)
    return 0


def _span(header: str, name: str, found: int) -> tuple[int, int, int] | None:
    """Start and end of the value of the pair named ``name`` at ``found`` (blanks trimmed), and where
    the pair ends; None if no pair is named there. The value runs to the next ``;``."""
    before = found - 1
    while before >= 0 and header[before] in _BLANKS:
        before -= 1
    if before >= 0 and header[before] != ";":
        return None  # inside another cookie's name or value
    start = found + len(name)
    if header.startswith("=", start):
        start += 1
    else:  # blanks before the '=' (no browser sends them, but the grammar trims them)
        size = len(header)
        while start < size and header[start] in _BLANKS:
            start += 1
        if start >= size or header[start] != "=":
            return None  # a longer name (``name.1``) or a pair without a value
        start += 1
    pair_end = header.find(";", start)
    if pair_end < 0:
        pair_end = len(header)
    end = pair_end
    while start < end and header[start] in _BLANKS:
        start += 1
    while end > start and header[end - 1] in _BLANKS:
        end -= 1
    return start, end, pair_end
