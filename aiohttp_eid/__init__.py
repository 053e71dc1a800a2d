"""aiohttp-eid: log people in with their national electronic identity.

One ``setup(app, EidConfig(...))`` call makes an aiohttp application an OpenID
Connect relying party for InfoCert EID Gateway (SPID, CIE, FranceConnect), itsme
and any standard OpenID provider. Re-exports only.
"""

from .config import EidConfig
from .errors import (
    AssuranceError,
    ConfigurationError,
    EidError,
    InsufficientAssuranceError,
    LoginError,
    LoginExpiredError,
    NotAuthenticatedError,
    OriginError,
    ProviderError,
    ProviderUnavailableError,
    ReplayError,
    SessionError,
    SessionStoreUnavailableError,
    SessionTooLargeError,
    StateError,
    TokenValidationError,
)
from .events import Event
from .identity import (
    Address,
    Assurance,
    Device,
    ElectronicId,
    Identity,
    IdentityDocument,
    LoginDetails,
    PlaceOfBirth,
)
from .plugin import setup
from .providers.provider_config import EidgConfig, ItsmeConfig, OidcConfig
from .rp_keys import RelyingPartyKeys
from .runtime import IDENTITY
from .web.access import access_token, get_identity, logout_everywhere, refresh_identity
from .web.access_log import PathOnlyAccessLogger
from .web.guards import login_required, require_identity, requires_assurance
from .web.login import login_redirect

__version__ = "0.1.0"

__all__ = [
    "IDENTITY",
    "Address",
    "Assurance",
    "AssuranceError",
    "ConfigurationError",
    "Device",
    "EidConfig",
    "EidError",
    "EidgConfig",
    "ElectronicId",
    "Event",
    "Identity",
    "IdentityDocument",
    "InsufficientAssuranceError",
    "ItsmeConfig",
    "LoginDetails",
    "LoginError",
    "LoginExpiredError",
    "NotAuthenticatedError",
    "OidcConfig",
    "OriginError",
    "PathOnlyAccessLogger",
    "PlaceOfBirth",
    "ProviderError",
    "ProviderUnavailableError",
    "RelyingPartyKeys",
    "ReplayError",
    "SessionError",
    "SessionStoreUnavailableError",
    "SessionTooLargeError",
    "StateError",
    "TokenValidationError",
    "access_token",
    "get_identity",
    "login_redirect",
    "login_required",
    "logout_everywhere",
    "refresh_identity",
    "require_identity",
    "requires_assurance",
    "setup",
]
