"""The OpenID provider emulator (:class:`~aiohttp_eid.testing.OidcProviderEmulator`).

``emulator`` the class, its options and profile hooks; ``base`` its keys and OAuth error
answers; ``front`` the browser endpoints (``authorize``, ``end_session``) and ``authorize``
their request checks; ``api`` the back channel (discovery, JWKS, ``token``, ``userinfo``,
``revoke``) with ``client_auth`` and ``tokens``; ``claims`` the claims a grant releases;
``keys`` the JOSE work; ``page`` the HTML.
"""
