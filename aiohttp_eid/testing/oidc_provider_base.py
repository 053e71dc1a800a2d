"""What the OpenID provider emulator shares with every emulator: serving on loopback,
counters, faults and recorded requests, and its own keys."""

from __future__ import annotations

from collections import Counter, defaultdict
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web
from joserfc.jwk import KeySet, RSAKey

from aiohttp_eid.testing import oidc_provider_keys as jose
from aiohttp_eid.testing.faults import Fault, Recorder, SeenRequest
from aiohttp_eid.testing.oidc_provider_http import read_form

__all__ = ["ClientAuth", "EmulatorBase"]

ClientAuth = Literal["client_secret_basic", "client_secret_post", "private_key_jwt"]


class EmulatorBase:
    """Lifecycle, public test state and keys; the routes are added by the subclass."""

    def __init__(self, *, path_prefix: str, jwks_path: str) -> None:
        path_prefix = path_prefix.rstrip("/")
        if path_prefix and not path_prefix.startswith("/"):
            raise ValueError("path_prefix must be empty or start with '/'")
        if not jwks_path.startswith("/"):
            raise ValueError("jwks_path must start with '/'")
        self.path_prefix = path_prefix
        self.jwks_path = jwks_path
        self._recorder = Recorder()
        self._signing_key = jose.new_key("sig")
        self._encryption_key = jose.new_key("enc")
        #: signing keys replaced by :meth:`rotate_signing_key` (no longer published)
        self.retired_signing_keys: list[RSAKey] = []
        self.rp_keys = jose.RpKeys(None, on_fetch=lambda: self._recorder.counters.update(["rp_jwks"]))
        self._origin: str | None = None
        self._runner: web.AppRunner | None = None
        self.app = web.Application()

    # -- public state ------------------------------------------------------------------

    @property
    def counters(self) -> Counter[str]:
        return self._recorder.counters

    @property
    def faults(self) -> dict[str, Fault]:
        return self._recorder.faults

    @faults.setter
    def faults(self, faults: dict[str, Fault]) -> None:
        self._recorder.faults = faults

    @property
    def requests(self) -> defaultdict[str, list[SeenRequest]]:
        return self._recorder.requests

    def last_request(self, endpoint: str) -> SeenRequest:
        """The last request seen at ``endpoint`` (KeyError if none)."""
        return self._recorder.last(endpoint)

    @property
    def rp_jwks_uri(self) -> str | None:
        """Where the client publishes its JWKS; changing it drops the cached keys."""
        return self.rp_keys.uri

    @rp_jwks_uri.setter
    def rp_jwks_uri(self, value: str | None) -> None:
        self.rp_keys.uri = value

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port><path_prefix>`` once started (or once it served a request)."""
        if self._origin is None:
            raise RuntimeError(f"{type(self).__name__}: not started")
        return self._origin + self.path_prefix

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

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: a free port); returns the issuer."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} already started")
        runner = web.AppRunner(self.app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = runner.addresses[0][1]
        self._origin = f"http://{f'[{host}]' if ':' in host else host}:{bound}"
        return self.issuer

    async def close(self) -> None:
        if self.rp_keys.session is not None:
            session, self.rp_keys.session = self.rp_keys.session, None
            await session.close()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def enter(self, request: web.Request, endpoint: str, count: str | None = None) -> web.Response | None:
        """Learn the origin if needed, count, record, apply a fault (see :meth:`Recorder.enter`)."""
        if self._origin is None:
            self._origin = str(request.url.origin())
        form = await read_form(request)
        return await self._recorder.enter(request, endpoint, count=count, form=form)
