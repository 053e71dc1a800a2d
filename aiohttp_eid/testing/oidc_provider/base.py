"""What the parts of the OpenID provider emulator share: its OAuth error answers, reading
its requests, and the base class holding its keys (serving on loopback comes from ``served``)."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from joserfc.jwk import KeySet, RSAKey
from multidict import MultiMapping

from aiohttp_eid.testing.oidc_provider import keys as jose
from aiohttp_eid.testing.served import ServedEmulator, json_ok, read_form

__all__ = ["ClientAuth", "EmulatorBase", "OAuthFailure", "json_error", "read_params"]

ClientAuth = Literal["client_secret_basic", "client_secret_post", "private_key_jwt"]


class OAuthFailure(Exception):
    """An OAuth 2.0 / OpenID Connect error answer: ``error`` code, description, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def json_error(failure: OAuthFailure, *, scheme: str | None = None) -> web.Response:
    """RFC 6749 section 5.2 (and RFC 6750 section 3 for ``scheme="Bearer"``)."""
    response = json_ok({"error": failure.error, "error_description": failure.description}, failure.status)
    if scheme is not None and failure.status == 401:
        challenge = f'{scheme} realm="emulator"'
        if scheme == "Bearer":
            challenge += f', error="{failure.error}"'
        response.headers["WWW-Authenticate"] = challenge
    return response


async def read_params(request: web.Request) -> MultiMapping[str]:
    """The parameters of a request that may come as GET query or POST form (OpenID Core 3.1.2.1)."""
    if request.method == "POST":
        return await read_form(request)
    return request.query


class EmulatorBase(ServedEmulator):
    """Lifecycle, public test state and keys; the routes are added by the subclass."""

    def __init__(self, *, path_prefix: str, jwks_path: str) -> None:
        super().__init__(path_prefix=path_prefix)
        if not jwks_path.startswith("/"):
            raise ValueError("jwks_path must start with '/'")
        self.jwks_path = jwks_path
        self._signing_key = jose.new_key("sig")
        self._encryption_key = jose.new_key("enc")
        #: signing keys replaced by :meth:`rotate_signing_key` (no longer published)
        self.retired_signing_keys: list[RSAKey] = []
        self.rp_keys = jose.RpKeys(None, on_fetch=lambda: self._recorder.counters.update(["rp_jwks"]))

    # -- public state ------------------------------------------------------------------

    @property
    def rp_jwks_uri(self) -> str | None:
        """Where the client publishes its JWKS; changing it drops the cached keys."""
        return self.rp_keys.uri

    @rp_jwks_uri.setter
    def rp_jwks_uri(self, value: str | None) -> None:
        self.rp_keys.uri = value

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/token"

    # -- keys --------------------------------------------------------------------------

    @property
    def signing_key(self) -> RSAKey:
        """The private key signing ID tokens and userinfo JWTs now."""
        return self._signing_key

    @property
    def encryption_key(self) -> RSAKey:
        """The private key request objects are encrypted to."""
        return self._encryption_key

    def rotate_signing_key(self) -> RSAKey:
        """Sign with a new key (new ``kid``) from now on; the old one leaves the JWKS."""
        self.retired_signing_keys.append(self._signing_key)
        self._signing_key = jose.new_key("sig")
        return self._signing_key

    @property
    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public JWKS: the signing key (``use=sig``) and the encryption key (``use=enc``)."""
        keys = (self._signing_key, self._encryption_key)
        return {"keys": [dict(key.as_dict(private=False)) for key in keys]}

    def sign(self, claims: dict[str, Any], *, key: RSAKey | None = None, headers: dict[str, Any] | None = None) -> str:
        """A compact JWS (RS256) of ``claims`` with :attr:`signing_key` (or ``key``): for tests too."""
        return jose.sign(claims, key or self.signing_key, headers)

    def encrypt_for_rp(self, jws: str, *, rp_key: RSAKey | None = None) -> str:
        """``jws`` nested in a JWE (RSA-OAEP, A128CBC-HS256, ``cty: JWT``) to ``rp_key`` or the
        client's cached ``enc`` key (RuntimeError if not fetched yet: see :meth:`fetch_rp_keys`)."""
        if rp_key is None:
            cached = self.rp_keys.cached
            rp_key = None if cached is None else self.rp_keys.pick(cached, "enc")
            if rp_key is None:
                raise RuntimeError("the RP's encryption key is not known yet: await fetch_rp_keys() or pass rp_key")
        return jose.encrypt(jws, rp_key)

    async def encrypt_to_rp(self, jws: str) -> str:
        """As :meth:`encrypt_for_rp`, fetching the client's keys if needed (KeyProblem if impossible)."""
        return jose.encrypt(jws, await self.rp_keys.find("enc"))

    async def fetch_rp_keys(self) -> KeySet:
        """Fetch the client's JWKS from ``rp_jwks_uri`` now (counted as ``rp_jwks``)."""
        return await self.rp_keys.fetch()

    # -- lifecycle ---------------------------------------------------------------------

    async def close(self) -> None:
        if self.rp_keys.session is not None:
            session, self.rp_keys.session = self.rp_keys.session, None
            await session.close()
        await super().close()
