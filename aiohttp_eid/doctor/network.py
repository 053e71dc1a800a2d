"""The doctor's checks that ask a server: discovery, the provider's keys, the clock, the app's own keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry
from yarl import URL

from ..oidc.jwks import SIGNING_ALGORITHMS
from ..rp_keys import RelyingPartyKeys
from .fetch import Answer, Fetcher
from .report import Report

__all__ = ["check_clock", "check_discovery", "check_jwks", "check_reachable", "check_rp_jwks"]

_KEY_TYPES = frozenset({"RSA", "EC"})


async def check_discovery(report: Report, name: str, fetch: Fetcher, url: str, issuer: str) -> Answer:
    """The discovery document answers and names the issuer we expect; the answer, for the other checks."""
    answer = await fetch.get(url)
    if not answer.ok:
        report.add(name, "discovery", "error", answer.why_not(), "check discovery_url and that the provider is up")
    elif answer.json.get("issuer") != issuer:
        report.add(
            name,
            "discovery",
            "error",
            f"issuer is {str(answer.json.get('issuer'))[:200]!r}, we expect {issuer!r}",
            "set issuer= to the provider's issuer, or fix discovery_url",
        )
    else:
        report.add(name, "discovery", "ok", f"{url} answers; issuer {issuer} matches")
    return answer


async def check_reachable(report: Report, name: str, fetch: Fetcher, url: str) -> Answer:
    """A provider without discovery (EIDG) answers at all at ``url``."""
    answer = await fetch.get(url)
    if answer.problem or answer.status >= 500:
        report.add(name, "reachable", "error", answer.why_not(), "check base_url and that the provider is up")
    else:
        report.add(name, "reachable", "ok", f"{url} answers (HTTP {answer.status}); EIDG publishes no discovery")
    return answer


def usable_signing_keys(jwks: Any) -> tuple[int, list[str]]:
    """How many keys of ``jwks`` can verify an ID token for us, and what is wrong with the others."""
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        return 0, ["no 'keys' list"]
    usable, problems = 0, []
    for index, key in enumerate(keys):
        kid = str(key.get("kid", index))[:64] if isinstance(key, Mapping) else str(index)
        if not isinstance(key, Mapping) or key.get("kty") not in _KEY_TYPES:
            problems.append(f"key {kid}: not an RSA or EC key")
        elif key.get("use", "sig") != "sig":
            continue  # an encryption key: not for ID tokens, not a problem
        elif "alg" in key and key["alg"] not in SIGNING_ALGORITHMS:
            problems.append(f"key {kid}: alg {str(key['alg'])[:16]} is not one we allow")
        else:
            try:
                JWKRegistry.import_key(dict(key))
            except (JoseError, ValueError, TypeError):
                problems.append(f"key {kid}: does not parse")
                continue
            usable += 1
    return usable, problems


async def check_jwks(report: Report, name: str, fetch: Fetcher, url: str) -> None:
    """The provider's JWKS answers, parses, and holds at least one key we can verify its ID tokens with."""
    answer = await fetch.get(url)
    if not answer.ok:
        report.add(name, "jwks", "error", answer.why_not(), "the provider's keys are needed to verify its ID tokens")
        return
    usable, problems = usable_signing_keys(answer.json)
    detail = f" ({'; '.join(problems)})" if problems else ""
    if usable == 0:
        report.add(name, "jwks", "error", f"{url} holds no usable signing key{detail}", "ask the provider")
    else:
        report.add(name, "jwks", "warning" if problems else "ok", f"{url}: {usable} usable signing key(s){detail}")


def check_clock(report: Report, name: str, answer: Answer, now: float, leeway: float) -> None:
    """Our clock and the provider's (its ``Date`` header) differ by less than the leeway."""
    if answer.date is None:
        report.add(name, "clock", "warning", "the provider sent no Date header: clocks not compared")
        return
    skew = now - answer.date
    # Date has a resolution of one second
    if abs(skew) + 1 >= leeway:
        report.add(
            name,
            "clock",
            "error",
            f"our clock is {skew:+.0f} s from the provider's; the leeway is {leeway:g} s",
            "synchronise this machine's clock (NTP)",
        )
    else:
        report.add(name, "clock", "ok", f"{skew:+.0f} s from the provider's clock (leeway {leeway:g} s)")


async def check_rp_jwks(report: Report, name: str, fetch: Fetcher, url: str, keys: RelyingPartyKeys) -> None:
    """The app's own JWKS is served where the provider fetches it, with the current keys."""
    answer = await fetch.get(url)
    if not answer.ok:
        report.add(
            name,
            "app_jwks",
            "error",
            f"{answer.why_not()}; the provider fetches the app's public keys there",
            f"start the app (and its proxy) so that {URL(url).origin()} serves it, then run the doctor again",
        )
        return
    served = answer.json.get("keys")
    served_keys = {
        (k.get("kid"), k.get("n")) for k in (served if isinstance(served, list) else []) if isinstance(k, Mapping)
    }
    missing = [
        f"{entry.use} {entry.status} key {entry.kid}"
        for entry in keys.entries
        if entry.status != "retired" and (entry.kid, entry.key.as_dict(private=False).get("n")) not in served_keys
    ]
    if missing:
        report.add(
            name,
            "app_jwks",
            "error",
            f"{url} lacks the {', '.join(missing)}",
            "serve the same key file as this configuration (restart the app after a rotation)",
        )
    else:
        report.add(name, "app_jwks", "ok", f"{url} serves the current keys")
