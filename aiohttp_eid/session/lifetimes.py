"""When a stored login expires, records activity or needs new tokens: the one place for these rules."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .login_record import StoredLogin, logged_in_at, only_pending
from .transaction import TTL as PENDING_TTL

__all__ = ["Lifetimes", "record_lifetime"]

#: activity is recorded at most this often (a tenth of the idle timeout when that is shorter)
TOUCH_INTERVAL = 60.0
_MEMO_SIZE = 4096


class Lifetimes:
    """The absolute and idle lifetimes of logins, and when their tokens are refreshed."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        max_age: float,
        idle_timeout: float | None,
        refresh_leeway: float | None,
        providers: frozenset[str],
    ) -> None:
        """``refresh_leeway``: refresh this long before the access token expires (None: never in the middleware)."""
        self._clock = clock
        self._max_age = max_age
        self._idle = idle_timeout if idle_timeout is not None else math.inf
        # without an idle timeout there is no activity to record
        self._touch_after = min(TOUCH_INTERVAL, self._idle / 10) if idle_timeout is not None else math.inf
        self._leeway = refresh_leeway
        self._providers = providers
        # the deadline of each recent login, by identity: the storages hand out the same
        # StoredLogin object request after request
        self._deadlines: dict[int, tuple[StoredLogin, float]] = {}

    def usable_as_is(self, login: StoredLogin) -> bool:
        """True for a login of a configured provider that is neither expired nor due a write or refresh.

        Checked on every request of a logged-in user: one memo lookup and one clock reading.
        """
        memo = self._deadlines.get(id(login))
        if memo is None or memo[0] is not login:
            if len(self._deadlines) >= _MEMO_SIZE:
                self._deadlines.clear()
            memo = self._deadlines[id(login)] = (login, self._usable_until(login))
        return self._clock() < memo[1]

    def _usable_until(self, login: StoredLogin) -> float:
        if login.provider not in self._providers:
            return -math.inf
        until = min(login.seen_at + self._touch_after, login.logged_in_at + self._max_age)
        if self._leeway is not None and login.tokens is not None and login.tokens.refresh_token is not None:
            until = min(until, login.tokens.refresh_at(self._leeway))
        return until

    def ended(self, login: StoredLogin, now: float) -> bool:
        """Past the absolute lifetime, idle for longer than the idle timeout, or of a provider no longer configured."""
        return (
            now - login.logged_in_at >= self._max_age
            or now - login.seen_at >= self._idle
            or login.provider not in self._providers
        )

    def touch_due(self, login: StoredLogin, now: float) -> bool:
        """Time to record the user's activity (which pushes the idle timeout back)."""
        return now - login.seen_at >= self._touch_after

    def refresh_due(self, login: StoredLogin, now: float) -> bool:
        """The access token is near its expiry and may be refreshed in the middleware (refresh='auto')."""
        tokens = login.tokens
        return (
            self._leeway is not None
            and tokens is not None
            and tokens.refresh_token is not None
            and tokens.refresh_due(now, self._leeway)
        )


def record_lifetime(
    session: Any, login: Mapping[str, Any] | None, *, max_age: float, idle: float | None, now: float
) -> float:
    """Seconds a stored session (its data and raw ``login``) may live in a server-side store.

    A login: to the end of its absolute lifetime, at most the idle timeout. A pre-login session
    (pending logins only, as an anonymous hit on a protected page leaves): as long as a pending
    login, so a client that never logs in leaves nothing for hours. Any other: ``max_age``.
    """
    if login is not None:
        remaining = max_age - (now - logged_in_at(login, now))
        return min(remaining, idle) if idle is not None else remaining
    return min(max_age, PENDING_TTL) if only_pending(session) else max_age
