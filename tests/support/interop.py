"""The interop tier's helpers: oidc-provider (npm) configured as itsme and as a generic provider, the
application's settings for it, and ``Interop``, a harness whose browser goes through the provider's pages."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from aiohttp_eid import ItsmeConfig, OidcConfig, RelyingPartyKeys
from aiohttp_eid.providers.itsme_claims import ACR, CLAIM_NAMES
from aiohttp_eid.testing import DEFAULT_ITSME_USERS
from aiohttp_eid.testing.redis_server import free_port
from tests.interop.provider import OidcProviderProcess
from tests.support.harness import Harness

SERVICE_CODE = "DEMO_LOGIN"
CLIENT_SECRET = "interop-client-secret-0123456789abcdef"
ITSME_CLIENT = "interop-itsme"
#: oidc-provider's own name for the form it renders at RP-initiated logout
_FORM = re.compile(r'<form[^>]*\baction="([^"]+)"', re.IGNORECASE)
_INPUT = re.compile(r"<input([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_CANCEL = re.compile(r'<a id="cancel" href="([^"]+)"')

STANDARD_CLAIMS = {
    "openid": ["sub"],
    "profile": ["name", "given_name", "family_name", "gender", "birthdate", "locale"],
    "email": ["email", "email_verified"],
    "address": ["address"],
    "phone": ["phone_number", "phone_number_verified"],
}


def itsme_settings(origin: str) -> dict[str, Any]:
    """oidc-provider as itsme's document describes it, with one client: the application at ``origin``."""
    return {
        "profile": "itsme",
        "salt": "interop-pairwise-salt",
        "access_token_ttl": 180,
        "accounts": {user.key: user.claims() for user in DEFAULT_ITSME_USERS},
        "claims": {**STANDARD_CLAIMS, "acr": None, **dict.fromkeys(CLAIM_NAMES.values())},
        "scopes": ["openid", f"service:{SERVICE_CODE}"],
        "acr_values": [ACR["basic"], ACR["advanced"]],
        "clients": [
            {
                "client_id": ITSME_CLIENT,
                "redirect_uris": [f"{origin}/auth/itsme/callback"],
                "jwks_uri": f"{origin}/auth/jwks.json",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "subject_type": "pairwise",
                "token_endpoint_auth_method": "private_key_jwt",
                "token_endpoint_auth_signing_alg": "RS256",
                "request_object_signing_alg": "RS256",
                "request_object_encryption_alg": "RSA-OAEP",
                "request_object_encryption_enc": "A128CBC-HS256",
                "id_token_signed_response_alg": "RS256",
                "id_token_encrypted_response_alg": "RSA-OAEP",
                "id_token_encrypted_response_enc": "A128CBC-HS256",
                "userinfo_signed_response_alg": "RS256",
                "userinfo_encrypted_response_alg": "RSA-OAEP",
                "userinfo_encrypted_response_enc": "A128CBC-HS256",
            }
        ],
    }


def generic_settings(origin: str) -> dict[str, Any]:
    """oidc-provider as a standard provider: a client per client_secret method, refresh tokens, logout."""

    def client(name: str, method: str) -> dict[str, Any]:
        return {
            "client_id": f"interop-{name}",
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{origin}/auth/{name}/callback"],
            "post_logout_redirect_uris": [f"{origin}/"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": method,
        }

    encrypted = {
        **client("enc", "client_secret_basic"),
        "jwks_uri": f"{origin}/auth/jwks.json",
        "id_token_encrypted_response_alg": "RSA-OAEP",
        "id_token_encrypted_response_enc": "A128CBC-HS256",
    }
    return {
        "profile": "generic",
        "salt": "interop-pairwise-salt",
        "access_token_ttl": 300,
        "accounts": {user.key: user.claims() for user in DEFAULT_ITSME_USERS},
        "claims": {**STANDARD_CLAIMS, "acr": None},
        "scopes": ["openid"],
        "acr_values": [],
        "clients": [client("basic", "client_secret_basic"), client("post", "client_secret_post"), encrypted],
    }


def itsme_config(provider: OidcProviderProcess, origin: str, keys: RelyingPartyKeys, **extra: Any) -> ItsmeConfig:
    settings: dict[str, Any] = {
        "name": "itsme",
        "discovery_url": provider.discovery_url,
        "client_id": ITSME_CLIENT,
        "service_code": SERVICE_CODE,
        "redirect_uri": f"{origin}/auth/itsme/callback",
        "keys": keys,
        "scopes": ["profile", "email", "address", "phone"],
        "claims": list(CLAIM_NAMES),
    }
    return ItsmeConfig(**(settings | extra))


def generic_config(
    provider: OidcProviderProcess, origin: str, name: str, keys: RelyingPartyKeys, **extra: Any
) -> OidcConfig:
    """The application's settings for the generic provider's client ``name``: ``basic``, ``post`` (each
    client_secret method), or ``enc`` (client_secret_basic, ID tokens encrypted to the application's keys)."""
    settings: dict[str, Any] = {
        "name": name,
        "discovery_url": provider.discovery_url,
        "client_id": f"interop-{name}",
        "client_secret": CLIENT_SECRET,
        "client_auth": "client_secret_post" if name == "post" else "client_secret_basic",
        "keys": keys if name == "enc" else None,
        "redirect_uri": f"{origin}/auth/{name}/callback",
        "post_logout_redirect_uri": f"{origin}/",
        "scopes": ["profile", "email"],
    }
    return OidcConfig(**(settings | extra))


class Interop(Harness):
    """A Harness whose ``emulator`` is an oidc-provider process, with a browser that keeps its cookies."""

    provider: OidcProviderProcess
    events_before = 0
    offset = 0.0

    async def through_provider(self, url: str | URL, *, account: str = "jan", cancel: bool = False) -> URL:
        """Follow the provider's redirects and submit its pages; the URL it sends the browser to at the end."""
        target, form = URL(url), None
        for _ in range(12):
            if form is None:
                resp = await self.browser.get(target, allow_redirects=False)
            else:
                resp = await self.browser.post(target, data=form, allow_redirects=False)
            async with resp:
                body = await resp.text()
                if resp.status in (302, 303):
                    target, form = target.join(URL(resp.headers["Location"])), None
                    if not self.provider.owns(target):
                        return target
                    continue
                assert resp.status == 200, f"{resp.status} at {target.path}: {body[:500]}"
            target, form = self._next_step(target, body, account=account, cancel=cancel)
        raise AssertionError("the provider never sent the browser back")

    @staticmethod
    def _next_step(page: URL, body: str, *, account: str, cancel: bool) -> tuple[URL, dict[str, str] | None]:
        if cancel and (link := _CANCEL.search(body)):
            return page.join(URL(link.group(1))), None
        action = _FORM.search(body)
        assert action is not None, body[:500]
        fields: dict[str, str] = {}
        for tag in _INPUT.findall(body):
            attributes = dict(_ATTRIBUTE.findall(tag))
            if "name" in attributes:
                fields[attributes["name"]] = attributes.get("value", "")
        if "login" in fields:
            fields["login"] = account
        if "xsrf" in fields:  # the logout confirmation
            fields["logout"] = "yes"
        return page.join(URL(action.group(1))), fields

    async def login_through(self, provider: str, next_path: str = "/me", **query: str) -> aiohttp.ClientResponse:
        """A whole login through the provider's pages (also when the application restarts it by itself);
        the application's last callback response (302 to ``next_path`` on success)."""
        account = query.pop("account", "jan")
        target = URL(await self.start_login(next_path, provider=provider, **query))
        for _ in range(3):
            resp = await self.callback(await self.through_provider(target, account=account))
            target = URL(resp.headers.get("Location", ""))
            if resp.status != 302 or not self.provider.owns(target):
                break
        return resp

    async def advance(self, seconds: float) -> None:
        """Time passes for the application and the provider alike."""
        self.clock.advance(seconds)
        self.offset += seconds
        await self.provider.set_clock(self.browser, self.offset)

    async def events(self) -> list[dict[str, Any]]:
        """What the provider recorded since this application was made."""
        return (await self.provider.events(self.browser))[self.events_before :]


InteropFactory = Callable[..., Awaitable[Interop]]


class Providers:
    """oidc-provider processes: one shared per profile (its clients registered for one application port),
    and any number of a test's own (a test that counts what the provider fetched from the application)."""

    def __init__(self, node: str, directory: Path) -> None:
        self.node = node
        self.directory = directory
        self.shared: dict[str, tuple[OidcProviderProcess, int]] = {}
        self.started: list[OidcProviderProcess] = []

    def start(self, profile: str) -> tuple[OidcProviderProcess, int]:
        """A new provider and the application port its clients are registered for."""
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        settings = itsme_settings(origin) if profile == "itsme" else generic_settings(origin)
        process = OidcProviderProcess(self.node, self.directory, settings)
        self.started.append(process)
        process.start()
        return process, port

    def get(self, profile: str, *, own: bool) -> tuple[OidcProviderProcess, int]:
        if own:
            return self.start(profile)
        if profile not in self.shared:
            self.shared[profile] = self.start(profile)
        return self.shared[profile]

    def stop(self, process: OidcProviderProcess) -> None:
        process.stop()
        self.started.remove(process)
        self.shared = {k: v for k, v in self.shared.items() if v[0] is not process}

    def stop_all(self) -> None:
        for process in list(self.started):
            self.stop(process)
