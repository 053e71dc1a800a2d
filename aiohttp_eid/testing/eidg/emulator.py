"""``EidgEmulator``: an InfoCert EID Gateway (EIDG) as a real aiohttp application.

It speaks the protocol of ``providers/infocert-eid-gateway.txt`` under ``/oauth2``
(``authorize``, ``token``, ``user-info``, ``logout``, ``revoke``), with RS256 tokens
signed by a key generated at construction, plus two routes the document does not
have, for ID-token verification tests: ``jwks`` and
``.well-known/openid-configuration``. See :class:`EidgEmulator` for the knobs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from aiohttp_eid.testing.eidg import api, front
from aiohttp_eid.testing.eidg.state import DEFAULT_METHODS, EidgState

__all__ = ["DEFAULT_METHODS", "EidgEmulator"]

_Handler = Callable[[EidgState, web.Request], Awaitable[web.Response]]
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


class EidgEmulator(EidgState):
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

    def _add_routes(self) -> None:
        for method, path, handler in _ROUTES:
            self.app.router.add_route(method, "/oauth2" + path, partial(handler, self))
