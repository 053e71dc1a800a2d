"""Generic OpenID Connect and OAuth 2.0 machinery; imports neither aiohttp.web nor providers/."""
