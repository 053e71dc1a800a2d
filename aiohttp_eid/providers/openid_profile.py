"""What makes one OpenID provider differ from another, as data: ``OidcProfile``, and its identity mapping.

``from_oidc_config`` builds the profile of a standard provider; ``providers.itsme`` builds
itsme's. The engine (``providers.openid``) reads nothing else about the provider.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from ..identity import Assurance, Identity
from ..oidc.claims import standard_fields
from ..rp_keys import RelyingPartyKeys
from .provider_config import ClientAuth, ItsmeConfig, OidcConfig, RequestObjectMode

__all__ = [
    "ClientFields",
    "IdentityMapper",
    "OidcProfile",
    "client_fields",
    "default_issuer",
    "from_oidc_config",
    "standard_identity",
]

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


def default_issuer(discovery_url: str, issuer: str | None) -> str:
    """The expected issuer: configured, or the discovery URL without its well-known suffix."""
    return issuer or discovery_url.removesuffix("/.well-known/openid-configuration")


class ClientFields(TypedDict):
    """The profile fields every OpenID provider's configuration gives the same way."""

    name: str
    discovery_url: str
    issuer: str
    client_id: str
    redirect_uri: str
    keys: RelyingPartyKeys | None
    request_object_audience: str | None
    ui_locales: str | None


def client_fields(config: OidcConfig | ItsmeConfig) -> ClientFields:
    """What ``config`` gives every profile: who we are, at which provider."""
    return ClientFields(
        name=config.name,
        discovery_url=config.discovery_url,
        issuer=default_issuer(config.discovery_url, config.issuer),
        client_id=config.client_id,
        redirect_uri=config.redirect_uri,
        keys=config.keys,
        request_object_audience=config.request_object_audience,
        ui_locales=config.ui_locales,
    )


def standard_identity(provider: str) -> IdentityMapper:
    """The mapper of standard OpenID claims (OpenID Core 5.1) to an ``Identity``."""

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
        **client_fields(config),
        client_auth=config.client_auth,
        client_secret=config.client_secret,
        scope=" ".join(["openid", *config.scopes]),
        claims=config.claims,
        levels=levels,
        default_acr=tuple(config.acr_values),
        required_assurance=config.required_assurance or Assurance.LOW,
        request_object=config.request_object,
        use_pkce=config.use_pkce,
        post_logout_redirect_uri=config.post_logout_redirect_uri,
        logout_at_provider=True,
        to_identity=standard_identity(config.name),
    )
