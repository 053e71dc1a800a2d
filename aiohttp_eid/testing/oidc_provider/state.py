"""``OidcProviderState``: what the OpenID provider emulator knows and does, apart from its routes.

The handlers (``api``, ``front``, ``authorize``, ``client_auth``) work on this class;
``emulator.OidcProviderEmulator`` adds the routes, so no module imports another in a loop.

The emulator is a configurable OpenID provider as a real aiohttp application.

Authorization code flow with real cryptography (RS256; RSA-OAEP JWE), served under
``path_prefix`` (default ``/oidc``): ``.well-known/openid-configuration``, ``jwks``,
``authorize`` (GET and POST), ``token``, ``userinfo`` (GET and POST) and
``end_session``. Its options cover a plain standard provider (the defaults) and
itsme's profile (:class:`~aiohttp_eid.testing.ItsmeEmulator`): signed and
encrypted request objects, ``private_key_jwt``, encrypted ID tokens and userinfo.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from aiohttp_eid.testing.itsme.users import DEFAULT_ITSME_USERS
from aiohttp_eid.testing.oidc_provider import keys as jose
from aiohttp_eid.testing.oidc_provider.base import ClientAuth, EmulatorBase, OAuthFailure
from aiohttp_eid.testing.oidc_provider.claims import (
    STANDARD_CLAIMS,
    EmulatedUser,
    access_token_hash,
    pairwise_subject,
    release,
)
from aiohttp_eid.testing.oidc_provider.tokens import AuthorizationRequest, Grant, TokenStore

__all__ = ["OidcProviderState"]


class OidcProviderState(EmulatorBase):
    """The state and behaviour of the OpenID provider emulator, without its routes."""

    name = "OpenID provider"
    display_values_supported: tuple[str, ...] = ("page", "popup", "touch", "wap")

    def __init__(
        self,
        *,
        client_id: str = "demo-rp",
        client_secret: str | None = "demo-rp-secret",  # noqa: S107 (a fake demo credential)
        redirect_uris: Sequence[str] = (),
        post_logout_redirect_uris: Sequence[str] = (),
        client_auth: ClientAuth = "client_secret_basic",
        rp_jwks_uri: str | None = None,
        require_request_object: bool = False,
        request_object_audiences: Sequence[str] | None = None,
        encrypt_id_token: bool = False,
        userinfo_format: Literal["json", "jwt"] = "json",
        encrypt_userinfo: bool = False,
        require_pkce: bool = True,
        issue_refresh_tokens: bool = True,
        rotate_refresh_tokens: bool = False,
        end_session: bool = True,
        pairwise_sub: bool = False,
        token_lifetime: int = 300,
        code_lifetime: int = 180,
        userinfo_window: int | None = None,
        clock: Callable[[], float] = time.time,
        auto_approve: str | None = None,
        users: Sequence[EmulatedUser] = DEFAULT_ITSME_USERS,
        acr_values: Sequence[str] = (),
        include_at_hash: bool = True,
        path_prefix: str = "/oidc",
        jwks_path: str = "/jwks",
        ui_locales_supported: Sequence[str] = ("en",),
        claims_supported: Sequence[str] = STANDARD_CLAIMS,
        scopes_supported: Sequence[str] = ("openid", "profile", "email", "address", "phone"),
    ) -> None:
        if client_auth not in ("client_secret_basic", "client_secret_post", "private_key_jwt"):
            raise ValueError(f"client_auth: unknown method {client_auth!r}")
        if client_auth != "private_key_jwt" and not client_secret:
            raise ValueError(f"client_auth={client_auth!r} needs a client_secret")
        if userinfo_format not in ("json", "jwt") or (encrypt_userinfo and userinfo_format != "jwt"):
            raise ValueError("userinfo_format must be 'json' or 'jwt'; encrypt_userinfo needs 'jwt'")
        super().__init__(path_prefix=path_prefix, jwks_path=jwks_path)
        self.users: dict[str, EmulatedUser] = {user.key: user for user in users}
        if len(self.users) != len(users) or not self.users:
            raise ValueError("users must be a non-empty sequence with unique keys")
        if auto_approve is not None and auto_approve not in self.users:
            raise ValueError(f"auto_approve: unknown user {auto_approve!r}")
        self.client_id = client_id
        self.client_secret = client_secret
        self.client_auth: ClientAuth = client_auth
        self.redirect_uris = tuple(redirect_uris)
        self.post_logout_redirect_uris = tuple(post_logout_redirect_uris)
        self.rp_jwks_uri = rp_jwks_uri
        self.require_request_object = require_request_object
        self.request_object_audiences = None if request_object_audiences is None else tuple(request_object_audiences)
        self.encrypt_id_token = encrypt_id_token
        self.userinfo_format: Literal["json", "jwt"] = userinfo_format
        self.encrypt_userinfo = encrypt_userinfo
        self.require_pkce = require_pkce
        self.issue_refresh_tokens = issue_refresh_tokens
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.pairwise_sub = pairwise_sub
        self.end_session = end_session
        self.token_lifetime = token_lifetime
        self.code_lifetime = code_lifetime
        self.userinfo_window = userinfo_window
        self.auto_approve = auto_approve
        self.acr_values = tuple(acr_values)
        self.include_at_hash = include_at_hash
        self.ui_locales_supported = tuple(ui_locales_supported)
        self.claims_supported = tuple(claims_supported)
        self.scopes_supported = tuple(scopes_supported)
        self.next_outcome: str | None = None
        self.extra_audiences: tuple[str, ...] = ()
        self.used_jtis: set[str] = set()
        self.ended_sessions: list[dict[str, Any]] = []
        self.pending_authorizations: dict[str, AuthorizationRequest] = {}
        self._clock = clock
        self.store = TokenStore(clock)
        self._add_routes()

    def clock(self) -> float:
        return self._clock()

    def _add_routes(self) -> None:
        """The subclass serving the protocol adds its routes here (at the end of ``__init__``)."""

    # -- profile hooks (a provider's own rules; ItsmeEmulator overrides them) ------------

    def canonical(self, name: str) -> str:
        """The one spelling of a claim name or acr value that requests may spell several ways."""
        return name

    @property
    def accepted_audiences(self) -> tuple[str, ...]:
        """The ``aud`` values a request object may carry."""
        return self.request_object_audiences if self.request_object_audiences is not None else (self.issuer,)

    def check_scopes(self, scopes: Sequence[str]) -> None:
        if "openid" not in scopes:
            raise OAuthFailure("invalid_scope", "scope must contain openid")

    def check_display(self, display: str | None) -> None:
        if display is not None and display not in self.display_values_supported:
            raise OAuthFailure("invalid_request", f"display must be one of {', '.join(self.display_values_supported)}")

    def check_prompt(self, prompt: Sequence[str]) -> None:
        if "none" in prompt:
            # Nobody is ever logged in at the emulator: no silent authentication.
            raise OAuthFailure("login_required", "the end-user must authenticate (no session at the provider)")

    # -- tokens ----------------------------------------------------------------------

    def subject_for(self, user: EmulatedUser) -> str:
        """The ``sub`` of ``user`` for this client: public, or pairwise (Core 8.1)."""
        return pairwise_subject(self.client_id, user.subject) if self.pairwise_sub else user.subject

    def new_grant(self, user: EmulatedUser, request: AuthorizationRequest) -> Grant:
        return Grant(
            user=user,
            client_id=request.client_id,
            sub=self.subject_for(user),
            redirect_uri=request.redirect_uri,
            scopes=request.scopes,
            claims=request.claims,
            nonce=request.nonce,
            acr=request.acr,
            auth_time=int(self.clock()),
        )

    def id_token_claims(self, grant: Grant, *, access_token: str | None, with_nonce: bool) -> dict[str, Any]:
        now = int(self.clock())
        claims: dict[str, Any] = {"iss": self.issuer, "sub": grant.sub, "aud": grant.client_id}
        if self.extra_audiences:
            claims["aud"] = [grant.client_id, *self.extra_audiences]
            claims["azp"] = grant.client_id
        claims.update({"exp": now + self.token_lifetime, "iat": now, "auth_time": grant.auth_time})
        if with_nonce and grant.nonce is not None:
            claims["nonce"] = grant.nonce
        if grant.acr is not None:
            claims["acr"] = grant.acr
        if access_token is not None and self.include_at_hash:
            claims["at_hash"] = access_token_hash(access_token)
        if self.end_session:
            claims["sid"] = grant.sid
        requested = grant.claims.get("id_token")
        claims.update(release(grant.user.claims(), scopes=(), requested=requested, canonical=self.canonical))
        return claims

    async def id_token(self, grant: Grant, *, access_token: str | None = None, with_nonce: bool = True) -> str:
        """The ID token of ``grant``: signed, and encrypted to the client when configured."""
        signed = self.sign(self.id_token_claims(grant, access_token=access_token, with_nonce=with_nonce))
        return await self.encrypt_to_rp(signed) if self.encrypt_id_token else signed

    def userinfo_claims(self, grant: Grant) -> dict[str, object]:
        """``sub`` and the claims asked for by the grant's scopes and ``claims.userinfo``."""
        requested = grant.claims.get("userinfo")
        released = release(grant.user.claims(), scopes=grant.scopes, requested=requested, canonical=self.canonical)
        return {"sub": grant.sub, **released}

    async def mint_tokens(
        self,
        user: str | None = None,
        *,
        scope: str = "openid",
        nonce: str | None = None,
        acr: str | None = None,
        claims: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, str]:
        """Tokens for a login of ``user`` (default: the first user) without the browser dance:
        ``access_token``, ``id_token`` and, when issued, ``refresh_token``."""
        found = self.users[user] if user is not None else next(iter(self.users.values()))
        request = AuthorizationRequest(self.client_id, "", None, self.clock(), scopes=tuple(scope.split()))
        request.nonce, request.claims = nonce, claims or {}
        request.acr = acr if acr is not None else (self.acr_values[0] if self.acr_values else None)
        grant = self.new_grant(found, request)
        access = self.store.new_token(grant, "access", self.token_lifetime)
        tokens = {"access_token": access.value, "id_token": await self.id_token(grant, access_token=access.value)}
        if self.issue_refresh_tokens:
            tokens["refresh_token"] = self.store.new_token(grant, "refresh", None).value
        return tokens

    # -- keys --------------------------------------------------------------------------

    def verify_id_token_hint(self, hint: str) -> dict[str, Any]:
        """The claims of an ID token this provider issued (even expired; even with a retired key)."""
        if hint.count(".") == 4:
            _, hint = jose.decrypt(hint, self.encryption_key)
        kid = jose.unverified_header(hint).get("kid")
        key = next((k for k in (self.signing_key, *self.retired_signing_keys) if k.kid == kid), None)
        if key is None:
            raise jose.KeyProblem("signed with no key of this provider")
        claims = jose.verify(hint, key)
        audiences = claims.get("aud")
        if claims.get("iss") != self.issuer or self.client_id not in (
            audiences if isinstance(audiences, list) else [audiences]
        ):
            raise jose.KeyProblem("not issued by this provider to this client")
        return claims
