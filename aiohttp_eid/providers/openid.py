"""Any OpenID provider through discovery: code flow, PKCE, client authentication, request
objects, signed and encrypted ID tokens and userinfo, refresh, RP-initiated logout.

What differs between providers is data: an ``OidcProfile`` (``providers.openid_profile``) built
from ``OidcConfig`` or from ``ItsmeConfig`` (``providers.itsme``). The authorization request is
``providers.openid_request``; this module is the rest: callback, tokens, userinfo, refresh, logout.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any

from yarl import URL

from ..errors import LoginError, ProviderError, ProviderUnavailableError, TokenValidationError
from ..identity import Identity, LoginDetails
from ..oidc.client_auth import ClientAuthenticator
from ..oidc.id_token import id_token_binding, validate_id_token
from ..oidc.jose import ENCRYPTION_ALGORITHMS, ENCRYPTION_METHODS, Decrypted, allowed, decrypt, is_encrypted
from ..oidc.jwks import SIGNING_ALGORITHMS
from ..oidc.tokens import TokenSet, parse_token_response
from ..oidc.transport import HttpAnswer, HttpClient, unusable
from ..oidc.userinfo import userinfo_claims
from ..session.transaction import Transaction
from .base import LoginResult
from .openid_errors import oidc_error, refresh_error
from .openid_profile import OidcProfile
from .openid_request import OpenIdLogin
from .provider_config import ProviderConfig
from .steps import json_object

__all__ = ["OidcProvider"]

log = logging.getLogger("aiohttp_eid.oidc")


class OidcProvider(OpenIdLogin):
    """A relying party of one OpenID provider."""

    def __init__(
        self,
        profile: OidcProfile,
        config: ProviderConfig,
        http: HttpClient,
        *,
        clock: Callable[[], float],
        leeway: float,
    ) -> None:
        super().__init__(profile, http, clock=clock, leeway=leeway)
        self._config = config
        self._auth = ClientAuthenticator(
            method=profile.client_auth,
            client_id=profile.client_id,
            client_secret=profile.client_secret,
            key=profile.keys.signing_key if profile.keys else None,
            clock=clock,
        )

    @property
    def config(self) -> ProviderConfig:
        """The configuration the profile was built from."""
        return self._config

    async def warm_up(self) -> None:
        """Fetch discovery and the provider's keys ahead of the first login."""
        await self._discovery.document()
        await (await self._keys()).keys()

    # -- (3) callback ------------------------------------------------------------------------

    async def callback_error(self, query: Mapping[str, str]) -> LoginError | None:
        # RFC 9207 2.4: a callback naming another issuer is a mix-up attack; a provider that
        # announces the parameter always sends it, so one without it is refused too
        if "iss" in query:
            if query["iss"] != self.profile.issuer:
                return TokenValidationError("callback from another issuer (iss)", provider=self.name)
        elif (await self._discovery.document()).get("authorization_response_iss_parameter_supported") is True:
            return TokenValidationError("callback without the issuer (iss) the provider announces", provider=self.name)
        if "error" not in query:
            return None
        return oidc_error(
            provider=self.name, error=query.get("error"), description=query.get("error_description"), where="callback"
        )

    async def restarts_after(self, error: LoginError) -> bool:
        """``invalid_request_object`` on an encrypted request object: the provider may have rotated the key
        we encrypted to, so its keys are read again (throttled, as for an unknown ``kid``) and the login
        starts once more, encrypted to the key it publishes now (OpenID RP test rp-key-rotation-op-enc-key)."""
        if not isinstance(error, ProviderError) or error.oauth_error != "invalid_request_object":
            return False
        if self.profile.request_object != "signed_and_encrypted":
            return False
        await (await self._keys()).keys(refetch=True)
        return True

    async def complete_login(self, query: Mapping[str, str], tx: Transaction) -> LoginResult:
        code = self.callback_code(query)
        meta = await self._discovery.document()
        now = self._clock()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.profile.redirect_uri}
        if self.profile.use_pkce:
            form["code_verifier"] = tx.code_verifier
        answer = await self._token_call(meta, form, where="token")
        tokens, id_token = parse_token_response(answer.json, now=now, provider=self.name)
        if not id_token:
            raise TokenValidationError("token response has no ID token", provider=self.name)
        signed, claims = await self._id_token_claims(
            id_token, meta, now=now, nonce=tx.nonce, access_token=tokens.access_token
        )
        # RP-Initiated Logout 2: id_token_hint is the signed ID token, never the JWE it came in
        keep_id = self.profile.logout_at_provider and bool(meta.get("end_session_endpoint"))
        tokens = dataclasses.replace(tokens, id_token=signed if keep_id else None, id_binding=id_token_binding(claims))
        acr = claims.get("acr") if isinstance(claims.get("acr"), str) else None
        assurance = self._level(acr)
        self.refuse_below(assurance, tx.assurance)
        merged = dict(claims)
        if meta.get("userinfo_endpoint"):
            merged.update(await self._userinfo(meta, tokens.access_token, claims["sub"]))
        identity, photo = self.profile.to_identity(merged, claims["sub"], assurance, acr, now)
        return LoginResult(
            identity=identity,
            tokens=tokens,
            details=LoginDetails(provider=self.name, userinfo=merged, claims=claims, photo=photo),
        )

    async def _id_token_claims(
        self,
        id_token: str,
        meta: Mapping[str, Any],
        *,
        now: float,
        nonce: str | None,
        access_token: str,
        first: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """The signed ID token (decrypted first when it came encrypted) and its validated claims."""
        outer: Mapping[str, Any] | None = None
        if is_encrypted(id_token):
            decrypted = self._decrypt(id_token, meta, "id_token", "ID token")
            id_token, outer = decrypted.jws, decrypted.header
        elif self.profile.require_encryption:
            raise TokenValidationError("ID token is not encrypted", provider=self.name)
        claims = await validate_id_token(
            id_token,
            await self._keys(),
            issuer=self.profile.issuer,
            client_id=self.profile.client_id,
            now=now,
            leeway=self._leeway,
            nonce=nonce,
            provider=self.name,
            algorithms=allowed(SIGNING_ALGORITHMS, meta.get("id_token_signing_alg_values_supported")),
            access_token=access_token,
            encrypted_header=outer,
            first=first,
        )
        return id_token, claims

    def _decrypt(self, token: str, meta: Mapping[str, Any], prefix: str, what: str) -> Decrypted:
        if self.profile.keys is None:
            raise TokenValidationError(f"{what} is encrypted but no keys are configured", provider=self.name)
        return decrypt(
            token,
            self.profile.keys.decryption_keys,
            provider=self.name,
            what=what,
            algorithms=allowed(ENCRYPTION_ALGORITHMS, meta.get(f"{prefix}_encryption_alg_values_supported")),
            methods=allowed(ENCRYPTION_METHODS, meta.get(f"{prefix}_encryption_enc_values_supported")),
        )

    async def _userinfo(self, meta: Mapping[str, Any], access_token: str, sub: str) -> dict[str, Any]:
        answer = await self._http.call(
            "GET",
            str(meta["userinfo_endpoint"]),
            provider=self.name,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/jwt, application/json"},
        )
        if not answer.ok:
            raise self._error(answer, "userinfo")
        return await userinfo_claims(
            answer,
            provider=self.name,
            issuer=self.profile.issuer,
            client_id=self.profile.client_id,
            expected_sub=sub,
            provider_keys=await self._keys(),
            decryption_keys=self.profile.keys.decryption_keys if self.profile.keys else None,
            encryption_algorithms=allowed(ENCRYPTION_ALGORITHMS, meta.get("userinfo_encryption_alg_values_supported")),
            encryption_methods=allowed(ENCRYPTION_METHODS, meta.get("userinfo_encryption_enc_values_supported")),
            signing_algorithms=allowed(SIGNING_ALGORITHMS, meta.get("userinfo_signing_alg_values_supported")),
            require_encryption=self.profile.require_encryption,
        )

    # -- (7) refresh and user data ----------------------------------------------------------

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        refresh_token = self.refresh_token_of(tokens)
        meta = await self._discovery.document()
        now = self._clock()
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        headers = {"Accept": "application/json"}
        endpoint = str(meta.get("token_endpoint") or "")
        self._auth.apply(endpoint, headers, form)
        answer = await self._http.call("POST", endpoint, provider=self.name, headers=headers, data=form)
        if not answer.ok:
            body = json_object(answer)
            if body.get("error"):
                raise refresh_error(self.name, body.get("error"), body.get("error_description"))
            raise unusable(answer, provider=self.name, where="refresh")
        new, id_token = parse_token_response(answer.json, now=now, provider=self.name, previous=tokens)
        signed = tokens.id_token
        if id_token is not None:
            if tokens.id_binding is None:
                raise TokenValidationError("refresh returned an ID token for a login without one", provider=self.name)
            # OpenID Core 12.2: verified like the first, and about the same login
            signed, _ = await self._id_token_claims(
                id_token, meta, now=now, nonce=None, access_token=new.access_token, first=tokens.id_binding
            )
        return dataclasses.replace(new, id_token=signed if tokens.id_token is not None else None)

    async def fetch_identity(self, tokens: TokenSet, current: Identity) -> Identity:
        meta = await self._discovery.document()
        if not meta.get("userinfo_endpoint"):
            return current
        claims = await self._userinfo(meta, tokens.access_token, current.id_token_subject or current.subject)
        identity, _ = self.profile.to_identity(
            claims, current.subject, current.assurance, current.acr, current.authenticated_at or self._clock()
        )
        return identity

    # -- (8) logout -------------------------------------------------------------------------

    async def logout(self, tokens: TokenSet) -> str | None:
        if not self.profile.logout_at_provider:
            return None
        try:
            meta = await self._discovery.document()
        except ProviderUnavailableError:
            log.warning("provider %s: discovery unavailable at logout; local logout goes on", self.name)
            return None
        revocation = meta.get("revocation_endpoint")
        if isinstance(revocation, str):
            # RFC 7009: the refresh token first (which, at most providers, ends the grant), then the access token
            if tokens.refresh_alive(self._clock()):
                await self._revoke(revocation, tokens.refresh_token or "", "refresh_token")
            if not tokens.expired(self._clock()):
                await self._revoke(revocation, tokens.access_token, "access_token")
        end_session = meta.get("end_session_endpoint")
        if not end_session or not tokens.id_token:
            return None
        query = {"id_token_hint": tokens.id_token, "client_id": self.profile.client_id}
        if self.profile.post_logout_redirect_uri:
            query["post_logout_redirect_uri"] = self.profile.post_logout_redirect_uri
        return str(URL(str(end_session)).with_query(query))

    async def _revoke(self, endpoint: str, token: str, hint: str) -> None:
        form = {"token": token, "token_type_hint": hint}
        headers: dict[str, str] = {}
        self._auth.apply(endpoint, headers, form)
        try:
            answer = await self._http.call("POST", endpoint, provider=self.name, headers=headers, data=form)
        except ProviderUnavailableError as exc:
            log.warning("provider %s: %s revocation failed (%s); local logout goes on", self.name, hint, exc.status)
            return
        if not answer.ok:
            log.warning("provider %s refused the %s revocation (%s)", self.name, hint, answer.status)

    # -- helpers ----------------------------------------------------------------------------

    async def _token_call(self, meta: Mapping[str, Any], form: dict[str, str], *, where: str) -> HttpAnswer:
        endpoint = str(meta.get("token_endpoint") or "")
        if not URL(endpoint).absolute:
            raise ProviderUnavailableError("discovery has no token_endpoint", provider=self.name, status=502)
        headers = {"Accept": "application/json"}
        self._auth.apply(endpoint, headers, form)
        answer = await self._http.call("POST", endpoint, provider=self.name, headers=headers, data=form)
        if not answer.ok:
            raise self._error(answer, where)
        return answer

    def _error(self, answer: HttpAnswer, where: str) -> Exception:
        body = json_object(answer)
        if isinstance(body.get("error"), str):
            return oidc_error(
                provider=self.name, error=body["error"], description=body.get("error_description"), where=where
            )
        return unusable(answer, provider=self.name, where=where)
