"""InfoCert EID Gateway: every step of its document.

authorize (PKCE S256 always) -> callback (``code`` or ``error``/``errorCode``/
``errorDescription``) -> ``POST /token`` (HTTP Basic) -> ``GET /user-info`` (Bearer)
-> refresh (``grant_type=refresh_token`` with ``redirect_uri``) -> logout
(``DELETE /logout`` with the access token, then ``POST /revoke`` with the refresh
token while it lives).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any

from yarl import URL

from ..errors import (
    LoginError,
    LoginExpiredError,
    ProviderError,
    ProviderUnavailableError,
    TokenValidationError,
)
from ..identity import Assurance, Identity, LoginDetails
from ..oidc.client_auth import basic_authorization
from ..oidc.discovery import DiscoveryCache
from ..oidc.id_token import id_token_binding, validate_id_token
from ..oidc.pkce import code_challenge
from ..oidc.tokens import TokenSet, parse_token_response
from ..oidc.transport import HttpAnswer, HttpClient, unusable
from ..session.transaction import Transaction
from .base import LoginResult
from .eidg_errors import eidg_error, refresh_error
from .eidg_userinfo import DEFAULT_LEVELS, method_level, to_identity
from .provider_config import EIDG_METHOD_PREFIX, EidgConfig
from .steps import ProviderSteps, json_object

__all__ = ["EidgProvider"]

log = logging.getLogger("aiohttp_eid.eidg")


class EidgProvider(ProviderSteps):
    """The EIDG relying-party side."""

    def __init__(self, config: EidgConfig, http: HttpClient, *, clock: Callable[[], float], leeway: float) -> None:
        super().__init__(config.name, http, clock=clock, leeway=leeway, log=log)
        self._config = config
        self._levels = {**DEFAULT_LEVELS, **config.assurance_levels}
        self._method_levels = {
            m.removeprefix(EIDG_METHOD_PREFIX): method_level(
                m.removeprefix(EIDG_METHOD_PREFIX), config.assurance_levels
            )
            for m in config.methods
        }
        #: without a configured minimum, the lowest configured method's level: a user who
        #: edits acr_values in the browser to a weaker method gets refused
        self.required_assurance = config.required_assurance or min(self._method_levels.values())
        self._discovery = (
            DiscoveryCache(http, config.discovery_url, issuer=config.issuer, provider=self.name, clock=clock)
            if config.discovery_url
            else None
        )
        base = config.base_url
        self._token_url = f"{base}/token"
        self._userinfo_url = f"{base}/user-info"
        self._logout_url = f"{base}/logout"
        self._revoke_url = f"{base}/revoke"
        self._authorize_url = URL(f"{base}/authorize")
        self._basic = basic_authorization(config.client_id, config.client_secret)

    @property
    def config(self) -> EidgConfig:
        return self._config

    async def warm_up(self) -> None:
        if self._discovery is not None:
            await self._discovery.document()
        if self.config.issuer:
            await (await self._keys()).keys()

    # -- (1) login -----------------------------------------------------------------

    def can_reach(self, assurance: Assurance) -> bool:
        return any(level >= assurance for level in self._method_levels.values())

    async def authorization_url(self, tx: Transaction) -> str:
        if self._discovery is not None:
            # a discovery document naming another issuer stops the login before any user is sent
            await self._discovery.document()
        needed = tx.assurance or self.required_assurance
        methods = [EIDG_METHOD_PREFIX + m for m, level in self._method_levels.items() if level >= needed]
        params = {
            "client_id": self.config.client_id,
            "state": tx.state,
            "redirect_uri": self.config.redirect_uri,
            "acr_values": " ".join(methods),
            "response_type": "code",
            "scope": "openid",
            "ui_locales": self.config.ui_locales or tx.locale or "it",
            "code_challenge_method": "S256",
            "code_challenge": code_challenge(tx.code_verifier),
        }
        if tx.nonce is not None:
            params["nonce"] = tx.nonce
        return str(self._authorize_url.with_query(params))

    @property
    def sends_nonce(self) -> bool:
        return self.config.send_nonce

    # -- (3) callback ----------------------------------------------------------------

    async def restarts_after(self, error: LoginError) -> bool:
        return False  # EIDG takes no request object: nothing of ours can go stale

    async def callback_error(self, query: Mapping[str, str]) -> ProviderError | None:
        if "error" not in query and "errorCode" not in query:
            return None
        return eidg_error(
            provider=self.name,
            error=query.get("error"),
            error_code=query.get("errorCode"),
            description=query.get("errorDescription"),
            where="callback",
        )

    async def complete_login(self, query: Mapping[str, str], tx: Transaction) -> LoginResult:
        code = self.callback_code(query)
        now = self._clock()
        answer = await self._post_token(
            {
                "code": code,
                "grant_type": self.config.grant_type,
                "code_verifier": tx.code_verifier,
                "redirect_uri": self.config.redirect_uri,
            },
            where="token",
        )
        tokens, id_token = parse_token_response(answer.json, now=now, provider=self.name)
        claims: dict[str, Any] = {}
        if self.config.issuer:
            if not id_token:
                raise LoginError("token response has no ID token to verify", provider=self.name)
            claims = await self._verify_id_token(id_token, tokens, now=now, nonce=tx.nonce)
            tokens = dataclasses.replace(tokens, id_binding=id_token_binding(claims))
        body = await self._userinfo(tokens)
        # the user-info answer must be about the person the verified ID token names
        if claims and "sub" in body and body["sub"] != claims["sub"]:
            raise TokenValidationError("user-info is about another subject than the ID token", provider=self.name)
        identity, extra = to_identity(body, provider=self.name, levels=self._levels, authenticated_at=now)
        if claims:
            identity = dataclasses.replace(identity, id_token_subject=claims["sub"])
        self.refuse_below(identity.assurance, tx.assurance)
        return LoginResult(
            identity=identity,
            tokens=tokens,
            details=LoginDetails(provider=self.name, userinfo=body, extra=extra, claims=claims),
        )

    # -- (7) refresh and user data --------------------------------------------------

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        refresh_token = self.refresh_token_of(tokens)
        now = self._clock()
        answer = await self._http.call(
            "POST",
            self._token_url,
            provider=self.name,
            headers=self._token_headers(),
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "redirect_uri": self.config.redirect_uri,
            },
        )
        if not answer.ok:
            body = json_object(answer)
            if body.get("errorCode") or body.get("error"):
                raise refresh_error(self.name, body.get("error"), body.get("errorCode"), body.get("errorDescription"))
            raise unusable(answer, provider=self.name, where="refresh")
        new, id_token = parse_token_response(answer.json, now=now, provider=self.name, previous=tokens)
        if self.config.issuer and id_token:
            if tokens.id_binding is None:
                raise TokenValidationError("refresh returned an ID token for a login without one", provider=self.name)
            # OpenID Core 12.2: verified like the first, about the same person (else the login ends)
            await self._verify_id_token(id_token, new, now=now, nonce=None, first=tokens.id_binding)
        return new

    async def fetch_identity(self, tokens: TokenSet, current: Identity) -> Identity:
        body = await self._userinfo(tokens)
        identity, _ = to_identity(
            body, provider=self.name, levels=self._levels, authenticated_at=current.authenticated_at
        )
        if identity.subject != current.subject or (
            current.electronic_id is not None
            and identity.electronic_id is not None
            and identity.electronic_id.id != current.electronic_id.id
        ):
            # never switch the logged-in person: the login ends instead
            raise LoginExpiredError("user-info answered about another person", provider=self.name)
        # the level is the login's, which a user-info call does not change
        return dataclasses.replace(
            identity, assurance=current.assurance, acr=current.acr, id_token_subject=current.id_token_subject
        )

    # -- (8) logout -------------------------------------------------------------------

    async def logout(self, tokens: TokenSet) -> str | None:
        now = self._clock()
        # DELETE /logout first: it needs the access token, which revoking the refresh token would kill
        if not tokens.expired(now):
            await self._quietly("DELETE", self._logout_url, tokens.access_token, "logout")
        if tokens.refresh_alive(now):
            await self._quietly("POST", self._revoke_url, tokens.refresh_token or "", "revoke")
        return None

    async def _quietly(self, method: str, url: str, bearer: str, where: str) -> None:
        try:
            answer = await self._http.call(
                method,
                url,
                provider=self.name,
                headers={"Authorization": f"Bearer {bearer}", "Accept": "application/json"},
            )
        except ProviderUnavailableError as exc:
            log.warning("provider %s %s failed (%s); local logout goes on", self.name, where, exc.status)
            return
        if not answer.ok:
            body = json_object(answer)
            log.info(
                "provider %s %s answered %s %s", self.name, where, answer.status, str(body.get("errorCode", ""))[:16]
            )

    # -- helpers ----------------------------------------------------------------------

    def _token_headers(self) -> dict[str, str]:
        return {"Authorization": self._basic, "Accept": "application/json"}

    async def _post_token(self, data: dict[str, str], *, where: str) -> HttpAnswer:
        answer = await self._http.call(
            "POST", self._token_url, provider=self.name, headers=self._token_headers(), data=data
        )
        if not answer.ok:
            raise self._error(answer, where)
        return answer

    async def _userinfo(self, tokens: TokenSet) -> dict[str, Any]:
        answer = await self._http.call(
            "GET",
            self._userinfo_url,
            provider=self.name,
            headers={"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"},
        )
        if not answer.ok:
            raise self._error(answer, "user-info")
        if not isinstance(answer.json, dict):
            raise unusable(answer, provider=self.name, where="user-info")
        return answer.json

    def _error(self, answer: HttpAnswer, where: str) -> Exception:
        body = json_object(answer)
        if body.get("errorCode") or body.get("error"):
            return eidg_error(
                provider=self.name,
                error=body.get("error"),
                error_code=body.get("errorCode"),
                description=body.get("errorDescription"),
                where=where,
            )
        return unusable(answer, provider=self.name, where=where)

    async def _verify_id_token(
        self, id_token: str, tokens: TokenSet, *, now: float, nonce: str | None, first: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        assert self.config.issuer is not None
        return await validate_id_token(
            id_token,
            await self._keys(),
            issuer=self.config.issuer,
            client_id=self.config.client_id,
            now=now,
            leeway=self._leeway,
            nonce=nonce,
            provider=self.name,
            access_token=tokens.access_token,
            first=first,
        )

    async def _jwks_uri(self) -> str | None:
        url = self.config.jwks_uri
        if url is None and self._discovery is not None:
            url = str((await self._discovery.document()).get("jwks_uri") or "")
        return url
