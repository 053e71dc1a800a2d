"""The aiohttp layer: request in, response out; no cryptography here."""
