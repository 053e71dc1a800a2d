"""``EidgEmulator``: an InfoCert EID Gateway (EIDG) as a real aiohttp application.

It speaks the protocol of ``providers/infocert-eid-gateway.txt`` under ``/oauth2``
(``authorize``, ``token``, ``user-info``, ``logout``, ``revoke``), with RS256 tokens
signed by a key generated at construction, plus two routes the document does not
have, for ID-token verification tests: ``jwks`` and
``.well-known/openid-configuration``. See :class:`EidgEmulator` for the knobs.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Literal

from aiohttp import web
from joserfc.jwk import RSAKey

from aiohttp_eid.testing.eidg import api, front
from aiohttp_eid.testing.eidg.authorize import AuthorizationRequest
from aiohttp_eid.testing.eidg.errors import METHOD_PREFIX, short_method
from aiohttp_eid.testing.eidg.saml import shared_idp
from aiohttp_eid.testing.eidg.tokens import Grant, TokenStore
from aiohttp_eid.testing.eidg.users import DEFAULT_EIDG_USERS, EidgUser
from aiohttp_eid.testing.served import ServedEmulator

__all__ = ["DEFAULT_METHODS", "EidgEmulator"]

DEFAULT_METHODS: tuple[str, ...] = tuple(
    METHOD_PREFIX + name for name in ("SPID_LEVEL_1", "SPID_LEVEL_2", "SPID_LEVEL_3", "CIE", "FranceConnect")
)
_Handler = Callable[["EidgEmulator", web.Request], Awaitable[web.Response]]
_ROUTES: tuple[tuple[str, str, _Handler], ...] = (
    ("GET", "/authorize", front.authorize),
    ("POST", front.DECISION_PATH.removeprefix("/oauth2"), front.decision),
    ("POST", "/token", api.token),
    ("GET", "/user-info", api.user_info),
    ("DELETE", "/logout", api.logout),
    ("POST", "/revoke", api.revoke),
    ("GET", "/jwks", api.jwks),
    ("GET", "/.well-known/openid-configuration", api.discovery),
)


class EidgEmulator(ServedEmulator):
    """An EIDG OpenID provider for tests and demos (fake users; serve it on loopback only).

    Constructor arguments:

    ``client_id``, ``client_secret``
        the enrolled client (HTTP Basic at ``/token``).
    ``redirect_uris``
        the enrolled redirect URIs, matched exactly; empty accepts any
        ``http(s)://127.0.0.1`` or ``localhost`` URI.
    ``methods``
        the enrolled methods, ``infocert:identification:method:<NAME>`` (or ``<NAME>``).
    ``users``
        the test users (:data:`DEFAULT_EIDG_USERS`: ``ada``, ``marisa``, ``acme``).
    ``token_lifetime``
        the ``expiresIn`` announced (and the ID token's lifetime).
    ``access_token_jwt_lifetime``
        ``exp - iat`` inside the access-token JWT, enforced at ``/user-info``: the
        document's examples say 180 while ``expiresIn`` says 360; None: ``token_lifetime``.
    ``refresh_token_lifetime``, ``rotate_refresh_tokens``
        a rotated refresh token is dead; presenting it again counts ``token.refresh_replay``.
    ``naming``
        token response fields in ``camel`` (``idToken``...) or ``snake`` (``id_token``...) case.
    ``include_id_token``
        whether token responses carry an ID token.
    ``auto_approve``
        a user key: ``/authorize`` redirects straight back with a code for that user,
        with the first requested method; None shows the interactive chooser page.
    ``clock``
        time source for codes (60 s), tokens and pending pages.
    ``issuer``
        the ID token's ``iss``; default :attr:`base_url`.

    Mutable state for tests: ``auto_approve``; ``next_outcome``, an errorCode
    (``SPID_22``, ``CIE_25``, ``SPID_TECHNICAL``, ``EIDG_12``...) that the next
    authorization ends with instead of success; ``faults``, endpoint (``authorize``,
    ``decision``, ``token``, ``user-info``, ``logout``, ``revoke``, ``jwks``,
    ``discovery``) -> :class:`Fault`; ``counters``, calls per endpoint and
    ``token.authorization_code``, ``token.refresh_token``, ``token.other`` (by
    grant type), ``token.refresh_replay``, ``token.code_replay``, ``token.error``;
    ``requests``, endpoint -> the :class:`SeenRequest` s received (see also
    :meth:`last_request`); ``rotate_refresh_tokens``, ``naming``,
    ``include_id_token`` and ``token_lifetime`` may be changed between calls.
    """

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
        for method, path, handler in _ROUTES:
            self.app.router.add_route(method, "/oauth2" + path, partial(handler, self))

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
