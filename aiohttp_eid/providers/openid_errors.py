"""OAuth 2.0 / OpenID Connect error codes (RFC 6749 4.1.2.1, 5.2; OpenID Core 3.1.2.6; itsme's list), as data."""

from __future__ import annotations

import logging

from ..errors import Action, LoginExpiredError, Owner, ProviderError, describe

__all__ = ["OIDC_ERRORS", "oidc_error", "refresh_error"]

log = logging.getLogger("aiohttp_eid.oidc")

_USER, _CLIENT, _PROVIDER = Owner.END_USER, Owner.CLIENT_APPLICATION, Owner.PROVIDER
_RETRY, _GENERIC, _AGAIN = Action.TRY_AGAIN, Action.GENERIC, Action.LOGIN_AGAIN

#: error -> (owner, action, message key, HTTP status of our page)
OIDC_ERRORS: dict[str, tuple[Owner, Action, str, int]] = {
    "access_denied": (_USER, _RETRY, "cancelled", 401),
    "interaction_required": (_USER, _RETRY, "access_denied", 401),
    "login_required": (_USER, _RETRY, "access_denied", 401),
    "consent_required": (_USER, _RETRY, "consent_denied", 401),
    "account_selection_required": (_USER, _RETRY, "access_denied", 401),
    "temporarily_unavailable": (_PROVIDER, _RETRY, "provider_unavailable", 503),
    "server_error": (_PROVIDER, _GENERIC, "generic", 502),
    "invalid_grant": (_CLIENT, _AGAIN, "login_expired", 400),
}
_CLIENT_FAULT = (_CLIENT, _GENERIC, "generic", 502)  # invalid_request, invalid_request_object, not_implemented...


def oidc_error(*, provider: str, error: object, description: object, where: str) -> ProviderError:
    """The typed error of an OAuth error answer (callback or token endpoint), logged safely."""
    code = error if isinstance(error, str) else None
    owner, action, message, status = OIDC_ERRORS.get(code or "", _CLIENT_FAULT)
    level = logging.INFO if owner is Owner.END_USER else logging.WARNING
    log.log(
        level,
        'provider %s %s error: error=%s owner=%s description="%s"',
        provider,
        where,
        describe(error, 64),
        owner.value,
        describe(description),
    )
    return ProviderError(
        f"{where}: {describe(error, 64)}",
        provider=provider,
        oauth_error=code,
        owner=owner,
        action=action,
        message=message,
        status=status,
    )


def refresh_error(provider: str, error: object, description: object) -> Exception:
    """A refused refresh: ``invalid_grant`` ends the login; anything else is transient."""
    err = oidc_error(provider=provider, error=error, description=description, where="refresh")
    if err.oauth_error == "invalid_grant":
        return LoginExpiredError(err.detail, provider=provider)
    return err
