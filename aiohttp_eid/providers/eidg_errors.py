"""EIDG's error table ("Error handling" in the provider's document), as data.

Each ``errorCode`` maps to its OAuth error, who must act (owner), what the user
is offered (action) and the message shown. ``errorDescription`` comes from the
URL, so an attacker controls it: it is never shown, only logged escaped and
truncated (``errors.describe``).
"""

from __future__ import annotations

import dataclasses
import logging

from ..errors import Action, LoginExpiredError, Owner, ProviderError, describe

__all__ = ["EIDG_ERRORS", "EidgErrorSpec", "eidg_error"]

log = logging.getLogger("aiohttp_eid.eidg")


@dataclasses.dataclass(frozen=True, slots=True)
class EidgErrorSpec:
    """One row of the table."""

    oauth_error: str
    owner: Owner
    action: Action
    message: str  # key of the user's message
    cause: str  # the document's "cause of error", for the log


_USER, _CLIENT, _EIDG = Owner.END_USER, Owner.CLIENT_APPLICATION, Owner.PROVIDER
_RETRY, _GENERIC, _AGAIN = Action.TRY_AGAIN, Action.GENERIC, Action.LOGIN_AGAIN


def _both(number: int, spec: EidgErrorSpec, *, spid_only: bool = False) -> dict[str, EidgErrorSpec]:
    codes = [f"SPID_{number}"] if spid_only else [f"SPID_{number}", f"CIE_{number}"]
    return dict.fromkeys(codes, spec)


def _family(suffix: str, spec: EidgErrorSpec) -> dict[str, EidgErrorSpec]:
    return {f"SPID_{suffix}": spec, f"CIE_{suffix}": spec}


_BAD_FORMAT = "Incorrect response format (identity provider)"

EIDG_ERRORS: dict[str, EidgErrorSpec] = {
    **_both(
        19,
        EidgErrorSpec("access_denied", _USER, _RETRY, "bad_credentials", "repeated incorrect credentials"),
        spid_only=True,
    ),
    **_both(
        20,
        EidgErrorSpec(
            "access_denied", _USER, _RETRY, "level_unavailable", "user has no credentials of the required level"
        ),
        spid_only=True,
    ),
    **_both(21, EidgErrorSpec("access_denied", _USER, _RETRY, "timeout", "timeout during authentication")),
    **_both(22, EidgErrorSpec("access_denied", _USER, _RETRY, "consent_denied", "consent denied by the user")),
    **_both(
        23,
        EidgErrorSpec(
            "access_denied", _USER, _RETRY, "identity_suspended", "identity suspended/revoked or credentials blocked"
        ),
    ),
    **_both(25, EidgErrorSpec("access_denied", _USER, _RETRY, "cancelled", "cancelled by the user")),
    **_family("OTHER_CODE", EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", _BAD_FORMAT)),
    **_family(
        "TECHNICAL",
        EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", "error during the authentication process"),
    ),
    **_family("VALIDATION", EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", "SAML validation error")),
    **_family("PARSING", EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", "SAML parsing error")),
    "EIDG_1": EidgErrorSpec("invalid_request", _CLIENT, _GENERIC, "generic", "no client_id provided"),
    "EIDG_2": EidgErrorSpec("invalid_request", _CLIENT, _GENERIC, "generic", "client_id not valid"),
    "EIDG_3": EidgErrorSpec(
        "invalid_request", _CLIENT, _GENERIC, "generic", "redirect URL does not match the enrolment"
    ),
    "EIDG_4": EidgErrorSpec(
        "invalid_request",
        _CLIENT,
        _GENERIC,
        "generic",
        "identification method not valid or not available for this client",
    ),
    "EIDG_5": EidgErrorSpec("access_denied", _CLIENT, _GENERIC, "generic", "client_id or client_secret not valid"),
    "EIDG_6": EidgErrorSpec("access_denied", _CLIENT, _GENERIC, "generic", "client_secret not valid"),
    "EIDG_7": EidgErrorSpec("access_denied", _CLIENT, _GENERIC, "generic", "no grant_type provided"),
    "EIDG_8": EidgErrorSpec("access_denied", _CLIENT, _GENERIC, "generic", "grant_type not valid"),
    "EIDG_9": EidgErrorSpec("invalid_request", _CLIENT, _GENERIC, "generic", "error during request validation"),
    "EIDG_10": EidgErrorSpec("access_denied", _EIDG, _GENERIC, "generic", "error during token generation"),
    "EIDG_11": EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", "error communicating with LegalDoc"),
    "EIDG_12": EidgErrorSpec("server_error", _CLIENT, _AGAIN, "login_expired", "request config not found (expired)"),
    "EIDG_13": EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", "error while retrieving request config"),
    "EIDG_14": EidgErrorSpec("access_denied", _CLIENT, _AGAIN, "session_ended", "access or refresh token not found"),
    "EIDG_15": EidgErrorSpec("invalid_request", _CLIENT, _GENERIC, "generic", "access or refresh token not valid"),
    "EIDG_16": EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", "error while parsing access or refresh token"),
}

# For a code the table does not know, the OAuth error decides.
_BY_OAUTH_ERROR = {
    "access_denied": EidgErrorSpec("access_denied", _USER, _RETRY, "access_denied", "access denied"),
    "invalid_grant": EIDG_ERRORS["EIDG_14"],
}
_UNKNOWN = EidgErrorSpec("server_error", _EIDG, _GENERIC, "generic", "unknown error")

#: the codes after which a refresh cannot succeed: the login is over
TERMINAL_REFRESH_CODES = frozenset({"EIDG_14", "EIDG_15"})


def _status(spec: EidgErrorSpec) -> int:
    if spec.action is Action.LOGIN_AGAIN:
        return 401 if spec.message == "session_ended" else 400
    return 401 if spec.owner is Owner.END_USER else 502


def eidg_error(
    *,
    provider: str,
    error: object,
    error_code: object,
    description: object,
    where: str,
) -> ProviderError:
    """The typed error of an EIDG error answer, logged without personal data."""
    code = error_code if isinstance(error_code, str) and error_code in EIDG_ERRORS else None
    oauth = error if isinstance(error, str) else None
    spec = EIDG_ERRORS[code] if code else _BY_OAUTH_ERROR.get(oauth or "", _UNKNOWN)
    # the user's own choices (cancel, deny consent) are not faults of the service
    level = logging.INFO if spec.owner is Owner.END_USER else logging.WARNING
    log.log(
        level,
        'provider %s %s error: error=%s errorCode=%s owner=%s cause="%s" description="%s"',
        provider,
        where,
        describe(error),
        describe(error_code),
        spec.owner.value,
        spec.cause,
        describe(description),
    )
    return ProviderError(
        f"{where}: {describe(error)} {describe(error_code)} ({spec.cause})",
        provider=provider,
        oauth_error=oauth,
        provider_code=code,
        owner=spec.owner,
        action=spec.action,
        message=spec.message,
        status=_status(spec),
    )


def refresh_error(provider: str, error: object, error_code: object, description: object) -> Exception:
    """A refused refresh: LoginExpiredError when the login is over, else a ProviderError (transient)."""
    err = eidg_error(provider=provider, error=error, error_code=error_code, description=description, where="refresh")
    if err.provider_code in TERMINAL_REFRESH_CODES or (err.provider_code is None and error == "invalid_grant"):
        return LoginExpiredError(err.detail, provider=provider)
    return err
