"""The InfoCert EID Gateway emulator (:class:`~aiohttp_eid.testing.EidgEmulator`).

``emulator`` the class and its routes; ``front`` the browser pages (``authorize``, the
chooser's decision) and ``authorize`` their request checks; ``api`` the back channel
(``token``, ``userInfo``, ``revoke``...) and ``tokens`` its store; ``errors`` the document's
error table and its JSON answer; ``page`` the HTML; ``users`` the test users; ``saml`` the
signed SAML assertion some users carry.
"""
