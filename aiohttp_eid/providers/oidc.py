"""Any OpenID provider through discovery: code flow, PKCE, client authentication, request
objects, signed and encrypted ID tokens and userinfo, refresh, RP-initiated logout.

What differs between providers is data: an ``OidcProfile`` built from ``OidcConfig``
(``from_oidc_config``) or from ``ItsmeConfig`` (``providers.itsme``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from yarl import URL

from ..errors import AssuranceError, LoginError, ProviderError, ProviderUnavailableError, TokenValidationError
from ..identity import Assurance, Identity, LoginDetails
from ..oidc.claims import standard_fields
from ..oidc.client_auth import ClientAuthenticator
from ..oidc.discovery import DiscoveryCache
from ..oidc.id_token import id_token_binding, validate_id_token
from ..oidc.jose import ENCRYPTION_ALGORITHMS, ENCRYPTION_METHODS, Decrypted, decrypt, is_encrypted
from ..oidc.jwks import SIGNING_ALGORITHMS, JwksCache
from ..oidc.pkce import code_challenge
from ..oidc.request_object import QUERY_REPEATED, request_object
from ..oidc.tokens import TokenSet, parse_token_response
from ..oidc.transport import HttpAnswer, HttpClient, unusable
from ..oidc.userinfo import userinfo_claims
from ..rp_keys import RelyingPartyKeys
from ..session.transaction import Transaction
from .base import LoginResult
from .oidc_errors import oidc_error, refresh_error
from .provider_config import ClientAuth, OidcConfig, RequestObjectMode

__all__ = ["IdentityMapper", "OidcProfile", "OidcProvider", "default_issuer", "from_oidc_config"]

log = logging.getLogger("aiohttp_eid.oidc")

#: (claims, subject, assurance, acr, login time) -> (Identity, photo)
IdentityMapper = Callable[[Mapping[str, Any], str, Assurance, "str | None", float], "tuple[Identity, bytes | None]"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class OidcProfile:
    """Everything provider-specific about an OpenID provider, as data."""

    name: str
    discovery_url: str
    issuer: str
    client_id: str
    redirect_uri: str
    client_auth: ClientAuth
    client_secret: str | None
    keys: RelyingPartyKeys | None
    scope: str
    claims: Mapping[str, Any] | None
    #: acr value -> level; the values asked for a level are those mapping to it or higher
    levels: Mapping[str, Assurance]
    #: the acr values asked when nothing more is needed (empty: ask none)
    default_acr: Sequence[str]
    required_assurance: Assurance
    request_object: RequestObjectMode
    request_object_audience: str | None
    use_pkce: bool
    ui_locales: str | None
    post_logout_redirect_uri: str | None
    #: whether logout also ends the login at the provider (revocation, RP-initiated logout); itsme: no
    logout_at_provider: bool
    to_identity: IdentityMapper
    #: turns a received acr into the form used in ``levels`` (itsme accepts two spellings)
    normalize_acr: Callable[[str], str] = str
    #: refuse an ID token or userinfo that is not encrypted (the client registered for encryption)
    require_encryption: bool = False


def _pick(preferred: Sequence[str], supported: Any, *, unlisted: str) -> str | None:
    """The first of ``preferred`` the provider lists; ``unlisted`` (the common default) when it lists none."""
    if not isinstance(supported, list):
        return unlisted
    return next((p for p in preferred if p in supported), None)


def _allowed(ours: Sequence[str], supported: Any) -> list[str]:
    return [a for a in ours if not isinstance(supported, list) or a in supported]


class OidcProvider:
    """A relying party of one OpenID provider."""

    sends_nonce = True

    def __init__(
        self, profile: OidcProfile, config: Any, http: HttpClient, *, clock: Callable[[], float], leeway: float
    ) -> None:
        self.profile = profile
        self.name = profile.name
        self._config = config
        self._http = http
        self._clock = clock
        self._leeway = leeway
        self.required_assurance = profile.required_assurance
        self._discovery = DiscoveryCache(
            http, profile.discovery_url, issuer=profile.issuer, provider=self.name, clock=clock
        )
        self._jwks: JwksCache | None = None
        self._auth = ClientAuthenticator(
            method=profile.client_auth,
            client_id=profile.client_id,
            client_secret=profile.client_secret,
            key=profile.keys.signing_key if profile.keys else None,
            clock=clock,
        )

    @property
    def config(self) -> Any:
        return self._config

    @property
    def refreshes(self) -> bool:
        return True

    async def warm_up(self) -> None:
        """Fetch discovery and the provider's keys ahead of the first login."""
        await self._discovery.document()
        await (await self._keys()).keys()

    # -- levels ----------------------------------------------------------------------

    def can_reach(self, assurance: Assurance) -> bool:
        return assurance <= max(self.profile.levels.values(), default=Assurance.LOW)

    def minimum(self, asked: Assurance | None) -> Assurance:
        return max(self.required_assurance, asked or Assurance.LOW)

    def _acr_values(self, needed: Assurance) -> list[str]:
        if needed <= self.required_assurance and self.profile.default_acr:
            return list(self.profile.default_acr)
        return [acr for acr, level in self.profile.levels.items() if level >= needed]

    def _level(self, acr: str | None) -> Assurance:
        if acr is None:
            return Assurance.LOW
        return self.profile.levels.get(self.profile.normalize_acr(acr), Assurance.LOW)

    # -- (1) login -----------------------------------------------------------------------

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
            params["claims"] = json.dumps(claims, separators=(",", ":"))
        elif tx.login_hint:
            params["login_hint"] = tx.login_hint
        endpoint = URL(str(meta.get("authorization_endpoint") or ""))
        if not endpoint.absolute:
            raise ProviderUnavailableError("discovery has no authorization_endpoint", provider=self.name, status=502)
        if p.request_object != "none":
            signed = await self._request_object(params, meta)
            params = {k: params[k] for k in QUERY_REPEATED} | {"request": signed}
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
        if "RS256" not in _allowed(["RS256"], meta.get("request_object_signing_alg_values_supported")):
            raise ProviderUnavailableError(
                "the provider takes no RS256 request objects", provider=self.name, status=502
            )
        encryption = None
        if p.request_object == "signed_and_encrypted":
            alg = _pick(
                ("RSA-OAEP-256", "RSA-OAEP"),
                meta.get("request_object_encryption_alg_values_supported"),
                unlisted="RSA-OAEP",
            )
            enc = _pick(
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
        code = query.get("code")
        if not code:
            raise LoginError("callback without code or error", provider=self.name)
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
        minimum = self.minimum(tx.assurance)
        if assurance < minimum:
            log.warning("provider %s: login at %s refused, %s required", self.name, assurance.name, minimum.name)
            raise AssuranceError(f"acr gives {assurance.name}, {minimum.name} required", provider=self.name)
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
            algorithms=_allowed(SIGNING_ALGORITHMS, meta.get("id_token_signing_alg_values_supported")),
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
            algorithms=_allowed(ENCRYPTION_ALGORITHMS, meta.get(f"{prefix}_encryption_alg_values_supported")),
            methods=_allowed(ENCRYPTION_METHODS, meta.get(f"{prefix}_encryption_enc_values_supported")),
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
            encryption_algorithms=_allowed(ENCRYPTION_ALGORITHMS, meta.get("userinfo_encryption_alg_values_supported")),
            encryption_methods=_allowed(ENCRYPTION_METHODS, meta.get("userinfo_encryption_enc_values_supported")),
            signing_algorithms=_allowed(SIGNING_ALGORITHMS, meta.get("userinfo_signing_alg_values_supported")),
            require_encryption=self.profile.require_encryption,
        )

    # -- (7) refresh and user data ----------------------------------------------------------

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise ProviderUnavailableError("no refresh token", provider=self.name, status=401)
        meta = await self._discovery.document()
        now = self._clock()
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
        headers = {"Accept": "application/json"}
        endpoint = str(meta.get("token_endpoint") or "")
        self._auth.apply(endpoint, headers, form)
        answer = await self._http.call("POST", endpoint, provider=self.name, headers=headers, data=form)
        if not answer.ok:
            body = answer.json if isinstance(answer.json, dict) else {}
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
        body = answer.json if isinstance(answer.json, dict) else {}
        if isinstance(body.get("error"), str):
            return oidc_error(
                provider=self.name, error=body["error"], description=body.get("error_description"), where=where
            )
        return unusable(answer, provider=self.name, where=where)

    async def _keys(self) -> JwksCache:
        if self._jwks is None:
            url = (await self._discovery.document()).get("jwks_uri")
            if not isinstance(url, str) or not URL(url).absolute:
                raise ProviderUnavailableError("discovery has no jwks_uri", provider=self.name, status=502)
            self._jwks = JwksCache(self._http, url, provider=self.name, clock=self._clock)
        return self._jwks


def default_issuer(discovery_url: str, issuer: str | None) -> str:
    """The expected issuer: configured, or the discovery URL without its well-known suffix."""
    return issuer or discovery_url.removesuffix("/.well-known/openid-configuration")


def _standard_identity(provider: str) -> IdentityMapper:
    def mapper(
        claims: Mapping[str, Any], sub: str, assurance: Assurance, acr: str | None, now: float
    ) -> tuple[Identity, bytes | None]:
        identity = Identity(
            provider=provider,
            subject=sub,
            assurance=assurance,
            acr=acr,
            id_token_subject=sub,
            authenticated_at=now,
            **standard_fields(claims),
        )
        return identity, None

    return mapper


def from_oidc_config(config: OidcConfig) -> OidcProfile:
    """The profile of a standard OpenID provider."""
    levels = dict(config.assurance_levels)
    return OidcProfile(
        name=config.name,
        discovery_url=config.discovery_url,
        issuer=default_issuer(config.discovery_url, config.issuer),
        client_id=config.client_id,
        redirect_uri=config.redirect_uri,
        client_auth=config.client_auth,
        client_secret=config.client_secret,
        keys=config.keys,
        scope=" ".join(["openid", *config.scopes]),
        claims=config.claims,
        levels=levels,
        default_acr=tuple(config.acr_values),
        required_assurance=config.required_assurance or Assurance.LOW,
        request_object=config.request_object,
        request_object_audience=config.request_object_audience,
        use_pkce=config.use_pkce,
        ui_locales=config.ui_locales,
        post_logout_redirect_uri=config.post_logout_redirect_uri,
        logout_at_provider=True,
        to_identity=_standard_identity(config.name),
    )
