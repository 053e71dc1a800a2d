"""Provider configurations: what every provider has, then EIDG, itsme and any standard OpenID provider.

Each is a frozen keyword-only dataclass whose ``problems()`` lists what is
wrong with it; ``EidConfig`` gathers them into one ``ConfigurationError``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from yarl import URL

from ..identity import Assurance
from ..rp_keys import RelyingPartyKeys
from ..urls import check_url, prefix_problem
from .itsme_claims import CLAIM_NAMES, full_claim_name

__all__ = ["EIDG_METHOD_PREFIX", "EidgConfig", "ItsmeConfig", "OidcConfig", "ProviderConfig", "method_channel"]

EIDG_METHOD_PREFIX = "infocert:identification:method:"
_METHOD_NAME = re.compile(r"[A-Za-z0-9_+.-]+")
_SERVICE_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProviderConfig:
    """What every provider configuration has."""

    name: str
    client_id: str
    redirect_uri: str
    #: the lowest level a login of this provider may have (None: the provider's default)
    required_assurance: Assurance | None = None
    #: provider level value -> Assurance, merged over the provider's defaults
    assurance_levels: Mapping[str, Assurance] = dataclasses.field(default_factory=dict)
    #: a label for the provider chooser page
    label: str | None = None

    def problems(self, prefix: str) -> list[str]:
        """Every problem of this provider's fields, each prefixed with where it is."""
        where = f"providers[{self.name!r}]"
        problems: list[str] = []
        if not _PROVIDER_NAME.fullmatch(self.name or ""):
            problems.append(f"{where}.name: use 1-32 lowercase letters, digits, '-' or '_'")
        if not self.client_id:
            problems.append(f"{where}.client_id: missing")
        check_url(f"{where}.redirect_uri", self.redirect_uri, problems, required=True)
        expected_path = f"{prefix}/{self.name}/callback"
        path = URL(self.redirect_uri).path if self.redirect_uri else ""
        if "//" in path:
            problems.append(f"{where}.redirect_uri: its path must not contain an empty segment ('//')")
        # with a bad prefix the expected path means nothing: the prefix's own problem says what to fix
        elif path and prefix_problem(prefix) is None and not path.endswith(expected_path):
            problems.append(f"{where}.redirect_uri: its path must end with {expected_path}")
        return problems


def method_channel(method: str) -> str:
    """The channel of an EIDG identification method: SPID_LEVEL_2 -> SPID, FranceConnectPlus -> FRANCECONNECT."""
    name = method.removeprefix(EIDG_METHOD_PREFIX).upper()
    name = re.sub(r"_LEVEL_?\d+$", "", name)
    return re.sub(r"(_?PLUS|\+)$", "", name)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EidgConfig(ProviderConfig):
    """InfoCert EID Gateway (SPID, CIE, FranceConnect through one broker).

    ``base_url`` is the service URL, e.g. ``https://eid-gatewaycl.infocert.it/oauth2``
    (test) or ``https://eid-gateway.infocert.it/oauth2`` (production). ``methods``
    are the identification methods sent in ``acr_values``. EIDG's document names no
    issuer or JWKS: set ``issuer`` with ``jwks_uri`` (or ``discovery_url``) to have
    its ID token verified; otherwise the ID token is not used at all.
    """

    base_url: str
    client_secret: str = dataclasses.field(repr=False)
    methods: Sequence[str] = (
        EIDG_METHOD_PREFIX + "SPID_LEVEL_2",
        EIDG_METHOD_PREFIX + "CIE",
    )
    #: the token request's grant_type (the document's text says authorization_code, one example "code")
    grant_type: str = "authorization_code"
    issuer: str | None = None
    jwks_uri: str | None = None
    discovery_url: str | None = None
    #: send a nonce (and require it back in a verified ID token); the document names none
    send_nonce: bool = False
    #: fixed ui_locales; None means the user's language (Accept-Language)
    ui_locales: str | None = None

    kind: str = dataclasses.field(init=False, default="eidg")

    def __post_init__(self) -> None:
        object.__setattr__(self, "methods", tuple(self.methods))
        object.__setattr__(self, "base_url", (self.base_url or "").rstrip("/"))

    def problems(self, prefix: str) -> list[str]:
        where = f"providers[{self.name!r}]"
        problems = super().problems(prefix)
        check_url(f"{where}.base_url", self.base_url, problems, required=True)
        for field in ("issuer", "jwks_uri", "discovery_url"):
            check_url(f"{where}.{field}", getattr(self, field), problems, required=False)
        if not self.client_secret:
            problems.append(f"{where}.client_secret: missing")
        if not self.methods:
            problems.append(f"{where}.methods: at least one identification method is needed")
        channels: dict[str, str] = {}
        for method in self.methods:
            name = method.removeprefix(EIDG_METHOD_PREFIX)
            if not method.startswith(EIDG_METHOD_PREFIX) or not _METHOD_NAME.fullmatch(name):
                problems.append(
                    f"{where}.methods: {method!r} is not of the form {EIDG_METHOD_PREFIX}<NAME>",
                )
                continue
            channel = method_channel(method)
            if channel in channels:
                problems.append(
                    f"{where}.methods: {channels[channel]} and {name} are of the same "
                    "channel; EIDG rejects such a request",
                )
            channels[channel] = name
        if self.grant_type not in ("authorization_code", "code"):
            problems.append(f"{where}.grant_type: 'authorization_code' (default) or 'code'")
        if self.issuer and not (self.jwks_uri or self.discovery_url):
            problems.append(f"{where}.jwks_uri: needed with issuer to verify the ID token")
        if (self.jwks_uri or self.discovery_url) and not self.issuer:
            problems.append(f"{where}.issuer: needed with jwks_uri/discovery_url")
        if self.send_nonce and not self.issuer:
            problems.append(f"{where}.send_nonce: a nonce is only checked in a verified ID token")
        return problems


ClientAuth = Literal["client_secret_basic", "client_secret_post", "private_key_jwt"]
RequestObjectMode = Literal["none", "signed", "signed_and_encrypted"]


def _discovery_problems(where: str, discovery_url: str, issuer: str | None, problems: list[str]) -> None:
    check_url(f"{where}.discovery_url", discovery_url, problems, required=True)
    check_url(f"{where}.issuer", issuer, problems, required=False)
    if discovery_url and not issuer and not discovery_url.endswith("/.well-known/openid-configuration"):
        problems.append(f"{where}.issuer: needed when discovery_url is not <issuer>/.well-known/openid-configuration")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ItsmeConfig(ProviderConfig):
    """itsme (Belgian Mobile ID).

    ``discovery_url``: ``https://merchant.itsme.be/oidc/.well-known/openid-configuration``
    in production (the sandbox's from your onboarding file). ``client_id`` is the
    Partner Code and ``service_code`` the service's code, both from BMID.
    ``keys`` sign the request objects and client assertions and decrypt the ID
    token and userinfo; their public parts are served at ``{prefix}/jwks.json``,
    the URL to give BMID. ``claims`` takes short names (``nationality``,
    ``city_of_birth``, ``country_of_birth``, ``eid``, ``passport_sn``, ``device``,
    ``transaction_info``, ``photo``) or full claim URIs. ``acr``: ``"basic"``
    (SUBSTANTIAL) or ``"advanced"`` (HIGH).
    """

    discovery_url: str
    service_code: str
    keys: RelyingPartyKeys
    scopes: Sequence[str] = ("profile",)
    claims: Sequence[str] = ()
    acr: Literal["basic", "advanced"] = "basic"
    #: the request object's ``aud``; default the issuer (OpenID Core 6.1). Set what your onboarding file says.
    request_object_audience: str | None = None
    issuer: str | None = None
    #: fixed ui_locales (fr, nl, en, de); None means the user's language
    ui_locales: str | None = None

    kind: str = dataclasses.field(init=False, default="itsme")

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", tuple(self.scopes))
        object.__setattr__(self, "claims", tuple(self.claims))

    def problems(self, prefix: str) -> list[str]:
        where = f"providers[{self.name!r}]"
        problems = super().problems(prefix)
        _discovery_problems(where, self.discovery_url, self.issuer, problems)
        if not _SERVICE_CODE.fullmatch(self.service_code or ""):
            problems.append(f"{where}.service_code: the service code from BMID's onboarding file")
        if not isinstance(self.keys, RelyingPartyKeys):
            problems.append(f"{where}.keys: a RelyingPartyKeys (python -m aiohttp_eid keys generate)")
        for scope in self.scopes:
            if scope in ("openid", "offline_access") or scope.startswith("service:") or " " in scope:
                problems.append(f"{where}.scopes: {scope!r} is added for you or not allowed")
        for claim in self.claims:
            if claim not in CLAIM_NAMES and full_claim_name(claim) is None:
                problems.append(f"{where}.claims: unknown claim {claim!r}; short names: {', '.join(CLAIM_NAMES)}")
        if self.acr not in ("basic", "advanced"):
            problems.append(f"{where}.acr: 'basic' or 'advanced'")
        elif self.required_assurance is Assurance.HIGH and self.acr == "basic":
            problems.append(f"{where}.acr: 'basic' gives SUBSTANTIAL, below required_assurance HIGH: use 'advanced'")
        check_url(f"{where}.request_object_audience", self.request_object_audience, problems, required=False)
        return problems


@dataclasses.dataclass(frozen=True, kw_only=True)
class OidcConfig(ProviderConfig):
    """Any certified OpenID provider (Keycloak, FranceConnect directly, ...), through discovery."""

    discovery_url: str
    issuer: str | None = None
    client_secret: str | None = dataclasses.field(default=None, repr=False)
    client_auth: ClientAuth = "client_secret_basic"
    #: needed for private_key_jwt, request objects and encrypted ID tokens or userinfo
    keys: RelyingPartyKeys | None = None
    scopes: Sequence[str] = ("profile", "email")
    #: the OpenID ``claims`` request parameter, as a JSON-able object
    claims: Mapping[str, Any] | None = None
    acr_values: Sequence[str] = ()
    request_object: RequestObjectMode = "none"
    request_object_audience: str | None = None
    #: where the provider sends the browser after RP-initiated logout (registered with it)
    post_logout_redirect_uri: str | None = None
    use_pkce: bool = True
    ui_locales: str | None = None

    kind: str = dataclasses.field(init=False, default="oidc")

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", tuple(self.scopes))
        object.__setattr__(self, "acr_values", tuple(self.acr_values))

    def problems(self, prefix: str) -> list[str]:
        where = f"providers[{self.name!r}]"
        problems = super().problems(prefix)
        _discovery_problems(where, self.discovery_url, self.issuer, problems)
        if self.client_auth not in ("client_secret_basic", "client_secret_post", "private_key_jwt"):
            problems.append(f"{where}.client_auth: client_secret_basic, client_secret_post or private_key_jwt")
        elif self.client_auth != "private_key_jwt" and not self.client_secret:
            problems.append(f"{where}.client_secret: missing (needed by {self.client_auth})")
        needs_keys = self.client_auth == "private_key_jwt" or self.request_object != "none"
        if needs_keys and not isinstance(self.keys, RelyingPartyKeys):
            problems.append(f"{where}.keys: needed by private_key_jwt and request objects")
        if self.request_object not in ("none", "signed", "signed_and_encrypted"):
            problems.append(f"{where}.request_object: 'none', 'signed' or 'signed_and_encrypted'")
        if any(s == "openid" or " " in s for s in self.scopes):
            problems.append(f"{where}.scopes: 'openid' is added for you; one scope per item")
        reachable = max(self.assurance_levels.values(), default=Assurance.LOW)
        if self.required_assurance is not None and self.required_assurance > reachable:
            problems.append(
                f"{where}.required_assurance: no acr in assurance_levels reaches {self.required_assurance.name}; "
                "every login would be refused"
            )
        check_url(f"{where}.post_logout_redirect_uri", self.post_logout_redirect_uri, problems, required=False)
        check_url(f"{where}.request_object_audience", self.request_object_audience, problems, required=False)
        return problems
