"""The login as kept in the session: versioned, minimal.

Everything of ours lives under one key of the aiohttp-session ``Session``
(``DATA_KEY``), so the application's own session data sits beside it. Kept: the
identity (never photos or raw SAML), the tokens still used, the login time and
the last-seen time; plus the pending login transactions.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, MutableMapping
from typing import Any, Final, Literal, Protocol, TypeAlias

from aiohttp import web

from ..identity import Identity
from ..oidc.tokens import TokenSet

__all__ = [
    "DATA_KEY",
    "NOT_CACHED",
    "CachedLogin",
    "LoginReader",
    "StoredLogin",
    "clear_login",
    "logged_in_at",
    "login_owner",
    "only_pending",
    "pending_transactions",
    "put_tokens",
    "raw_login",
    "read_login",
    "take_tokens",
    "tokens_version",
    "write_login",
    "write_pending",
]

DATA_KEY = "aiohttp_eid"
VERSION = 1


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class StoredLogin:
    """One login: who, with which tokens, since when."""

    provider: str
    identity: Identity
    tokens: TokenSet | None
    logged_in_at: float
    seen_at: float

    def __repr__(self) -> str:
        return f"StoredLogin(provider={self.provider!r}, logged_in_at={self.logged_in_at!r})"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "p": self.provider,
            "id": self.identity.to_dict(),
            "t": self.logged_in_at,
            "s": self.seen_at,
        }
        if self.tokens is not None:
            out["tok"] = self.tokens.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredLogin:
        tokens = data.get("tok")
        return cls(
            provider=data["p"],
            identity=Identity.from_dict(data["id"]),
            tokens=TokenSet.from_dict(tokens) if tokens else None,
            logged_in_at=data["t"],
            seen_at=data["s"],
        )


class NotCached(enum.Enum):
    NOT_CACHED = "not cached"


#: what ``LoginReader.cached_login`` answers when only a full read can tell
NOT_CACHED: Final = NotCached.NOT_CACHED
#: the login known from memory alone: a login, None (no session), or NOT_CACHED
CachedLogin: TypeAlias = "StoredLogin | Literal[NotCached.NOT_CACHED] | None"


class LoginReader(Protocol):
    """A session storage that reads the login without building the whole session (ours do)."""

    def cached_login(self, request: web.Request) -> CachedLogin:
        """The login from memory alone (None: no session cookie), or NOT_CACHED."""

    async def load_login(self, request: web.Request) -> StoredLogin | None:
        """The stored login, read from the store when it is not in memory."""


def _ours(session: Mapping[str, Any]) -> Mapping[str, Any]:
    data = session.get(DATA_KEY)
    return data if isinstance(data, Mapping) and data.get("v") == VERSION else {}


def read_login(session: Mapping[str, Any]) -> StoredLogin | None:
    """The stored login, or None (also for a record of another version or a broken one)."""
    raw = _ours(session).get("login")
    if not isinstance(raw, Mapping):
        return None
    try:
        return StoredLogin.from_dict(raw)
    except (KeyError, TypeError, ValueError):
        return None


def _update(session: MutableMapping[str, Any], **changes: Any) -> None:
    data = {"v": VERSION, **{k: v for k, v in _ours(session).items() if k != "v"}}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    if len(data) == 1:
        session.pop(DATA_KEY, None)
    else:
        session[DATA_KEY] = data


def write_login(session: MutableMapping[str, Any], login: StoredLogin) -> None:
    """Store ``login`` (replacing any other)."""
    _update(session, login=login.to_dict())


def clear_login(session: MutableMapping[str, Any]) -> None:
    """Forget the login (pending transactions stay)."""
    if "login" in _ours(session):
        _update(session, login=None)


def pending_transactions(session: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the pending login transactions, by state."""
    pending = _ours(session).get("tx")
    return dict(pending) if isinstance(pending, Mapping) else {}


def write_pending(session: MutableMapping[str, Any], pending: Mapping[str, Any]) -> None:
    """Store the pending transactions (removing the record when empty)."""
    _update(session, tx=dict(pending) or None)


def only_pending(session: Any) -> bool:
    """Whether a session holds pending logins and nothing else: no login, no application data.

    Such a pre-login session (an anonymous hit on a protected page writes one) needs to live
    only as long as a pending login does.
    """
    if not isinstance(session, Mapping) or len(session) != 1:
        return False
    ours = session.get(DATA_KEY)
    return isinstance(ours, Mapping) and ours.keys() == {"v", "tx"}


# -- the record's JSON form, for a storage that keeps the tokens apart (Redis) ----------------------


def raw_login(session: Any) -> dict[str, Any] | None:
    """The stored login's JSON object inside a session's data (edited in place), or None."""
    ours = session.get(DATA_KEY) if isinstance(session, dict) else None
    login = ours.get("login") if isinstance(ours, dict) else None
    return login if isinstance(login, dict) else None


def take_tokens(login: dict[str, Any]) -> dict[str, Any] | None:
    """Remove the tokens from a raw login and return them (None: it has none)."""
    tokens = login.pop("tok", None)
    return tokens if isinstance(tokens, dict) else None


def put_tokens(login: dict[str, Any], tokens: Any) -> None:
    """Put back into a raw login the tokens ``take_tokens`` took out."""
    login["tok"] = tokens


def tokens_version(tokens: Mapping[str, Any]) -> str:
    """The version of taken-out tokens: a refresh writes newer ones, never older ones over newer."""
    return repr(TokenSet.obtained_at_of(tokens))


def login_owner(login: Mapping[str, Any]) -> tuple[str, str]:
    """The provider and subject of a raw login: whose sessions ``logout_everywhere`` ends."""
    identity = login.get("id")
    return str(login.get("p")), str(identity.get("subject") if isinstance(identity, Mapping) else None)


def logged_in_at(login: Mapping[str, Any], default: float) -> float:
    """When a raw login began (``default`` when the record does not say)."""
    return float(login.get("t", default))
