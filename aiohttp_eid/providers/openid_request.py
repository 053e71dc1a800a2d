"""(1) Login at an OpenID provider: the authorization request, its levels (acr), claims and request object.

``OidcProvider`` (``providers.openid``) builds on this; what the request holds comes from the
provider's ``OidcProfile``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from yarl import URL

from ..errors import ProviderUnavailableError
from ..identity import Assurance
from ..oidc.discovery import DiscoveryCache
from ..oidc.jose import allowed, pick
from ..oidc.pkce import code_challenge
from ..oidc.request_object import QUERY_REPEATED, request_object
from ..oidc.transport import HttpClient
from ..session.transaction import Transaction
from .openid_profile import OidcProfile
from .steps import ProviderSteps

__all__ = ["OpenIdLogin"]

log = logging.getLogger("aiohttp_eid.oidc")


class OpenIdLogin(ProviderSteps):
    """The first step of a login at one OpenID provider: where to send the browser, and with what."""

    sends_nonce = True

    def __init__(self, profile: OidcProfile, http: HttpClient, *, clock: Callable[[], float], leeway: float) -> None:
        super().__init__(profile.name, http, clock=clock, leeway=leeway, log=log)
        self.profile = profile
        self.required_assurance = profile.required_assurance
        self._discovery = DiscoveryCache(
            http, profile.discovery_url, issuer=profile.issuer, provider=self.name, clock=clock
        )

    async def _jwks_uri(self) -> str | None:
        url = (await self._discovery.document()).get("jwks_uri")
        if not isinstance(url, str) or not URL(url).absolute:
            raise ProviderUnavailableError("discovery has no jwks_uri", provider=self.name, status=502)
        return url

    # -- levels ----------------------------------------------------------------------

    def can_reach(self, assurance: Assurance) -> bool:
        return assurance <= max(self.profile.levels.values(), default=Assurance.LOW)

    def _acr_values(self, needed: Assurance) -> list[str]:
        if needed <= self.required_assurance and self.profile.default_acr:
            return list(self.profile.default_acr)
        return [acr for acr, level in self.profile.levels.items() if level >= needed]

    def _level(self, acr: str | None) -> Assurance:
        if acr is None:
            return Assurance.LOW
        return self.profile.levels.get(self.profile.normalize_acr(acr), Assurance.LOW)

    async def authorization_url(self, tx: Transaction) -> str:
        meta = await self._discovery.document()
        p = self.profile
        params: dict[str, Any] = {
            "response_type": "code",
            "client_id": p.client_id,
            "redirect_uri": p.redirect_uri,
            "scope": p.scope,
            "state": tx.state,
            "nonce": tx.nonce,
        }
        if p.use_pkce:
            params["code_challenge"] = code_challenge(tx.code_verifier)
            params["code_challenge_method"] = "S256"
        acr = self._acr_values(tx.assurance or self.required_assurance)
        if acr:
            params["acr_values"] = " ".join(acr)
        locale = p.ui_locales or tx.locale
        if locale:
            params["ui_locales"] = locale
        claims = self._claims_request(acr, tx.login_hint)
        if claims:
            params["claims"] = claims  # an object inside a request object; JSON text in a query
        elif tx.login_hint:
            params["login_hint"] = tx.login_hint
        endpoint = URL(str(meta.get("authorization_endpoint") or ""))
        if not endpoint.absolute:
            raise ProviderUnavailableError("discovery has no authorization_endpoint", provider=self.name, status=502)
        if p.request_object != "none":
            signed = await self._request_object(params, meta)
            params = {k: params[k] for k in QUERY_REPEATED} | {"request": signed}
        elif claims:
            params["claims"] = json.dumps(claims, separators=(",", ":"))
        return str(endpoint.with_query({k: str(v) for k, v in params.items()}))

    def _claims_request(self, acr: Sequence[str], login_hint: str | None) -> dict[str, Any] | None:
        """The claims parameter; inside a request object it also carries acr and the login hint (signed, hidden)."""
        claims: dict[str, Any] = {k: dict(v) for k, v in (self.profile.claims or {}).items()}
        if self.profile.request_object != "none":
            if acr:
                claims.setdefault("id_token", {})["acr"] = {"essential": True, "values": list(acr)}
            if login_hint:
                claims.setdefault("userinfo", {})["phone_number"] = {"essential": True, "value": login_hint}
        return claims or None

    async def _request_object(self, params: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
        p = self.profile
        assert p.keys is not None
        if "RS256" not in allowed(["RS256"], meta.get("request_object_signing_alg_values_supported")):
            raise ProviderUnavailableError(
                "the provider takes no RS256 request objects", provider=self.name, status=502
            )
        encryption = None
        if p.request_object == "signed_and_encrypted":
            alg = pick(
                ("RSA-OAEP-256", "RSA-OAEP"),
                meta.get("request_object_encryption_alg_values_supported"),
                unlisted="RSA-OAEP",
            )
            enc = pick(
                ("A256GCM", "A128CBC-HS256"),
                meta.get("request_object_encryption_enc_values_supported"),
                unlisted="A128CBC-HS256",
            )
            if alg is None or enc is None:
                raise ProviderUnavailableError("no request object encryption we allow", provider=self.name, status=502)
            encryption = (await (await self._keys()).encryption_key(alg), alg, enc)
        return request_object(
            params,
            client_id=p.client_id,
            audience=p.request_object_audience or p.issuer,
            signing_key=p.keys.signing_key,
            now=self._clock(),
            encryption=encryption,
        )
