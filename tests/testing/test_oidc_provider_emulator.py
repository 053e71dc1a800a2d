"""The generic OpenID provider emulator with its default, plain profile, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from yarl import URL

from aiohttp_eid.testing import DEFAULT_ITSME_USERS, OidcProviderEmulator
from aiohttp_eid.testing.pytest_plugin import OidcProviderEmulatorFactory

CALLBACK = "http://127.0.0.1:8080/auth/oidc/callback"
LOGGED_OUT = "http://127.0.0.1:8080/bye"
BASIC = aiohttp.encode_basic_auth("demo-rp", "demo-rp-secret")


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def emu(clock: FakeClock) -> AsyncIterator[OidcProviderEmulator]:
    async with OidcProviderEmulator(
        auto_approve="jan", clock=clock, rotate_refresh_tokens=True, post_logout_redirect_uris=[LOGGED_OUT]
    ) as emulator:
        yield emulator


async def authorize(
    http: aiohttp.ClientSession, emu: OidcProviderEmulator, method: str = "GET", **overrides: str | None
) -> aiohttp.ClientResponse:
    params: dict[str, str | None] = {
        "client_id": "demo-rp",
        "response_type": "code",
        "scope": "openid profile email",
        "redirect_uri": CALLBACK,
        "state": "s-1",
        "nonce": "n-1",
    }
    params.update(overrides)
    sent = {k: v for k, v in params.items() if v is not None}
    url = f"{emu.issuer}/authorize"
    if method == "POST":
        async with http.post(url, data=sent, allow_redirects=False) as response:
            await response.read()
            return response
    async with http.get(url, params=sent, allow_redirects=False) as response:
        await response.read()
        return response


def callback(response: aiohttp.ClientResponse, target: str = CALLBACK) -> Mapping[str, str]:
    assert response.status == 302, response.status
    location = URL(response.headers["Location"])
    assert str(location.with_query(None)) == target
    return location.query


async def token(
    http: aiohttp.ClientSession, emu: OidcProviderEmulator, form: Mapping[str, str], auth: str | None = BASIC
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": auth} if auth else {}
    async with http.post(emu.token_endpoint, data=dict(form), headers=headers) as response:
        return response.status, await response.json()


async def login(http: aiohttp.ClientSession, emu: OidcProviderEmulator) -> dict[str, Any]:
    verifier, challenge = pkce()
    query = callback(await authorize(http, emu, code_challenge=challenge, code_challenge_method="S256"))
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": CALLBACK}
    status, body = await token(http, emu, {**form, "code_verifier": verifier})
    assert status == 200, body
    return body


async def provider_keys(http: aiohttp.ClientSession, emu: OidcProviderEmulator) -> KeySet:
    async with http.get(f"{emu.issuer}/jwks") as response:
        return KeySet.import_key_set(await response.json())


async def test_discovery_of_a_plain_provider(http: aiohttp.ClientSession, emu: OidcProviderEmulator) -> None:
    async with http.get(emu.discovery_url) as response:
        meta = await response.json()
    assert meta["issuer"] == emu.issuer
    assert meta["jwks_uri"] == f"{emu.issuer}/jwks"
    assert meta["end_session_endpoint"] == f"{emu.issuer}/end_session"
    assert meta["token_endpoint_auth_methods_supported"] == ["client_secret_basic"]
    assert meta["subject_types_supported"] == ["public"]
    assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert meta["claims_parameter_supported"] is True
    assert "id_token_encryption_alg_values_supported" not in meta
    assert "userinfo_signing_alg_values_supported" not in meta


async def test_code_flow_refresh_rotation_and_logout(http: aiohttp.ClientSession, emu: OidcProviderEmulator) -> None:
    body = await login(http, emu)
    claims = jwt.decode(body["id_token"], await provider_keys(http, emu), algorithms=["RS256"]).claims
    assert claims["sub"] == DEFAULT_ITSME_USERS[0].subject  # public subject
    assert (claims["iss"], claims["aud"], claims["nonce"]) == (emu.issuer, "demo-rp", "n-1")
    digest = hashlib.sha256(body["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    async with http.get(f"{emu.issuer}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}) as r:
        assert r.content_type == "application/json"
        info = await r.json()
    assert info == {
        "sub": claims["sub"],
        "name": "Jan Janssens",
        "given_name": "Jan",
        "family_name": "Janssens",
        "gender": "male",
        "birthdate": "1980-01-01",
        "locale": "nl",
        "email": "jan.janssens@example.org",
        "email_verified": False,
    }

    first = body["refresh_token"]
    status, renewed = await token(http, emu, {"grant_type": "refresh_token", "refresh_token": first})
    assert status == 200
    assert renewed["refresh_token"] != first
    assert "nonce" not in jwt.decode(renewed["id_token"], await provider_keys(http, emu), algorithms=["RS256"]).claims
    status, replay = await token(http, emu, {"grant_type": "refresh_token", "refresh_token": first})
    assert (status, replay["error"]) == (400, "invalid_grant")
    assert emu.counters["token.refresh_replay"] == 1
    assert emu.counters["token.refresh_token"] == 2

    logout = {"id_token_hint": renewed["id_token"], "post_logout_redirect_uri": LOGGED_OUT, "state": "bye"}
    async with http.get(f"{emu.issuer}/end_session", params=logout, allow_redirects=False) as response:
        assert callback(response, LOGGED_OUT)["state"] == "bye"
    assert emu.ended_sessions[-1]["sub"] == claims["sub"]
    status, after = await token(http, emu, {"grant_type": "refresh_token", "refresh_token": renewed["refresh_token"]})
    assert (status, after["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "params",
    [
        {"id_token_hint": "not.a.token"},
        {"post_logout_redirect_uri": LOGGED_OUT},
        {"post_logout_redirect_uri": "http://127.0.0.1:9/elsewhere", "client_id": "demo-rp"},
        {"client_id": "intruder"},
    ],
)
async def test_end_session_refusals(
    http: aiohttp.ClientSession, emu: OidcProviderEmulator, params: dict[str, str]
) -> None:
    async with http.get(f"{emu.issuer}/end_session", params=params, allow_redirects=False) as response:
        assert response.status == 400
        assert "Location" not in response.headers
    async with http.get(f"{emu.issuer}/end_session", allow_redirects=False) as response:
        assert response.status == 200
        assert 'id="logged-out"' in await response.text()


async def test_pkce_and_code_rules(http: aiohttp.ClientSession, emu: OidcProviderEmulator) -> None:
    assert callback(await authorize(http, emu))["error"] == "invalid_request"  # PKCE required
    plain = await authorize(http, emu, code_challenge="x" * 43, code_challenge_method="plain")
    assert callback(plain)["error"] == "invalid_request"
    verifier, challenge = pkce()
    code = callback(await authorize(http, emu, "POST", code_challenge=challenge, code_challenge_method="S256"))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    status, body = await token(http, emu, {**form, "code_verifier": pkce()[0]})
    assert (status, body["error"]) == (400, "invalid_grant")
    status, body = await token(http, emu, {**form, "code_verifier": verifier})
    assert body["error"] == "invalid_grant"  # the code was consumed by the failed attempt
    assert emu.counters["token.code_replay"] == 1
    code = callback(await authorize(http, emu, code_challenge=challenge, code_challenge_method="S256"))["code"]
    other = {**form, "code": code, "code_verifier": verifier, "redirect_uri": CALLBACK + "/other"}
    status, body = await token(http, emu, other)
    assert (status, body["error"]) == (400, "invalid_grant")

    first = await login(http, emu)
    code = emu.last_request("token").form["code"]
    status, body = await token(http, emu, {**form, "code": code, "code_verifier": verifier})
    assert (status, body["error"]) == (400, "invalid_grant")
    assert emu.counters["token.code_replay"] == 2
    async with http.get(f"{emu.issuer}/userinfo", headers={"Authorization": f"Bearer {first['access_token']}"}) as r:
        assert r.status == 401  # a replayed code revokes what it gave


async def test_client_authentication(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with OidcProviderEmulator(auto_approve="marie", client_auth="client_secret_post", clock=clock) as emu:
        verifier, challenge = pkce()
        code = callback(await authorize(http, emu, code_challenge=challenge, code_challenge_method="S256"))["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier}
        status, body = await token(http, emu, form)  # Basic, not the configured method
        assert (status, body["error"]) == (401, "invalid_client")
        secret = {"client_id": "demo-rp", "client_secret": "wrong"}
        status, body = await token(http, emu, {**form, **secret}, auth=None)
        assert (status, body["error"]) == (401, "invalid_client")
        status, body = await token(http, emu, {**form, **secret, "client_secret": "demo-rp-secret"}, auth=None)
        assert status == 200
        assert emu.counters["token.error"] == 2


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "profile"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"prompt": "none"}, "login_required"),
        ({"display": "tv"}, "invalid_request"),
        ({"claims": "[1]"}, "invalid_request"),
        ({"registration": "{}"}, "registration_not_supported"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "invalid_request_object"),  # alg "none" is never accepted
    ],
)
async def test_authorization_errors(
    http: aiohttp.ClientSession, emu: OidcProviderEmulator, overrides: dict[str, str], error: str
) -> None:
    _, challenge = pkce()
    response = await authorize(http, emu, code_challenge=challenge, code_challenge_method="S256", **overrides)
    query = callback(response)
    assert (query["error"], query["state"]) == (error, "s-1")
    assert query["error_description"]


async def test_next_outcome_signing_helpers_and_rotation(
    http: aiohttp.ClientSession, emu: OidcProviderEmulator
) -> None:
    emu.next_outcome = "interaction_required"
    _, challenge = pkce()
    query = callback(await authorize(http, emu, code_challenge=challenge, code_challenge_method="S256"))
    assert query["error"] == "interaction_required"
    emu.extra_audiences = ("other-audience",)
    old = emu.signing_key.kid
    emu.rotate_signing_key()
    tokens = await emu.mint_tokens("marie", scope="openid email")
    keys = await provider_keys(http, emu)
    assert old not in {key.kid for key in keys}
    claims = jwt.decode(tokens["id_token"], keys, algorithms=["RS256"]).claims
    assert (claims["aud"], claims["azp"]) == (["demo-rp", "other-audience"], "demo-rp")
    crafted = emu.sign({"iss": "forged"}, headers={"typ": "at+jwt"})
    assert jwt.decode(crafted, keys, algorithms=["RS256"]).header["typ"] == "at+jwt"
    with pytest.raises(RuntimeError):
        emu.encrypt_for_rp(crafted)  # no RP keys known


async def test_signed_request_object_and_jwt_userinfo(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    rp_key = RSAKey.generate_key(2048, parameters={"use": "sig"})
    rp_key.ensure_kid()

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response({"keys": [rp_key.as_dict(private=False)]})

    app = web.Application()
    app.router.add_get("/jwks.json", jwks)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        options: dict[str, Any] = {"userinfo_format": "jwt", "require_pkce": False, "pairwise_sub": True}
        async with OidcProviderEmulator(auto_approve="jan", clock=clock, **options) as emu:
            emu.rp_jwks_uri = str(server.make_url("/jwks.json"))
            obj: dict[str, Any] = {
                "iss": "demo-rp",
                "aud": emu.issuer,
                "client_id": "demo-rp",
                "nonce": "from-object",
                "state": "o",
            }
            obj["claims"] = {"userinfo": {"email": None}}
            request = jwt.encode({"alg": "RS256", "kid": rp_key.kid}, obj, rp_key, algorithms=["RS256"])
            query = callback(await authorize(http, emu, request=request))
            assert query["state"] == "o"
            form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": CALLBACK}
            _, body = await token(http, emu, form)
            keys = await provider_keys(http, emu)
            assert jwt.decode(body["id_token"], keys, algorithms=["RS256"]).claims["nonce"] == "from-object"
            headers = {"Authorization": f"Bearer {body['access_token']}"}
            async with http.get(f"{emu.issuer}/userinfo", headers=headers) as response:
                assert response.content_type == "application/jwt"
                info = jwt.decode(await response.text(), keys, algorithms=["RS256"]).claims
            assert "email" in info  # asked in the claims parameter
            assert "name" in info  # asked by the outside scope
            assert info["sub"] != DEFAULT_ITSME_USERS[0].subject
            assert emu.counters["rp_jwks"] == 1
            assert emu.last_request("authorize").query["request"].count(".") == 2  # signed only: accepted here
    finally:
        await server.close()


async def test_oidc_provider_fixtures(
    http: aiohttp.ClientSession,
    oidc_provider_emulator: OidcProviderEmulator,
    oidc_provider_emulator_factory: OidcProviderEmulatorFactory,
) -> None:
    assert oidc_provider_emulator.auto_approve == "jan"
    assert oidc_provider_emulator.issuer.startswith("http://127.0.0.1:")
    body = await login(http, oidc_provider_emulator)
    claims = jwt.decode(body["id_token"], await provider_keys(http, oidc_provider_emulator)).claims
    assert claims["sub"] == DEFAULT_ITSME_USERS[0].subject
    other = await oidc_provider_emulator_factory(client_id="other-rp", auto_approve="marie", end_session=False)
    assert (other.client_id, other.auto_approve, other.end_session) == ("other-rp", "marie", False)
    assert other.issuer.startswith("http://127.0.0.1:")
    assert other.issuer != oidc_provider_emulator.issuer
