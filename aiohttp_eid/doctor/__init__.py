"""``python -m aiohttp_eid doctor module:attribute [--json]``: check a configuration before going live.

Per provider, without logging anyone in: discovery and its issuer, the
endpoints, algorithms and client authentication the configuration needs, the
provider's JWKS, the app's own JWKS (itsme, ``private_key_jwt``, request
objects), the redirect URI's route, the clock against the provider's ``Date``,
a typical login's cookie size; then the session key and Redis. Exit status: 0
without error, 1 with an error, 2 when the target cannot be loaded. The report
never holds a session key, a client secret or a Redis password.

The top of the layering: it may import anything; nothing in the library imports it.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from yarl import URL

from ..config import EidConfig, ProviderConfig
from ..providers.itsme import itsme_profile
from ..providers.openid_profile import OidcProfile, from_oidc_config
from ..providers.provider_config import EidgConfig, ItsmeConfig, OidcConfig
from ..rp_keys import RelyingPartyKeys
from .fetch import Answer, Fetcher
from .loading import UsageError, load_config
from .local import check_cookie_size, check_redirect_uri, check_session_key, typical_login
from .metadata import OidcNeeds, check_algorithms, check_client_auth, check_endpoints
from .network import check_clock, check_discovery, check_jwks, check_reachable, check_rp_jwks
from .redis_check import check_redis
from .report import Check, Report

__all__ = ["Check", "Report", "UsageError", "diagnose", "load_config", "run"]


def _secrets(config: EidConfig) -> list[str]:
    found = [key for key in config.session_key if isinstance(key, str)]
    found += [s for p in config.providers if (s := getattr(p, "client_secret", None))]
    if isinstance(config.storage, str) and (password := URL(config.storage).password):
        found.append(password)
    return found


async def diagnose(config: EidConfig) -> Report:
    """Every check of ``config``, in order: each provider's, then the session key and Redis."""
    report = Report(_secrets(config))
    async with Fetcher(config.http_timeout) as fetch:
        for provider in config.providers:
            await _provider(report, config, provider, fetch)
    check_session_key(report, config)
    if isinstance(config.storage, str) and config.storage != "cookie":
        await check_redis(report, config.storage, config.http_timeout)
    return report


async def _provider(report: Report, config: EidConfig, provider: ProviderConfig, fetch: Fetcher) -> None:
    name = provider.name
    answer: Answer
    keeps = {"tokens": True, "refresh": True, "id_token": False}
    if isinstance(provider, EidgConfig):
        answer = await _eidg(report, provider, fetch)
    elif isinstance(provider, ItsmeConfig | OidcConfig):
        profile = itsme_profile(provider) if isinstance(provider, ItsmeConfig) else from_oidc_config(provider)
        answer = await _oidc(report, profile, fetch)
        end_session = answer.ok and bool(answer.json.get("end_session_endpoint"))
        # itsme keeps its access token but has no refresh token and logs out locally (no ID token kept)
        at_provider = profile.logout_at_provider
        keeps = {"tokens": True, "refresh": at_provider, "id_token": at_provider and end_session}
        keys = profile.keys
        if keys is not None and (profile.client_auth == "private_key_jwt" or profile.request_object != "none"):
            await _app_jwks(report, config, provider, fetch, keys)
    else:
        report.add(name, "provider", "warning", f"{type(provider).__name__}: the doctor knows no checks for it")
        return
    check_redirect_uri(report, config, provider)
    if not answer.problem:
        check_clock(report, name, answer, config.clock(), config.leeway)
    check_cookie_size(report, config, typical_login(provider, **keeps))


async def _eidg(report: Report, provider: EidgConfig, fetch: Fetcher) -> Answer:
    name = provider.name
    if provider.discovery_url:
        answer = await check_discovery(report, name, fetch, provider.discovery_url, provider.issuer or "")
        jwks = provider.jwks_uri or (str(answer.json.get("jwks_uri") or "") if answer.ok else "")
        if answer.ok:  # EIDG's endpoints come from its document; its ID token and HTTP Basic from discovery
            needs = OidcNeeds(
                client_auth="client_secret_basic",
                request_object="none",
                encrypted_tokens=False,
                userinfo=False,
                pkce=True,
            )
            check_algorithms(report, name, answer.json, needs)
            check_client_auth(report, name, answer.json, needs)
    else:
        answer = await check_reachable(report, name, fetch, f"{provider.base_url}/authorize")
        jwks = provider.jwks_uri or ""
    if not provider.issuer:
        report.add(name, "jwks", "ok", "not used: without issuer= EIDG's ID token is not verified and feeds nothing")
    elif jwks:
        await check_jwks(report, name, fetch, jwks)
    else:
        report.add(name, "jwks", "error", "no jwks_uri configured or discovered", "set jwks_uri=")
    return answer


async def _oidc(report: Report, profile: OidcProfile, fetch: Fetcher) -> Answer:
    answer = await check_discovery(report, profile.name, fetch, profile.discovery_url, profile.issuer)
    if not answer.ok:
        return answer
    meta = answer.json
    needs = OidcNeeds(
        client_auth=profile.client_auth,
        request_object=profile.request_object,
        encrypted_tokens=profile.require_encryption,
        userinfo=profile.require_encryption,  # itsme: the person's data come from userinfo
        pkce=profile.use_pkce,
    )
    check_endpoints(report, profile.name, meta, needs)
    check_algorithms(report, profile.name, meta, needs)
    check_client_auth(report, profile.name, meta, needs)
    if isinstance(meta.get("jwks_uri"), str):
        await check_jwks(report, profile.name, fetch, meta["jwks_uri"])
    return answer


async def _app_jwks(
    report: Report, config: EidConfig, provider: ProviderConfig, fetch: Fetcher, keys: RelyingPartyKeys
) -> None:
    url = f"{URL(provider.redirect_uri).origin()}{config.prefix}/jwks.json"
    await check_rp_jwks(report, provider.name, fetch, url, keys)


def run(target: str, *, as_json: bool = False, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Load ``target``, check it, print the report; the exit status (0 ok, 1 an error, 2 not loadable)."""
    try:
        config = load_config(target)
    except UsageError as exc:
        print(f"error: {exc}", file=err or sys.stderr)
        return 2
    report = asyncio.run(diagnose(config))
    print(report.json() if as_json else report.text(), file=out or sys.stdout)
    return 1 if report.failed else 0
