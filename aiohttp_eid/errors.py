"""The errors aiohttp-eid raises.

Every error carries a stable ``code`` (for logs, JSON answers and tests), the HTTP
``status`` its page is served with, the ``message`` key of the text the user sees,
and what the user can do next (``action``). The technical ``detail`` is for the log
and never reaches a page::

    EidError
    ├── ConfigurationError            the configuration is wrong (raised by EidConfig() and setup())
    ├── NotAuthenticatedError         a guard found no login (401 / 302 to login)
    ├── InsufficientAssuranceError    a guard found too low an assurance level (403 / step-up)
    ├── LoginError                    a login did not complete
    │   ├── StateError                unknown, expired or forged state (400)
    │   │   └── ReplayError           a callback seen before (400)
    │   ├── ProviderError             the provider answered with an error (EIDG errorCode, OAuth error)
    │   ├── TokenValidationError      a token or userinfo answer failed validation (502)
    │   └── AssuranceError            the login's level is below the one required (403)
    ├── ProviderUnavailableError      provider down, slow or answering garbage (502/503/504)
    ├── LoginExpiredError             the provider ended the login (refresh refused): log in again
    ├── OriginError                   a cross-origin POST to the logout route (403)
    └── SessionError
        ├── SessionTooLargeError      the session does not fit in two cookies: use Redis (500)
        └── SessionStoreUnavailableError   the session store (Redis) is down (503)
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Sequence
from typing import ClassVar, TypeVar

__all__ = [
    "Action",
    "AssuranceError",
    "ConfigurationError",
    "EidError",
    "InsufficientAssuranceError",
    "LoginError",
    "LoginExpiredError",
    "NotAuthenticatedError",
    "OriginError",
    "Owner",
    "ProviderError",
    "ProviderUnavailableError",
    "ReplayError",
    "SessionError",
    "SessionStoreUnavailableError",
    "SessionTooLargeError",
    "StateError",
    "TokenValidationError",
    "at_provider_boundary",
    "describe",
]


class Owner(enum.Enum):
    """Who must act to resolve an error (the EIDG error table's "resolution owner")."""

    END_USER = "end_user"
    CLIENT_APPLICATION = "client_application"
    PROVIDER = "provider"


class Action(enum.Enum):
    """What the error page offers the user."""

    TRY_AGAIN = "try_again"  # show the error and a "try again" link
    GENERIC = "generic"  # show a generic error; the operator must look at the log
    LOGIN_AGAIN = "login_again"  # the login expired: start a new one


class EidError(Exception):
    """Base class of every aiohttp-eid error."""

    code: ClassVar[str] = "eid_error"
    status: int = 500
    message: str = "generic"
    action: Action = Action.GENERIC
    owner: Owner = Owner.CLIENT_APPLICATION

    def __init__(self, detail: str = "", *, provider: str | None = None) -> None:
        super().__init__(detail or self.code)
        #: technical description for the log; never shown to the user
        self.detail = detail
        #: name of the configured provider involved, if any
        self.provider = provider


class ConfigurationError(EidError):
    """The configuration is invalid; ``problems`` lists every bad field."""

    code = "configuration_error"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        text = "invalid aiohttp-eid configuration:\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(text)


class NotAuthenticatedError(EidError):
    """A guarded handler was reached without a login."""

    code = "not_authenticated"
    status = 401
    message = "not_authenticated"
    action = Action.LOGIN_AGAIN
    owner = Owner.END_USER


class InsufficientAssuranceError(EidError):
    """A guarded handler needs a higher assurance level than the current login has."""

    code = "insufficient_assurance"
    status = 403
    message = "insufficient_assurance"
    action = Action.LOGIN_AGAIN
    owner = Owner.END_USER


class LoginError(EidError):
    """A login could not be completed."""

    code = "login_failed"
    status = 400


class StateError(LoginError):
    """The callback's ``state`` matches no pending login (forged, expired or missing)."""

    code = "invalid_state"
    status = 400
    message = "login_expired"
    action = Action.LOGIN_AGAIN
    owner = Owner.END_USER


class ReplayError(StateError):
    """The callback was already used once."""

    code = "replayed_callback"


class ProviderError(LoginError):
    """The provider answered with an error.

    ``provider_code`` is the provider's own code (EIDG ``errorCode``) when it sent
    one, ``oauth_error`` the OAuth ``error``. ``owner``, ``action`` and ``message``
    come from the provider's error table.
    """

    code = "provider_error"

    def __init__(
        self,
        detail: str = "",
        *,
        provider: str | None = None,
        oauth_error: str | None = None,
        provider_code: str | None = None,
        owner: Owner = Owner.PROVIDER,
        action: Action = Action.GENERIC,
        message: str = "generic",
        status: int = 502,
    ) -> None:
        super().__init__(detail, provider=provider)
        self.oauth_error = oauth_error
        self.provider_code = provider_code
        self.owner = owner
        self.action = action
        self.message = message
        self.status = status


class TokenValidationError(LoginError):
    """A token, ID token or userinfo answer failed validation."""

    code = "invalid_token"
    status = 502
    owner = Owner.PROVIDER


class AssuranceError(LoginError):
    """The level of assurance the provider reports is below the one required."""

    code = "assurance_too_low"
    status = 403
    message = "assurance_too_low"
    action = Action.TRY_AGAIN
    owner = Owner.END_USER


class ProviderUnavailableError(EidError):
    """The provider could not be reached, was too slow, or answered garbage."""

    code = "provider_unavailable"
    status = 503
    message = "provider_unavailable"
    action = Action.TRY_AGAIN
    owner = Owner.PROVIDER

    def __init__(self, detail: str = "", *, provider: str | None = None, status: int = 503) -> None:
        super().__init__(detail, provider=provider)
        self.status = status


class LoginExpiredError(EidError):
    """The provider refused to refresh the login (EIDG_14, ``invalid_grant``)."""

    code = "login_expired"
    status = 401
    message = "session_ended"
    action = Action.LOGIN_AGAIN
    owner = Owner.END_USER


class OriginError(EidError):
    """A state-changing request did not come from the application's own origin."""

    code = "cross_origin"
    status = 403
    message = "cross_origin"
    owner = Owner.END_USER


class SessionError(EidError):
    """The session could not be read or written."""

    code = "session_error"


class SessionTooLargeError(SessionError):
    """The session would need more than two cookies; configure Redis storage."""

    code = "session_too_large"
    status = 500


class SessionStoreUnavailableError(SessionError):
    """The session store (Redis) cannot be reached."""

    code = "session_store_unavailable"
    status = 503
    message = "unavailable"
    action = Action.TRY_AGAIN


_T = TypeVar("_T")
_log = logging.getLogger("aiohttp_eid")


async def at_provider_boundary(call: Awaitable[_T], *, provider: str, where: str) -> _T:
    """``await call``; anything but an ``EidError`` it raises becomes a ``ProviderUnavailableError`` (502).

    Whatever a provider answers (a number of 5,000 digits, JSON nested 100,000 deep, a malformed
    URL) must cost the user a clear error page, never a 500. Only the exception's type is logged:
    its text may quote the provider's answer, tokens included.
    """
    try:
        return await call
    except EidError:
        raise
    except Exception as exc:
        _log.error("provider %s: %s failed on an unexpected answer (%s)", provider, where, type(exc).__name__)
        raise ProviderUnavailableError(
            f"{where}: unexpected {type(exc).__name__}", provider=provider, status=502
        ) from None


def describe(text: object, limit: int = 120) -> str:
    """Attacker-controlled text made safe for one log line: escaped and truncated."""
    value = str(text)[:limit]
    return value.encode("unicode_escape").decode("ascii").replace('"', '\\"')
