"""The aiohttp layer: request in, response out; no cryptography here. Also the map of a login's path.

A login in eight steps, and the files that own each (``web/`` is the request's side; the
other packages hold what a step needs below the web layer):

(1) login: ``web/login.py`` (the login route, ``login_redirect``), which ``web/middleware.py`` also
    calls for a guard's ``StartLogin`` (a protected page straight to the provider); ``session/transaction.py``
    (the pending login: state, nonce, PKCE verifier, return path); ``providers/openid_request.py``
    and ``EidgProvider.authorization_url`` (the authorization request); ``oidc/pkce.py``,
    ``oidc/request_object.py``.
(2) provider: the user authenticates at the provider. What we know of it: ``providers/provider_config.py``
    (the configurations), ``providers/openid_profile.py`` and ``providers/itsme.py`` (an OpenID
    provider's profile), ``oidc/discovery.py``, ``oidc/transport.py`` (every call to a provider).
(3) callback: ``web/callback.py``; ``providers/openid.py``, ``providers/eidg.py`` (code for tokens,
    the checks); ``oidc/tokens.py``, ``oidc/id_token.py``, ``oidc/jwks.py``, ``oidc/jose.py``,
    ``oidc/userinfo.py``, ``oidc/client_auth.py``; ``providers/eidg_errors.py`` and
    ``providers/openid_errors.py`` (a provider's error answers).
(4) session: ``session/login_record.py`` (the stored login); ``session/cookie_storage.py``,
    ``session/cookies.py``, ``session/crypto.py`` (encrypted cookies); ``session/redis_*.py`` (Redis);
    ``web/session_io.py`` (saving it with every kind of response).
(5) identity: ``identity.py``; ``providers/eidg_userinfo.py``, ``providers/eidg_saml.py``,
    ``providers/itsme_claims.py``, ``oidc/claims.py`` (a provider's data mapped to an ``Identity``);
    ``web/middleware.py`` (``request[IDENTITY]`` on every request); ``session/lifetimes.py``.
(6) guards: ``web/guards.py`` (``require_identity`` and the decorators); ``web/access.py``
    (``access_token`` and friends); ``web/responses.py`` and ``messages.py`` (error pages).
(7) refresh: ``session/refresh.py`` (single-flight, backoff); ``session/redis_refresh.py`` (across
    processes); ``web/refresh.py`` (the new tokens into the request's session).
(8) logout: ``web/logout.py``; each provider's ``logout()``.

Everything is wired once by ``plugin.setup()`` into a ``runtime.Runtime``; ``web/routes.py`` mounts
the routes.
"""
