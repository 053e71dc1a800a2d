"""What crosses the provider boundary fails closed, with a clear answer (a standard OpenID provider).

Every answer comes from the OpenID provider emulator's real endpoints over HTTP: a
``Fault`` swaps in a crafted body where the case needs one. Nothing is stubbed.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from joserfc.jwk import ECKey, RSAKey
from yarl import URL

from aiohttp_eid import EidConfig, OidcConfig
from aiohttp_eid.errors import ConfigurationError
from aiohttp_eid.oidc.discovery import _endpoint
from aiohttp_eid.testing import Fault
from tests.attacks.forging import rs256_jwt
from tests.support.harness import JSON, SESSION_KEY, Harness
from tests.support.providers import ProviderFactory


async def document(h: Harness) -> dict[str, Any]:
    async with h.browser.get(h.emulator.discovery_url) as resp:
        return dict(await resp.json())


async def serve_discovery(h: Harness, **changes: Any) -> None:
    """From now on the provider publishes a changed discovery document (seen after the cache's hour)."""
    doc = {**(await document(h)), **changes}
    h.emulator.faults["discovery"] = Fault(status=200, body=json.dumps(doc).encode(), times=-1)
    h.clock.advance(3601)


async def serve_keys(h: Harness, *keys: Any, cache_control: str = "max-age=300") -> None:
    body = json.dumps({"keys": list(keys)}).encode()
    h.emulator.faults["jwks"] = Fault(status=200, body=body, times=-1, headers={"Cache-Control": cache_control})


def public(key: RSAKey | ECKey, **extra: Any) -> dict[str, Any]:
    return {**key.as_dict(private=False), **extra}


async def logged_in(h: Harness) -> bool:
    _status, body = await h.get_json("/", headers=JSON)
    return body["identity"] is not None


# -- algorithms ------------------------------------------------------------------------------


async def test_no_common_signing_algorithm_refuses_the_login(
    oidc_factory: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    # RFC 8725 3.1: the empty intersection never lets the JOSE library pick its own defaults
    h = await oidc_factory()
    await serve_discovery(h, id_token_signing_alg_values_supported=["HS256"])
    resp = await h.login(provider="op")
    assert resp.status == 502
    assert not await logged_in(h)
    assert "no algorithm both we and the provider allow" in caplog.text


# -- the provider's keys ---------------------------------------------------------------------


async def test_a_key_we_cannot_use_is_skipped_not_fatal(
    oidc_factory: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    h = await oidc_factory()
    real = [public(h.emulator.signing_key, use="sig"), public(h.emulator.encryption_key, use="enc")]
    brainpool = {"kty": "EC", "crv": "brainpoolP256r1", "kid": "bp", "x": "AAAA", "y": "AAAA", "use": "sig"}
    okp = {"kty": "OKP", "crv": "Ed448", "kid": "ed", "x": "AAAA"}
    await serve_keys(h, brainpool, {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"}, okp, *real, "junk")
    h.clock.advance(3601)  # the cached key set is stale: the next login reads the new one
    assert (await h.login(provider="op")).status == 302
    assert (await h.login(provider="op")).status == 302
    skipped = [r for r in caplog.records if "JWKS key" in r.getMessage()]
    assert len(skipped) == 3, [r.getMessage() for r in skipped]  # each logged once, not per login


async def test_a_rotated_key_under_the_same_kid_is_refetched_once(oidc_factory: ProviderFactory) -> None:
    # rp-key-rotation-op-sign-key with a provider that reuses its kid: a failed signature refetches
    h = await oidc_factory()
    assert (await h.login(provider="op")).status == 302
    fetched = h.emulator.counters["jwks"]
    old = h.emulator.signing_key
    new = RSAKey.generate_key(2048, parameters={"kid": old.kid, "use": "sig", "alg": "RS256"})
    h.emulator._signing_key = new  # the provider's own rotation: sign with the new key, publish it
    await serve_keys(h, public(new), public(h.emulator.encryption_key, use="enc"))
    assert (await h.login(provider="op")).status == 302
    assert h.emulator.counters["jwks"] == fetched + 1


async def login_with_id_token(h: Harness, sign: Callable[[dict[str, Any]], str]) -> int:
    """A login whose token endpoint answers an ID token with the genuine claims, signed by ``sign``."""
    authorize = await h.start_login(provider="op")
    callback = await h.at_provider(authorize)
    minted = await h.emulator.mint_tokens("jan", nonce=URL(authorize).query["nonce"])
    claims = json.loads(base64.urlsafe_b64decode(minted["id_token"].split(".")[1] + "=="))
    body = {"access_token": minted["access_token"], "token_type": "Bearer", "id_token": sign(claims)}
    h.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    return (await h.callback(callback)).status


async def test_a_single_key_without_kid_rotates_too(oidc_factory: ProviderFactory) -> None:
    h = await oidc_factory()
    first, second = RSAKey.generate_key(2048), RSAKey.generate_key(2048)
    await serve_keys(h, {k: v for k, v in public(first).items() if k != "kid"})
    h.clock.advance(3601)
    assert await login_with_id_token(h, lambda c: rs256_jwt(c, first)) == 302
    await serve_keys(h, {k: v for k, v in public(second).items() if k != "kid"})
    fetched = h.emulator.counters["jwks"]
    assert await login_with_id_token(h, lambda c: rs256_jwt(c, second)) == 302
    assert h.emulator.counters["jwks"] == fetched + 1


async def test_forged_tokens_never_turn_into_a_fetch_per_login(oidc_factory: ProviderFactory) -> None:
    h = await oidc_factory()
    assert (await h.login(provider="op")).status == 302
    attacker = RSAKey.generate_key(2048)
    kid = h.emulator.signing_key.kid
    fetched = h.emulator.counters["jwks"]
    for _ in range(3):
        assert await login_with_id_token(h, lambda c: rs256_jwt(c, attacker, kid=kid)) == 502
    assert h.emulator.counters["jwks"] == fetched + 1  # one throttled refetch, then refusals


@pytest.mark.parametrize(
    ("cache_control", "kept_for"),
    [
        ("max-age=0", 300),  # a provider cannot force a fetch per login
        ("no-store", 300),
        ("max-age=31536000", 86400),  # nor pin a key for a year
        ("max-age=7200", 7200),
    ],
)
async def test_jwks_cache_control_is_honoured_within_bounds(
    oidc_factory: ProviderFactory, cache_control: str, kept_for: int
) -> None:
    h = await oidc_factory()
    await serve_keys(h, public(h.emulator.signing_key, use="sig"), cache_control=cache_control)
    h.clock.advance(86401)  # whatever was cached at startup is stale now
    assert (await h.login(provider="op")).status == 302
    fetched = h.emulator.counters["jwks"]
    h.clock.advance(kept_for - 10)
    assert (await h.login(provider="op")).status == 302
    assert h.emulator.counters["jwks"] == fetched
    h.clock.advance(20)
    assert (await h.login(provider="op")).status == 302
    assert h.emulator.counters["jwks"] == fetched + 1


# -- the authorization response (RFC 9207) ---------------------------------------------------


async def test_a_provider_announcing_iss_must_send_it(oidc_factory: ProviderFactory) -> None:
    h = await oidc_factory()
    await serve_discovery(h, authorization_response_iss_parameter_supported=True)
    callback = await h.at_provider(await h.start_login(provider="op"))
    assert "iss" not in callback.query
    resp = await h.callback(callback)
    assert resp.status == 502
    assert h.emulator.counters["token.authorization_code"] == 0
    # with the right iss, the same kind of callback goes through
    callback = await h.at_provider(await h.start_login(provider="op"))
    assert (await h.callback(callback.update_query(iss=h.emulator.issuer))).status == 302


# -- tokens after the login ------------------------------------------------------------------


async def refresh_answering(h: Harness, id_token: str) -> int:
    """Log in, let the access token come due, and have the refresh answer with ``id_token``."""
    assert (await h.login(provider="op")).status == 302
    minted = await h.emulator.mint_tokens("jan")
    body = {"access_token": minted["access_token"], "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
    h.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    h.clock.advance(290)
    status, _ = await h.get_json("/me", headers=JSON)
    return status


async def test_a_refreshed_id_token_about_someone_else_ends_the_login(oidc_factory: ProviderFactory) -> None:
    h = await oidc_factory()
    other = next(k for k in h.emulator.users if k != "jan")
    assert await refresh_answering(h, (await h.emulator.mint_tokens(other))["id_token"]) == 401
    assert not await logged_in(h)


async def test_a_refreshed_id_token_with_a_bad_signature_keeps_the_login_and_backs_off(
    oidc_factory: ProviderFactory,
) -> None:
    h = await oidc_factory()
    claims = {"iss": h.emulator.issuer, "aud": h.emulator.client_id, "sub": "x", "iat": 1, "exp": 2**31}
    forged = h.emulator.sign(claims, key=RSAKey.generate_key(2048, parameters={"kid": h.emulator.signing_key.kid}))
    assert await refresh_answering(h, forged) == 200  # a failed refresh is transient: the user stays in
    calls = h.emulator.counters["token.refresh_token"]
    for _ in range(3):
        assert (await h.get_json("/me", headers=JSON))[0] == 200
    assert h.emulator.counters["token.refresh_token"] == calls  # backoff: not a provider call per request


async def test_a_refreshed_id_token_from_the_same_login_is_accepted(oidc_factory: ProviderFactory) -> None:
    h = await oidc_factory(emulator={"include_at_hash": False})
    assert (await h.login(provider="op")).status == 302
    h.clock.advance(290)
    status, _ = await h.get_json("/token", headers=JSON)
    assert status == 200
    assert h.emulator.counters["token.refresh_token"] == 1
    assert await logged_in(h)


async def test_id_token_hint_is_the_signed_token_even_when_it_came_encrypted(
    oidc_factory: ProviderFactory,
) -> None:
    # RP-Initiated Logout 2: the provider must be able to read the hint; a JWE to our key it cannot
    h = await oidc_factory(emulator={"encrypt_id_token": True})
    assert (await h.login(provider="op")).status == 302
    resp = await h.client.post(
        "/auth/logout", headers={"Accept": "text/html", "Origin": h.origin}, allow_redirects=False
    )
    hint = URL(resp.headers["Location"]).query["id_token_hint"]
    assert hint.count(".") == 2
    assert h.emulator.verify_id_token_hint(hint)["aud"] == h.emulator.client_id


# -- answers that must never become a 500 ----------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'{"access_token":"a","token_type":"Bearer","expires_in":"\xc2\xb2"}', id="expires-in-superscript"
        ),
        pytest.param(
            b'{"access_token":"a","token_type":"Bearer","expires_in":"' + b"9" * 5000 + b'"}', id="5000-digits"
        ),
        pytest.param(
            b'{"access_token":"a","token_type":"Bearer","expires_in":' + b"9" * 5000 + b"}", id="5000-digit-num"
        ),
        pytest.param(b'{"access_token":"a","token_type":"Bearer","expires_in":1e400}', id="expires-in-infinite"),
        pytest.param(b'{"a":' * 50_000 + b"1" + b"}" * 50_000, id="deeply-nested-json"),
        pytest.param(b'{"access_token":"\xc3\xa9t\xc3\xa9","token_type":"Bearer","id_token":"x.y.z"}', id="non-ascii"),
    ],
)
async def test_garbage_from_the_token_endpoint_is_a_clear_error(oidc_factory: ProviderFactory, body: bytes) -> None:
    h = await oidc_factory()
    callback = await h.at_provider(await h.start_login(provider="op"))
    h.emulator.faults["token"] = Fault(status=200, body=body)
    resp = await h.client.get(callback.path_qs, headers=JSON, allow_redirects=False)
    assert resp.status == 502, await resp.text()
    assert (await resp.json())["error"] in ("provider_unavailable", "invalid_token")


async def test_a_non_ascii_access_token_never_matches_at_hash(oidc_factory: ProviderFactory) -> None:
    h = await oidc_factory()
    authorize = await h.start_login(provider="op")
    callback = await h.at_provider(authorize)
    grant_nonce = URL(authorize).query["nonce"]
    minted = await h.emulator.mint_tokens("jan", nonce=grant_nonce)
    body = {"access_token": "t\u00e9l\u00e9", "token_type": "Bearer", "id_token": minted["id_token"]}
    h.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    resp = await h.callback(callback)
    assert resp.status == 502
    assert not await logged_in(h)


async def test_a_malformed_discovery_at_startup_is_logged_and_the_app_starts(
    oidc_factory: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    h = await oidc_factory(emulator={})
    h.emulator.faults["discovery"] = Fault(status=200, body=deep, times=-1)
    h.clock.advance(3601 + 86400)  # past the cached copy's stale allowance too
    resp = await h.client.get("/auth/op/login", headers=JSON, allow_redirects=False)
    assert resp.status == 502
    assert (await resp.json())["error"] == "provider_unavailable"
    status, _ = await h.get_json("/", headers=JSON)
    assert status == 200


def test_a_discovery_url_whose_port_is_not_a_number_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="discovery_url: not a valid URL"):
        EidConfig(
            providers=[
                OidcConfig(
                    name="op",
                    discovery_url="https://op.example:http/.well-known/openid-configuration",
                    client_id="c",
                    client_secret="s",
                    redirect_uri="https://app.example/auth/op/callback",
                )
            ],
            session_key=SESSION_KEY,
        )


@pytest.mark.parametrize(
    ("value", "allow_http", "expected"),
    [
        ("https://op.example/token", False, "https://op.example/token"),
        ("http://127.0.0.1:9/token", False, None),  # an https provider publishing plain http: refused
        ("http://127.0.0.1:9/token", True, "http://127.0.0.1:9/token"),  # a loopback provider in development
        ("http://op.example/token", True, None),  # never plain http off loopback
        ("https://op.example/a\r\nInjected: yes", False, None),  # no CR/LF reaches a log
        ("https://op.example:port/token", False, None),
        ("https://user:pw@op.example/token", False, None),
        ("https://op.example/t%6Fken", False, "https://op.example/token"),  # normalised before use
        (["https://op.example/token"], False, None),
    ],
)
def test_discovery_endpoints(value: Any, allow_http: bool, expected: str | None) -> None:
    assert _endpoint(value, allow_http=allow_http) == expected


async def test_discovery_from_a_loopback_provider_may_use_http(oidc_factory: ProviderFactory) -> None:
    h = await oidc_factory()  # the emulator: http://127.0.0.1, so its http endpoints are accepted
    assert (await h.login(provider="op")).status == 302


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
