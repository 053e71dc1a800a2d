"""itsme's ID token and userinfo: every bad one refused with a clear page, nothing stored.

Each bad answer comes from the emulator's real endpoints over HTTP (a ``Fault``
answering a crafted body around a genuine access token), encrypted to the
application's real published key unless the case is about encryption.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from joserfc import jwe, jwt
from joserfc.jwk import RSAKey

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.testing import Fault
from tests.attacks.forging import EXTENSION, hs256_jwt, jwe_a128cbc, none_jwt, rs256_jwt
from tests.support.app import build_app
from tests.support.harness import JSON, Harness
from tests.support.providers import request_object_claims

BASIC = "tag:sixdots.be,2016-06:acr_basic"
ADVANCED = "tag:sixdots.be,2016-06:acr_advanced"

Forge = Callable[[Harness, dict[str, Any]], Awaitable[str]]


def good_claims(h: Harness, nonce: str) -> dict[str, Any]:
    now = int(h.clock())
    return {
        "iss": h.emulator.issuer,
        "aud": h.emulator.client_id,
        "sub": h.emulator.subject_for(h.emulator.users["jan"]),
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "acr": BASIC,
    }


async def signed_encrypted(h: Harness, claims: dict[str, Any]) -> str:
    return str(await h.emulator.encrypt_to_rp(h.emulator.sign(claims)))


async def other_key(h: Harness, c: dict[str, Any]) -> str:
    key = RSAKey.generate_key(2048, parameters={"kid": "attacker"})
    return str(await h.emulator.encrypt_to_rp(jwt.encode({"alg": "RS256", "kid": "attacker"}, c, key)))


async def same_kid_other_key(h: Harness, c: dict[str, Any]) -> str:
    key = RSAKey.generate_key(2048)
    return str(await h.emulator.encrypt_to_rp(jwt.encode({"alg": "RS256", "kid": h.emulator.signing_key.kid}, c, key)))


async def hs256_public_key(h: Harness, c: dict[str, Any]) -> str:
    return str(await h.emulator.encrypt_to_rp(hs256_jwt(c, h.emulator.signing_key.as_pem(private=False))))


async def wrong_encryption_key(h: Harness, c: dict[str, Any]) -> str:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "stranger"})
    return jwe.encrypt_compact(
        {"alg": "RSA-OAEP", "enc": "A128CBC-HS256", "cty": "JWT", "kid": "stranger"},
        h.emulator.sign(c),
        stranger,
        algorithms=["RSA-OAEP", "A128CBC-HS256"],
    )


async def right_kid_wrong_encryption_key(h: Harness, c: dict[str, Any]) -> str:
    stranger = RSAKey.generate_key(2048)
    rp_enc = next(k for k in (await h.emulator.fetch_rp_keys()) if k.get("use") == "enc")
    return jwe.encrypt_compact(
        {"alg": "RSA-OAEP", "enc": "A128CBC-HS256", "cty": "JWT", "kid": rp_enc.kid},
        h.emulator.sign(c),
        stranger,
        algorithms=["RSA-OAEP", "A128CBC-HS256"],
    )


async def rsa1_5(h: Harness, c: dict[str, Any]) -> str:
    rp_enc = next(k for k in (await h.emulator.fetch_rp_keys()) if k.get("use") == "enc")
    return jwe.encrypt_compact(
        {"alg": "RSA1_5", "enc": "A128CBC-HS256", "cty": "JWT", "kid": rp_enc.kid},
        h.emulator.sign(c),
        rp_enc,
        algorithms=["RSA1_5", "A128CBC-HS256"],
    )


async def plain_signed(h: Harness, c: dict[str, Any]) -> str:
    return str(h.emulator.sign(c))


def changed(**changes: Any) -> Forge:
    async def forge(h: Harness, c: dict[str, Any]) -> str:
        now = int(h.clock())
        values = {k: (v(now) if callable(v) else v) for k, v in changes.items()}
        return await signed_encrypted(h, {**c, **values})

    return forge


def without(name: str) -> Forge:
    async def forge(h: Harness, c: dict[str, Any]) -> str:
        return await signed_encrypted(h, {k: v for k, v in c.items() if k != name})

    return forge


async def alg_none(h: Harness, c: dict[str, Any]) -> str:
    return str(await h.emulator.encrypt_to_rp(none_jwt(c)))


async def rp_encryption_key(h: Harness) -> RSAKey:
    key: RSAKey = next(k for k in (await h.emulator.fetch_rp_keys()) if k.get("use") == "enc")
    return key


def jwe_header(**header: Any) -> Forge:
    """The genuine signed token in a JWE carrying ``header`` parameters (RFC 7516 4, RFC 7519 5.3)."""

    async def forge(h: Harness, c: dict[str, Any]) -> str:
        return jwe_a128cbc(h.emulator.sign(c).encode(), await rp_encryption_key(h), cty="JWT", **header)

    return forge


def jws_header(*, header_json: str | None = None, **header: Any) -> Forge:
    """The claims signed with the provider's real key under a header of our choosing, then encrypted."""

    async def forge(h: Harness, c: dict[str, Any]) -> str:
        key = h.emulator.signing_key
        return str(await h.emulator.encrypt_to_rp(rs256_jwt(c, key, header_json=header_json, kid=key.kid, **header)))

    return forge


async def jwk_in_header(h: Harness, c: dict[str, Any]) -> str:
    # the attacker signs with its own key and offers it in the header: keys never come from a token
    attacker = RSAKey.generate_key(2048, parameters={"kid": h.emulator.signing_key.kid})
    public = attacker.as_dict(private=False)
    return str(await h.emulator.encrypt_to_rp(rs256_jwt(c, attacker, kid=attacker.kid, jwk=public)))


async def deeply_nested(h: Harness, c: dict[str, Any]) -> str:
    payload = b'{"a":' * 5_000 + b"1" + b"}" * 5_000  # deeper than Python's JSON parser recurses
    key = h.emulator.signing_key
    return str(await h.emulator.encrypt_to_rp(rs256_jwt(payload, key, kid=key.kid)))


CASES: dict[str, Forge] = {
    "bad-signature": same_kid_other_key,
    "unknown-signing-key": other_key,
    "alg-none": alg_none,
    "hs256-with-public-key": hs256_public_key,
    "encrypted-to-an-unknown-key": wrong_encryption_key,
    "encrypted-to-the-wrong-key": right_kid_wrong_encryption_key,
    "rsa1_5-encryption": rsa1_5,
    "not-encrypted": plain_signed,
    "expired": changed(iat=lambda now: now - 900, exp=lambda now: now - 600),
    "issued-in-the-future": changed(iat=lambda now: now + 600, exp=lambda now: now + 900),
    "wrong-iss": changed(iss="https://evil.example"),
    "wrong-aud": changed(aud="someone-else"),
    "wrong-azp": changed(aud=["demo-rp", "other"], azp="other"),
    "wrong-nonce": changed(nonce="not-the-one"),
    "missing-nonce": without("nonce"),
    "jwe-critical-extension": jwe_header(**EXTENSION),
    "jwe-compressed": jwe_header(zip="DEF"),
    "jwe-replicated-iss-differs": jwe_header(iss="https://evil.example"),
    "jwe-replicated-aud-differs": jwe_header(aud="someone-else"),
    "jwe-replicated-sub-differs": jwe_header(sub="someone-else"),
    "jws-critical-extension": jws_header(**EXTENSION),
    "jws-unencoded-payload": jws_header(b64=False, crit=["b64"]),
    "jws-b64-false-without-crit": jws_header(b64=False),
    "jws-duplicate-header-member": jws_header(header_json='{"alg":"RS256","kid":"a","kid":"b"}'),
    "jws-key-in-header": jwk_in_header,
    "jws-deeply-nested-claims": deeply_nested,
    "exp-of-400-digits": changed(exp=10**400),
    "iat-of-400-digits": changed(iat=10**400),
    "at-hash-mismatch": changed(at_hash="AAAAAAAAAAAAAAAAAAAAAA"),
    "acr-lower-than-asked": changed(acr="tag:sixdots.be,2016-06:acr_none"),
}


async def login_with(h: Harness, forge: Forge, *, assurance: str | None = None) -> int:
    query = {"assurance": assurance} if assurance else {}
    authorize = await h.start_login(provider="itsme", **query)
    nonce = request_object_claims(h.emulator, authorize)["nonce"]
    callback = await h.at_provider(authorize)
    minted = await h.emulator.mint_tokens("jan", nonce=nonce)
    body = {
        "access_token": minted["access_token"],
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": await forge(h, good_claims(h, nonce)),
    }
    h.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    resp = await h.callback(callback)
    _status, who = await h.get_json("/", headers=JSON)
    assert (who["identity"] is None) == (resp.status != 302)  # nothing stored unless it succeeded
    return resp.status


@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
@pytest.mark.parametrize("case", list(CASES))
async def test_bad_id_tokens_are_refused(itsme: Harness, case: str) -> None:
    assert await login_with(itsme, CASES[case]) in (403, 502)


async def test_the_good_forged_path_logs_in(itsme: Harness) -> None:
    """The harness itself works: a correct token through the same path is accepted."""
    authorize = await itsme.start_login(provider="itsme")
    nonce = request_object_claims(itsme.emulator, authorize)["nonce"]
    callback = await itsme.at_provider(authorize)
    minted = await itsme.emulator.mint_tokens("jan", nonce=nonce)
    body = {
        "access_token": minted["access_token"],
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": await signed_encrypted(itsme, good_claims(itsme, nonce)),
    }
    itsme.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    assert (await itsme.callback(callback)).status == 302


@pytest.mark.parametrize(
    "forge",
    [
        # RFC 7519 5.3: claims replicated in the JWE header, equal to the token's (oidc-provider does this)
        pytest.param("replicated", id="jwe-replicated-iss-aud-sub"),
        # RFC 7516 4 / 7515 4: header parameters we do not understand, not listed in crit, are ignored
        pytest.param("unknown-jwe", id="jwe-unknown-parameter"),
        pytest.param("unknown-jws", id="jws-unknown-parameter"),
    ],
)
async def test_headers_the_specifications_allow_are_accepted(itsme: Harness, forge: str) -> None:
    async def replicated(h: Harness, c: dict[str, Any]) -> str:
        return await jwe_header(iss=c["iss"], aud=c["aud"], sub=c["sub"])(h, c)

    forges: dict[str, Forge] = {
        "replicated": replicated,
        "unknown-jwe": jwe_header(**{"x-provider-trace": "abc", "epk-like": {"n": 1}}),
        "unknown-jws": jws_header(**{"x-provider-trace": "abc", "x5t#S256": "AAAA"}),
    }
    assert await login_with(itsme, forges[forge]) == 302


async def test_basic_acr_when_advanced_was_asked_is_refused(itsme: Harness) -> None:
    assert await login_with(itsme, signed_encrypted, assurance="HIGH") == 403


async def test_userinfo_about_another_subject_is_refused(itsme: Harness) -> None:
    claims = {"sub": "someone-else", "given_name": "Mallory"}
    itsme.emulator.faults["userinfo"] = Fault(
        status=200, body=(await signed_encrypted(itsme, claims)).encode(), content_type="application/jwt"
    )
    resp = await itsme.login(provider="itsme")
    assert resp.status == 502
    assert "invalid_token" in await resp.text()
    _status, who = await itsme.get_json("/", headers=JSON)
    assert who["identity"] is None


async def test_plain_json_userinfo_is_refused(itsme: Harness) -> None:
    sub = itsme.emulator.subject_for(itsme.emulator.users["jan"])
    itsme.emulator.faults["userinfo"] = Fault(status=200, body=json.dumps({"sub": sub}).encode())
    assert (await itsme.login(provider="itsme")).status == 502


async def test_signed_but_not_encrypted_userinfo_is_refused(itsme: Harness) -> None:
    sub = itsme.emulator.subject_for(itsme.emulator.users["jan"])
    signed = itsme.emulator.sign({"sub": sub, "given_name": "Jan"})
    itsme.emulator.faults["userinfo"] = Fault(status=200, body=signed.encode(), content_type="application/jwt")
    assert (await itsme.login(provider="itsme")).status == 502


async def test_discovery_naming_a_plain_http_endpoint_is_refused(itsme: Harness) -> None:
    async with itsme.browser.get(itsme.emulator.discovery_url) as resp:
        document = await resp.json()
    document["token_endpoint"] = "http://evil.example/token"
    itsme.emulator.faults["discovery"] = Fault(status=200, body=json.dumps(document).encode(), times=-1)
    fresh = build_app(itsme.app[RUNTIME].config)  # an application whose first discovery fetch sees it
    client: TestClient[Any, Any] = TestClient(TestServer(fresh, host="127.0.0.1"))
    await client.start_server()
    try:
        resp = await client.get("/auth/itsme/login", headers={"Accept": "text/html"}, allow_redirects=False)
        assert resp.status == 502
    finally:
        await client.close()
