"""``EidgState``: what the EIDG emulator knows and does, apart from its routes.

The handlers (``api``, ``front``) work on this class; ``emulator.EidgEmulator`` adds the routes,
so no module of the emulator imports another in a loop.

The emulated InfoCert EID Gateway (EIDG) is a real aiohttp application.

It speaks the protocol of ``providers/infocert-eid-gateway.txt`` under ``/oauth2``
(``authorize``, ``token``, ``user-info``, ``logout``, ``revoke``), with RS256 tokens
signed by a key generated at construction, plus two routes the document does not
have, for ID-token verification tests: ``jwks`` and
``.well-known/openid-configuration``. See :class:`EidgEmulator` for the knobs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Literal

from joserfc.jwk import RSAKey

from aiohttp_eid.testing.eidg.authorize import AuthorizationRequest
from aiohttp_eid.testing.eidg.errors import METHOD_PREFIX, short_method
from aiohttp_eid.testing.eidg.saml import shared_idp
from aiohttp_eid.testing.eidg.tokens import Grant, TokenStore
from aiohttp_eid.testing.eidg.users import DEFAULT_EIDG_USERS, EidgUser
from aiohttp_eid.testing.served import ServedEmulator

__all__ = ["DEFAULT_METHODS", "EidgState"]

DEFAULT_METHODS: tuple[str, ...] = tuple(
    METHOD_PREFIX + name for name in ("SPID_LEVEL_1", "SPID_LEVEL_2", "SPID_LEVEL_3", "CIE", "FranceConnect")
)


class EidgState(ServedEmulator):
    """The state and behaviour of the EIDG emulator, without its routes: see ``EidgEmulator``."""

    def __init__(
        self,
        *,
        client_id: str = "demo-client",
        client_secret: str = "demo-secret",  # noqa: S107 (a fake demo credential)
        redirect_uris: Sequence[str] = (),
        methods: Sequence[str] = DEFAULT_METHODS,
        users: Sequence[EidgUser] = DEFAULT_EIDG_USERS,
        token_lifetime: int = 360,
        access_token_jwt_lifetime: int | None = 180,
        refresh_token_lifetime: int = 86400,
        rotate_refresh_tokens: bool = False,
        naming: Literal["camel", "snake"] = "camel",
        include_id_token: bool = True,
        auto_approve: str | None = None,
        clock: Callable[[], float] = time.time,
        issuer: str | None = None,
    ) -> None:
        super().__init__(path_prefix="/oauth2")
        self.users: dict[str, EidgUser] = {user.key: user for user in users}
        if len(self.users) != len(users) or not self.users:
            raise ValueError("users must be a non-empty sequence with unique keys")
        if auto_approve is not None and auto_approve not in self.users:
            raise ValueError(f"auto_approve: unknown user {auto_approve!r}")
        if naming not in ("camel", "snake"):
            raise ValueError(f"naming must be 'camel' or 'snake', not {naming!r}")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = tuple(redirect_uris)
        self.methods = tuple(short_method(method) for method in methods)
        self.token_lifetime = token_lifetime
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.naming: Literal["camel", "snake"] = naming
        self.include_id_token = include_id_token
        self.auto_approve = auto_approve
        self.next_outcome: str | None = None
        self._clock = clock
        self._issuer = issuer
        self.pending_authorizations: dict[str, AuthorizationRequest] = {}
        if access_token_jwt_lifetime is None:
            access_token_jwt_lifetime = token_lifetime
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
        key.ensure_kid()
        self.store = TokenStore(
            key=key,
            client_id=client_id,
            issuer=lambda: self.issuer,
            clock=clock,
            access_lifetime=access_token_jwt_lifetime,
            refresh_lifetime=refresh_token_lifetime,
            id_token_lifetime=token_lifetime,
        )
        self._add_routes()

    def _add_routes(self) -> None:
        """The subclass serving the protocol adds its routes here (at the end of ``__init__``)."""

    # -- public state ------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self._issuer or self.base_url

    @property
    def jwks(self) -> dict[str, list[dict[str, object]]]:
        """The public JWKS of the key signing every token."""
        public: dict[str, object] = dict(self.store.key.as_dict(private=False))
        return {"keys": [public]}

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far unusable (EIDG_14); refresh still works."""
        self.store.expire_access_tokens()

    def revoke_all(self) -> None:
        """Revoke every token and unused code issued so far."""
        self.store.revoke_all()

    def mint_tokens(self, user: str = "ada", method: str = "SPID_LEVEL_2") -> dict[str, str]:
        """Tokens for a login of ``user`` without the browser dance (``access_token``,
        ``refresh_token`` and ``id_token``)."""
        grant = self.new_grant(self.users[user], short_method(method), None)
        return {
            "access_token": self.store.access_token(grant),
            "refresh_token": self.store.refresh_token(grant),
            "id_token": self.store.id_token(grant, with_nonce=False),
        }

    # -- lifecycle ---------------------------------------------------------------------

    # -- shared by the handlers ----------------------------------------------------------

    def clock(self) -> float:
        return self._clock()

    def new_grant(self, user: EidgUser, method: str, nonce: str | None) -> Grant:
        """A login of ``user`` with ``method``, with the SAML exchange behind it."""
        idp = shared_idp()
        now = self._clock()
        request_id, raw_request = idp.authn_request(method, now)
        raw_response = idp.response(user, method, request_id, now)
        return Grant(user, method, nonce, raw_request, raw_response)
