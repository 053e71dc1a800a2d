"""A login in progress, from the login redirect (1) to the callback (3).

Kept in the session under its ``state``: at most ``MAX_PENDING`` at once (so
parallel tabs work and nothing piles up), each valid for ``TTL`` seconds, and
taken out before any network call so a callback can be used only once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, MutableMapping
from typing import Any

from ..identity import Assurance

__all__ = ["MAX_PENDING", "TTL", "Transaction", "pop_transaction", "push_transaction"]

MAX_PENDING = 5
TTL = 600.0


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Transaction:
    """What the callback needs to finish a login it started."""

    state: str
    provider: str
    code_verifier: str
    return_to: str
    created: float
    nonce: str | None = None
    #: the lowest assurance level this login may end with
    assurance: Assurance | None = None
    locale: str | None = None
    #: a phone number to log in with (itsme), sent only inside the encrypted request object
    login_hint: str | None = None
    #: this login was started again by itself after the provider refused the request object (once, never more)
    restarted: bool = False

    def __repr__(self) -> str:
        return f"Transaction(provider={self.provider!r}, created={self.created!r})"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"p": self.provider, "v": self.code_verifier, "r": self.return_to, "c": self.created}
        if self.nonce is not None:
            out["n"] = self.nonce
        if self.assurance is not None:
            out["a"] = self.assurance.name
        if self.locale is not None:
            out["l"] = self.locale
        if self.login_hint is not None:
            out["h"] = self.login_hint
        if self.restarted:
            out["t"] = 1
        return out

    @classmethod
    def from_dict(cls, state: str, data: Mapping[str, Any]) -> Transaction:
        return cls(
            state=state,
            provider=data["p"],
            code_verifier=data["v"],
            return_to=data["r"],
            created=data["c"],
            nonce=data.get("n"),
            assurance=Assurance[data["a"]] if "a" in data else None,
            locale=data.get("l"),
            login_hint=data.get("h"),
            restarted=bool(data.get("t")),
        )


def push_transaction(pending: MutableMapping[str, Any], tx: Transaction, now: float) -> None:
    """Add ``tx``; drop expired ones, then the oldest beyond MAX_PENDING."""
    for state in [s for s, d in pending.items() if now - d["c"] >= TTL]:
        del pending[state]
    pending[tx.state] = tx.to_dict()
    while len(pending) > MAX_PENDING:
        oldest = min(pending, key=lambda s: pending[s]["c"])
        del pending[oldest]


def pop_transaction(pending: MutableMapping[str, Any], state: str, now: float) -> Transaction | None:
    """Take out the transaction of ``state``; None when unknown or expired."""
    data = pending.pop(state, None)
    if not isinstance(data, dict):
        return None
    try:
        tx = Transaction.from_dict(state, data)
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= now - tx.created < TTL:
        return None
    return tx
