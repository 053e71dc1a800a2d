"""When a stored login expires, records activity or needs new tokens: the one place for these rules."""

from __future__ import annotations

import math

from ..config import EidConfig
from .store import StoredLogin

__all__ = ["Lifetimes"]

#: activity is recorded at most this often (a tenth of the idle timeout when that is shorter)
TOUCH_INTERVAL = 60.0


class Lifetimes:
    """The absolute and idle lifetimes of logins, and when their tokens are refreshed."""

    def __init__(self, config: EidConfig, providers: frozenset[str]) -> None:
        self._clock = config.clock
        self._max_age = config.max_age
        self._idle = config.idle_timeout if config.idle_timeout is not None else math.inf
        # without an idle timeout there is no activity to record
        self._touch_after = min(TOUCH_INTERVAL, self._idle / 10) if config.idle_timeout is not None else math.inf
        self._leeway = config.leeway if config.refresh == "auto" else None
        self._providers = providers

    def usable_as_is(self, login: StoredLogin) -> bool:
        """True for a login of a configured provider that is neither expired nor due a write or refresh.

        Checked on every request of a logged-in user, so it reads the clock once and nothing else.
        """
        now = self._clock()
        return (
            now - login.seen_at < self._touch_after
            and now - login.logged_in_at < self._max_age
            and not self.refresh_due(login, now)
            and login.provider in self._providers
        )

    def expired(self, login: StoredLogin, now: float) -> bool:
        """Past the absolute lifetime or idle for longer than the idle timeout."""
        return now - login.logged_in_at >= self._max_age or now - login.seen_at >= self._idle

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
