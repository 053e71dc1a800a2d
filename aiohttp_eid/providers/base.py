"""The interface every provider implements, and what a login returns."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Protocol

from ..errors import LoginError
from ..identity import Assurance, Identity, LoginDetails
from ..oidc.tokens import TokenSet
from ..session.transaction import Transaction
from .provider_config import ProviderConfig

__all__ = ["LoginResult", "Provider"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoginResult:
    """A completed login."""

    identity: Identity
    tokens: TokenSet | None  # what the session keeps (None: nothing to refresh or log out with)
    details: LoginDetails


class Provider(Protocol):
    """One configured provider; all provider-specific behaviour lives behind this."""

    name: str

    @property
    def config(self) -> ProviderConfig:
        """The provider's configuration."""

    @property
    def sends_nonce(self) -> bool:
        """Whether the authorization request carries a nonce."""

    def minimum(self, asked: Assurance | None) -> Assurance:
        """The lowest level a login may end with when ``asked`` is requested."""

    def can_reach(self, assurance: Assurance) -> bool:
        """Whether a login can be asked at ``assurance`` or higher."""

    async def authorization_url(self, tx: Transaction) -> str:
        """Where to send the browser to log in."""

    async def warm_up(self) -> None:
        """Fetch what the first login needs (discovery, keys); raises when the provider is down."""

    async def callback_error(self, query: Mapping[str, str]) -> LoginError | None:
        """The error the callback's query reports, if any."""

    async def restarts_after(self, error: LoginError) -> bool:
        """Whether a login the provider refused with ``error`` should start once more by itself
        (after reading again what may have changed, such as the provider's keys)."""

    async def complete_login(self, query: Mapping[str, str], tx: Transaction) -> LoginResult:
        """Exchange the code, validate, fetch the user: a finished login."""

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        """New tokens; LoginExpiredError when the provider ended the login."""

    async def fetch_identity(self, tokens: TokenSet, current: Identity) -> Identity:
        """The user's data fetched again with ``tokens``."""

    async def logout(self, tokens: TokenSet) -> str | None:
        """End the login at the provider; a URL to send the browser to, or None. Never raises."""
