"""itsme (Belgian Mobile ID) as an OpenID profile.

Everything itsme asks, from its document: ``private_key_jwt`` at the token
endpoint; the request object always signed (RS256) then encrypted to itsme's
key; ``scope`` with ``openid`` and ``service:<SERVICE_CODE>``; the claims
parameter for its own claims; acr basic/advanced; ID token and userinfo signed
and encrypted; userinfo fetched at the callback (it answers for 3 minutes
only); no refresh tokens: the session keeps the access token for ``access_token()``
while it is valid, and logout is local.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..identity import Assurance, Identity
from .itsme_claims import ACR, LEVELS, canonical, full_claim_name, to_identity
from .openid_profile import OidcProfile, client_fields
from .provider_config import ItsmeConfig

__all__ = ["itsme_profile"]


def _claims_request(config: ItsmeConfig) -> dict[str, Any] | None:
    names = [full_claim_name(c) for c in config.claims]
    if not names:
        return None
    return {"userinfo": {name: None for name in names if name}}


def _mapper(provider: str) -> Any:
    def mapper(
        claims: Mapping[str, Any], sub: str, assurance: Assurance, acr: str | None, now: float
    ) -> tuple[Identity, bytes | None]:
        return to_identity(claims, provider=provider, subject=sub, assurance=assurance, acr=acr, authenticated_at=now)

    return mapper


def itsme_profile(config: ItsmeConfig) -> OidcProfile:
    """The OpenID profile of an ``ItsmeConfig``."""
    levels = {**LEVELS, **{canonical(k): v for k, v in config.assurance_levels.items()}}
    default = ACR[config.acr]
    return OidcProfile(
        **client_fields(config),
        client_auth="private_key_jwt",
        client_secret=None,
        scope=" ".join(["openid", *config.scopes, f"service:{config.service_code}"]),
        claims=_claims_request(config),
        levels=levels,
        default_acr=(default,),
        required_assurance=config.required_assurance or levels[default],
        request_object="signed_and_encrypted",
        use_pkce=True,
        post_logout_redirect_uri=None,
        logout_at_provider=False,
        to_identity=_mapper(config.name),
        normalize_acr=canonical,
        require_encryption=True,
    )
