"""A verified EIDG ID token (issuer and JWKS configured): every bad token refused, nothing stored.

Each bad token is served by the emulator's real token endpoint over HTTP (a
``Fault`` answering a crafted body, with a genuine access token), and checked
with the emulator's real published keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from aiohttp_eid.testing import Fault
from tests.attacks.forging import EXTENSION, hs256_jwt, none_jwt, rs256_jwt
from tests.support.harness import JSON, Harness, HarnessFactory


def claims_for(harness: Harness) -> dict[str, Any]:
    now = int(harness.clock())
    return {
        "iss": harness.emulator.issuer,
        "aud": harness.emulator.client_id,
        "sub": "INFC0000012739",
        "iat": now,
        "exp": now + 300,
    }


def sign(harness: Harness, claims: dict[str, Any], **header: Any) -> str:
    key = harness.emulator.store.key
    return jwt.encode({"alg": "RS256", "kid": key.kid, **header}, claims, key)


def hs256_with_public_key(harness: Harness, claims: dict[str, Any]) -> str:
    return hs256_jwt(claims, harness.emulator.store.key.as_pem(private=False))


def other_key(harness: Harness, claims: dict[str, Any]) -> str:
    key = RSAKey.generate_key(2048, parameters={"kid": "attacker"})
    return jwt.encode({"alg": "RS256", "kid": "attacker"}, claims, key)


def same_kid_other_key(harness: Harness, claims: dict[str, Any]) -> str:
    key = RSAKey.generate_key(2048)
    return jwt.encode({"alg": "RS256", "kid": harness.emulator.store.key.kid}, claims, key)


CASES: dict[str, Callable[[Harness], str]] = {
    "bad-signature": lambda h: same_kid_other_key(h, claims_for(h)),
    "unknown-key": lambda h: other_key(h, claims_for(h)),
    "alg-none": lambda h: none_jwt(claims_for(h), typ="JWT"),
    "hs256-public-key": lambda h: hs256_with_public_key(h, claims_for(h)),
    "expired": lambda h: sign(h, {**claims_for(h), "iat": int(h.clock()) - 900, "exp": int(h.clock()) - 600}),
    "issued-in-future": lambda h: sign(h, {**claims_for(h), "iat": int(h.clock()) + 600, "exp": int(h.clock()) + 900}),
    "wrong-iss": lambda h: sign(h, {**claims_for(h), "iss": "https://evil.example"}),
    "wrong-aud": lambda h: sign(h, {**claims_for(h), "aud": "someone-else"}),
    "several-aud-no-azp": lambda h: sign(h, {**claims_for(h), "aud": [h.emulator.client_id, "other"]}),
    "unexpected-nonce": lambda h: sign(h, {**claims_for(h), "nonce": "injected"}),
    "no-sub": lambda h: sign(h, {k: v for k, v in claims_for(h).items() if k != "sub"}),
    "garbage": lambda h: "not.a.jwt",
    "at-hash-mismatch": lambda h: sign(h, {**claims_for(h), "at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}),
    "exp-of-400-digits": lambda h: sign(h, {**claims_for(h), "exp": 10**400}),
    "critical-extension": lambda h: rs256_jwt(
        claims_for(h), h.emulator.store.key, kid=h.emulator.store.key.kid, **EXTENSION
    ),
}


@pytest.mark.filterwarnings("ignore:This key should not be used:joserfc.errors.SecurityWarning")
@pytest.mark.parametrize("case", list(CASES))
async def test_bad_id_tokens_are_refused(harness_factory: HarnessFactory, case: str) -> None:
    harness = await harness_factory(verify_id_token=True)
    callback = await harness.at_provider(await harness.start_login())
    minted = harness.emulator.mint_tokens()
    body = {
        "accessToken": minted["access_token"],
        "refreshToken": minted["refresh_token"],
        "expiresIn": 360,
        "tokenType": "Bearer",
        "idToken": CASES[case](harness),
    }
    harness.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    resp = await harness.callback(callback)
    assert resp.status == 502, case
    assert "invalid_token" in await resp.text()
    _status, body = await harness.get_json("/", headers=JSON)
    assert body["identity"] is None


async def test_a_good_id_token_is_verified_and_its_subject_kept(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(verify_id_token=True)
    resp = await harness.login()
    assert resp.status == 302
    _status, body = await harness.get_json("/me", headers=JSON)
    assert body["identity"]["id_token_subject"]
    assert harness.emulator.counters["jwks"] == 1


async def test_nonce_is_sent_and_checked_when_configured(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(verify_id_token=True, provider={"send_nonce": True})
    from yarl import URL

    authorize = URL(await harness.start_login())
    assert len(authorize.query["nonce"]) >= 43
    resp = await harness.callback(await harness.at_provider(str(authorize)))
    assert resp.status == 302
    # a token without the nonce is refused
    callback = await harness.at_provider(await harness.start_login())
    minted = harness.emulator.mint_tokens()
    body = {"accessToken": minted["access_token"], "expiresIn": 360, "idToken": minted["id_token"]}
    harness.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    resp = await harness.callback(callback)
    assert resp.status == 502
