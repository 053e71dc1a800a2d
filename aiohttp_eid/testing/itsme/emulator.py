"""``ItsmeEmulator``: itsme (Belgian Mobile ID) as ``providers/itsme-openid-connect.md`` describes it.

The generic :class:`~aiohttp_eid.testing.OidcProviderEmulator` with itsme's profile:
under ``/oidc`` (as ``https://merchant.itsme.be/oidc``), keys at ``/oidc/jwkSet``
(and ``/oidc/jwks``); ``private_key_jwt`` client authentication; request objects
signed (RS256) then encrypted (RSA-OAEP, A128CBC-HS256) with ``aud`` the issuer
or ``https://server.itsme.be``; ID tokens and ``application/jwt`` userinfo signed
and encrypted to the client; no refresh tokens; pairwise subjects; codes valid
3 minutes and userinfo answered only within 3 minutes of the authentication.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from aiohttp_eid.testing.itsme import claims as itsme_claims
from aiohttp_eid.testing.itsme.users import DEFAULT_ITSME_USERS, ItsmeUser
from aiohttp_eid.testing.oidc_provider.base import OAuthFailure
from aiohttp_eid.testing.oidc_provider.emulator import OidcProviderEmulator

__all__ = ["DOCUMENT_AUDIENCE", "ItsmeEmulator"]

#: the request object audience of the document's example
DOCUMENT_AUDIENCE = "https://server.itsme.be"
SERVICE_PREFIX = "service:"


class ItsmeEmulator(OidcProviderEmulator):
    """itsme for tests and demos (fake users; serve it on loopback only).

    Set :attr:`rp_jwks_uri` (constructor or attribute) to the client's JWKS before
    the first login: request objects, client assertions and the encryption of ID
    tokens and userinfo all need the client's keys.

    Itsme's rules on top of the generic provider: ``scope`` must contain
    ``openid`` (else ``not_implemented``) and exactly one ``service:<CODE>`` of
    ``service_codes`` (else ``invalid_scope``; ``offline_access`` too);
    ``display`` must be ``page`` (else ``not_implemented``) and ``prompt``
    ``consent``; acr values ``tag:sixdots.be,2016-06:acr_basic`` and
    ``..._advanced`` (the most constraining requested wins; basic by default),
    also accepted in the document's ``tag:itsmetag:sixdots.be,...`` spelling, as
    are claim names; ``ui_locales`` fr, nl, en, de. A request without a request
    object is refused (``invalid_request``): aiohttp-eid always sends one.
    """

    name = "itsme"
    display_values_supported = ("page",)

    def __init__(
        self,
        *,
        client_id: str = "demo-rp",
        service_codes: Sequence[str] = ("DEMO_LOGIN",),
        redirect_uris: Sequence[str] = (),
        rp_jwks_uri: str | None = None,
        request_object_audiences: Sequence[str] | None = None,
        users: Sequence[ItsmeUser] = DEFAULT_ITSME_USERS,
        auto_approve: str | None = None,
        clock: Callable[[], float] = time.time,
        token_lifetime: int = 300,
        code_lifetime: int = 180,
        userinfo_window: int | None = 180,
        include_at_hash: bool = True,
    ) -> None:
        if not service_codes:
            raise ValueError("service_codes: at least one service code is needed")
        self.service_codes = tuple(service_codes)
        super().__init__(
            client_id=client_id,
            client_secret=None,
            redirect_uris=redirect_uris,
            client_auth="private_key_jwt",
            rp_jwks_uri=rp_jwks_uri,
            require_request_object=True,
            request_object_audiences=request_object_audiences,
            encrypt_id_token=True,
            userinfo_format="jwt",
            encrypt_userinfo=True,
            require_pkce=False,  # not in itsme's document; accepted (S256) when sent
            issue_refresh_tokens=False,
            end_session=False,
            pairwise_sub=True,
            token_lifetime=token_lifetime,
            code_lifetime=code_lifetime,
            userinfo_window=userinfo_window,
            clock=clock,
            auto_approve=auto_approve,
            users=users,
            acr_values=(itsme_claims.ACR_BASIC, itsme_claims.ACR_ADVANCED),
            include_at_hash=include_at_hash,
            path_prefix="/oidc",
            jwks_path="/jwkSet",
            ui_locales_supported=("fr", "nl", "en", "de"),
            claims_supported=itsme_claims.ITSME_CLAIMS_SUPPORTED,
            scopes_supported=(
                "openid",
                "profile",
                "email",
                "address",
                "phone",
                *(SERVICE_PREFIX + code for code in service_codes),
            ),
        )

    def canonical(self, name: str) -> str:
        return itsme_claims.canonical(name)

    @property
    def accepted_audiences(self) -> tuple[str, ...]:
        if self.request_object_audiences is not None:
            return self.request_object_audiences
        return (self.issuer, DOCUMENT_AUDIENCE)

    def check_scopes(self, scopes: Sequence[str]) -> None:
        if "openid" not in scopes:
            raise OAuthFailure("not_implemented", "scope must contain openid")
        if "offline_access" in scopes:
            raise OAuthFailure("invalid_scope", "offline access is not supported")
        services = [scope.removeprefix(SERVICE_PREFIX) for scope in scopes if scope.startswith(SERVICE_PREFIX)]
        if len(services) != 1 or services[0] not in self.service_codes:
            raise OAuthFailure("invalid_scope", "scope must contain exactly one known service:<SERVICE_CODE>")

    def check_display(self, display: str | None) -> None:
        if display is not None and display != "page":
            raise OAuthFailure("not_implemented", "display must be page")

    def check_prompt(self, prompt: Sequence[str]) -> None:
        if prompt and list(prompt) != ["consent"]:
            raise OAuthFailure("invalid_request", "prompt must be consent")
