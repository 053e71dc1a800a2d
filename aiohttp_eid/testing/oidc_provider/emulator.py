"""``OidcProviderEmulator``: a configurable OpenID provider as a real aiohttp application.

Authorization code flow with real cryptography (RS256; RSA-OAEP JWE), served under
``path_prefix`` (default ``/oidc``): ``.well-known/openid-configuration``, ``jwks``,
``authorize`` (GET and POST), ``token``, ``revoke``, ``userinfo`` (GET and POST) and
``end_session``. Its options cover a plain standard provider (the defaults) and
itsme's profile (:class:`~aiohttp_eid.testing.ItsmeEmulator`): signed and
encrypted request objects, ``private_key_jwt``, encrypted ID tokens and userinfo.
The state and behaviour live in ``state.OidcProviderState``; this module adds the routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from aiohttp_eid.testing.oidc_provider import api, front
from aiohttp_eid.testing.oidc_provider.base import ClientAuth
from aiohttp_eid.testing.oidc_provider.state import OidcProviderState

__all__ = ["ClientAuth", "OidcProviderEmulator"]

_Handler = Callable[[OidcProviderState, web.Request], Awaitable[web.Response]]
_ROUTES: tuple[tuple[str, str, _Handler], ...] = (
    ("GET", "/.well-known/openid-configuration", api.discovery),
    ("GET", "/jwks", api.jwks),
    ("GET", "/authorize", front.authorize),
    ("POST", "/authorize", front.authorize),
    ("POST", front.DECISION_PATH, front.decision),
    ("POST", "/token", api.token),
    ("POST", "/revoke", api.revoke),
    ("GET", "/userinfo", api.userinfo),
    ("POST", "/userinfo", api.userinfo),
)


class OidcProviderEmulator(OidcProviderState):
    """An OpenID provider for tests and demos (fake users; serve it on loopback only).

    Keyword arguments (defaults: a plain standard provider):

    ``client_id``, ``client_secret``, ``client_auth``
        the one registered client and how it authenticates at ``/token``
        (``client_secret_basic``, ``client_secret_post`` or ``private_key_jwt``).
    ``redirect_uris``, ``post_logout_redirect_uris``
        matched exactly; empty accepts any ``http(s)`` loopback URI.
    ``rp_jwks_uri``
        where the client publishes its public keys (fetched when needed, cached,
        refetched once on an unknown ``kid``; counted as ``rp_jwks``). Settable.
    ``require_request_object``, ``request_object_audiences``
        True: only a signed-then-encrypted ``request`` is accepted; its ``aud``
        must be one of the audiences (default: the issuer).
    ``encrypt_id_token``, ``userinfo_format`` (``json`` or ``jwt``), ``encrypt_userinfo``
        nested JWTs (RS256 inside RSA-OAEP/A128CBC-HS256) to the client's ``enc`` key.
    ``require_pkce`` (S256 only), ``issue_refresh_tokens``, ``rotate_refresh_tokens``,
    ``end_session``, ``pairwise_sub``, ``include_at_hash``
    ``token_lifetime``, ``code_lifetime``, ``userinfo_window``
        seconds; ``userinfo_window``: userinfo answers only so long after authentication.
    ``clock``, ``auto_approve`` (a user key, or None for the chooser page), ``users``,
    ``acr_values`` (least to most constraining; the first is the default),
    ``path_prefix``, ``jwks_path``, ``ui_locales_supported``, ``claims_supported``,
    ``scopes_supported``.

    Endpoint names (``faults``, ``counters``, ``requests``): ``discovery``, ``jwks``,
    ``authorize``, ``decision`` (the chooser's POST), ``token``, ``userinfo``,
    ``revoke``, ``end_session``; more counters: ``revoke.refresh``, ``revoke.access``,
    ``rp_jwks``, ``token.authorization_code``, ``token.refresh_token``, ``token.other``,
    ``token.error``, ``token.code_replay``, ``token.refresh_replay``, ``token.assertion_replay``, ``userinfo.error``.

    State for tests: ``counters``, ``faults``, ``requests`` / :meth:`last_request`,
    ``next_outcome`` (an ``error`` the next authorization ends with), ``used_jtis``,
    ``ended_sessions``, ``extra_audiences`` (added to ID token ``aud``, with ``azp``),
    ``store`` (codes and tokens), :attr:`signing_key`, :attr:`encryption_key`,
    :meth:`rotate_signing_key`, :meth:`sign`, :meth:`encrypt_for_rp`, :meth:`mint_tokens`.
    """

    def _add_routes(self) -> None:
        routes: list[tuple[str, str, _Handler]] = [*_ROUTES, ("GET", self.jwks_path, api.jwks)]
        if self.end_session:
            routes += [("GET", "/end_session", front.end_session), ("POST", "/end_session", front.end_session)]
        for method, path, handler in dict.fromkeys(routes):
            self.app.router.add_route(method, self.path_prefix + path, partial(handler, self))
