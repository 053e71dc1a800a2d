"""The EIDG emulator, driven over real HTTP on 127.0.0.1 as a relying party would."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from joserfc import jwt
from joserfc.jwk import KeySet
from yarl import URL

from aiohttp_eid.testing import DEFAULT_EIDG_USERS, EidgEmulator, EidgUser, Fault
from aiohttp_eid.testing.pytest_plugin import EidgEmulatorFactory

CALLBACK = "http://127.0.0.1:8080/auth/spid/callback"
PREFIX = "infocert:identification:method:"
BASIC = aiohttp.encode_basic_auth("demo-client", "demo-secret")
SAML_NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
}


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(**overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "client_id": "demo-client",
        "state": "st&te =/é",
        "redirect_uri": CALLBACK,
        "acr_values": PREFIX + "SPID_LEVEL_2",
        "response_type": "code",
        "scope": "openid",
        "ui_locales": "en",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


async def authorize(http: aiohttp.ClientSession, emu: EidgEmulator, **overrides: str | None) -> aiohttp.ClientResponse:
    async with http.get(
        f"{emu.base_url}/authorize", params=authorize_params(**overrides), allow_redirects=False
    ) as response:
        await response.read()
        return response


def callback_query(response: aiohttp.ClientResponse) -> Mapping[str, str]:
    assert response.status == 302
    location = URL(response.headers["Location"])
    assert str(location.with_query(None)) == CALLBACK
    return location.query


async def token(
    http: aiohttp.ClientSession,
    emu: EidgEmulator,
    data: Mapping[str, str],
    authorization: str | None = BASIC,
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": authorization} if authorization else {}
    async with http.post(f"{emu.base_url}/token", data=data, headers=headers) as response:
        assert response.content_type == "application/json"
        return response.status, await response.json()


async def login(
    http: aiohttp.ClientSession, emu: EidgEmulator, method: str = "SPID_LEVEL_2", **extra: str
) -> dict[str, Any]:
    """Authorize (auto-approved) and exchange the code: the token response."""
    verifier, challenge = pkce()
    response = await authorize(
        http,
        emu,
        acr_values=PREFIX + method,
        code_challenge_method="S256",
        code_challenge=challenge,
        **extra,
    )
    code = callback_query(response)["code"]
    status, body = await token(
        http,
        emu,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
    )
    assert status == 200, body
    return body


async def get_json(
    http: aiohttp.ClientSession, url: str, bearer: str | None = None, method: str = "GET"
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    async with http.request(method, url, headers=headers) as response:
        body = await response.read()
        if response.content_type == "application/json" and body:
            return response.status, await response.json()
        return response.status, body


async def verified(http: aiohttp.ClientSession, emu: EidgEmulator, value: str) -> dict[str, Any]:
    """The claims of a token, checked against the JWKS the emulator publishes."""
    _, keys = await get_json(http, f"{emu.base_url}/jwks")
    token_ = jwt.decode(value, KeySet.import_key_set(keys), algorithms=["RS256"])
    assert token_.header["alg"] == "RS256"
    return dict(token_.claims)


def saml_level(raw_response: str) -> str:
    root = ET.fromstring(base64.b64decode(raw_response))  # noqa: S314 (our own test data)
    assert root.tag == "{urn:oasis:names:tc:SAML:2.0:protocol}Response"
    ref = root.find("saml:Assertion/saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef", SAML_NS)
    assert ref is not None
    assert ref.text
    return ref.text


# -- the happy path ----------------------------------------------------------------------


async def test_full_code_flow_with_pkce(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    emu = await eidg_emulator_factory(auto_approve="ada")
    verifier, challenge = pkce()
    response = await authorize(http, emu, code_challenge_method="S256", code_challenge=challenge, nonce="n-123")
    query = callback_query(response)
    assert query["state"] == "st&te =/é"
    assert re.fullmatch(r"[0-9a-f-]{36}", query["code"])

    data = {
        "grant_type": "authorization_code",
        "code": query["code"],
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    status, body = await token(http, emu, data)
    assert status == 200
    assert list(body) == ["idToken", "accessToken", "refreshToken", "expiresIn", "tokenType"]
    assert body["expiresIn"] == 360
    assert body["tokenType"] == "Bearer"
    seen = emu.last_request("token")
    assert seen.basic_auth == ("demo-client", "demo-secret")
    assert dict(seen.form) == data

    id_header = json.loads(base64.urlsafe_b64decode(body["idToken"].split(".")[0] + "=="))
    assert id_header == {"typ": "JWT", "alg": "RS256", "kid": emu.jwks["keys"][0]["kid"]}
    id_claims = await verified(http, emu, body["idToken"])
    assert id_claims["iss"] == emu.issuer == emu.base_url
    assert id_claims["aud"] == "demo-client"
    assert id_claims["sub"] == "SPID-002"
    assert id_claims["nonce"] == "n-123"
    access = await verified(http, emu, body["accessToken"])
    assert access["aud"] == access["iss"] == "demo-client"
    assert access["exp"] - access["iat"] == 180
    assert access["nbf"] == access["iat"]
    refresh = await verified(http, emu, body["refreshToken"])
    assert set(refresh) == {"exp", "client_id", "jti"}

    status, info = await get_json(http, f"{emu.base_url}/user-info", body["accessToken"])
    assert status == 200
    assert (info["givenName"], info["familyName"]) == ("Ada", "Lovelace")
    assert info["electronicId"]["name"] == "SPID"
    assert saml_level(info["_rawResponse"]) == "https://www.spid.gov.it/SpidL2"

    # Refresh, not rotating (the document's example): same refresh token back.
    refresh_data = {
        "grant_type": "refresh_token",
        "refresh_token": body["refreshToken"],
        "redirect_uri": CALLBACK,
    }
    status, again = await token(http, emu, refresh_data)
    assert status == 200
    assert again["refreshToken"] == body["refreshToken"]
    assert again["accessToken"] != body["accessToken"]
    assert "nonce" not in await verified(http, emu, again["idToken"])
    assert emu.last_request("token").form["redirect_uri"] == CALLBACK

    # Logout ends the login: access and refresh tokens alike.
    status, _ = await get_json(http, f"{emu.base_url}/logout", again["accessToken"], "DELETE")
    assert status == 204
    status, info = await get_json(http, f"{emu.base_url}/user-info", body["accessToken"])
    assert (status, info["errorCode"]) == (401, "EIDG_14")
    status, error = await token(http, emu, refresh_data)
    assert (status, error["errorCode"], error["error"]) == (400, "EIDG_14", "access_denied")
    assert emu.counters["token.refresh_replay"] == 1
    assert emu.counters["token.authorization_code"] == 1
    assert emu.counters["token.refresh_token"] == 2
    assert emu.counters["logout"] == 1


async def test_rotating_refresh_tokens_count_replays(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    emu = await eidg_emulator_factory(auto_approve="marisa", rotate_refresh_tokens=True)
    first = await login(http, emu)
    data = {"grant_type": "refresh_token", "refresh_token": first["refreshToken"]}
    status, second = await token(http, emu, data)
    assert status == 200
    assert second["refreshToken"] != first["refreshToken"]
    status, error = await token(http, emu, data)  # the rotated one, again
    assert (status, error["errorCode"]) == (400, "EIDG_14")
    assert emu.counters["token.refresh_replay"] == 1
    status, third = await token(http, emu, {"grant_type": "refresh_token", "refresh_token": second["refreshToken"]})
    assert status == 200
    status, info = await get_json(http, f"{emu.base_url}/user-info", third["accessToken"])
    assert status == 200
    assert info["taxID"] == "TLIMRS30A41H501K"
    assert emu.counters["token.refresh_token"] == 3


async def test_concurrent_refreshes_are_counted_exactly(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    emu = await eidg_emulator_factory(auto_approve="ada", rotate_refresh_tokens=True)
    body = await login(http, emu)
    data = {"grant_type": "refresh_token", "refresh_token": body["refreshToken"]}
    results = await asyncio.gather(*(token(http, emu, data) for _ in range(100)))
    assert sorted(status for status, _ in results) == [200] + [400] * 99
    assert emu.counters["token.refresh_token"] == 100
    assert emu.counters["token.refresh_replay"] == 99


async def test_revoke_access_token_then_refresh_token(http: aiohttp.ClientSession, eidg_emulator: EidgEmulator) -> None:
    emu = eidg_emulator
    body = await login(http, emu)
    revoke = f"{emu.base_url}/revoke"
    assert (await get_json(http, revoke, body["accessToken"], "POST"))[0] == 200
    status, info = await get_json(http, f"{emu.base_url}/user-info", body["accessToken"])
    assert (status, info["errorCode"]) == (401, "EIDG_14")
    # The refresh token survived the access token's revocation...
    refresh = {"grant_type": "refresh_token", "refresh_token": body["refreshToken"]}
    status, again = await token(http, emu, refresh)
    assert status == 200
    # ...and revoking it takes its access tokens along.
    assert (await get_json(http, revoke, body["refreshToken"], "POST"))[0] == 200
    status, info = await get_json(http, f"{emu.base_url}/user-info", again["accessToken"])
    assert (status, info["errorCode"]) == (401, "EIDG_14")
    assert (await token(http, emu, refresh))[1]["errorCode"] == "EIDG_14"
    status, error = await get_json(http, revoke, body["refreshToken"], "POST")
    assert (status, error["errorCode"]) == (401, "EIDG_14")
    assert emu.counters["revoke"] == 3


async def test_snake_case_naming_without_id_token(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    emu = await eidg_emulator_factory(auto_approve="ada", naming="snake", include_id_token=False, token_lifetime=600)
    body = await login(http, emu)
    assert list(body) == ["access_token", "refresh_token", "expires_in", "token_type"]
    assert body["expires_in"] == 600
    access = await verified(http, emu, body["access_token"])
    assert access["exp"] - access["iat"] == 180


async def test_grant_type_code_as_in_the_documents_curl(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    emu = await eidg_emulator_factory(auto_approve="ada", access_token_jwt_lifetime=None)
    query = callback_query(await authorize(http, emu, state=None))
    assert "state" not in query
    status, body = await token(http, emu, {"grant_type": "code", "code": query["code"], "redirect_uri": CALLBACK})
    assert status == 200
    access = await verified(http, emu, body["accessToken"])
    assert access["exp"] - access["iat"] == 360
    assert emu.counters["token.authorization_code"] == 1


# -- authorize errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"client_id": None}, "EIDG_1"),
        ({"client_id": "someone-else"}, "EIDG_2"),
        ({"redirect_uri": "https://attacker.example/cb"}, "EIDG_3"),
        ({"redirect_uri": None}, "EIDG_3"),
        ({"redirect_uri": "http://127.0.0.1:8080/cb#fragment"}, "EIDG_3"),
    ],
)
async def test_unverified_client_or_redirect_is_not_redirected_to(
    http: aiohttp.ClientSession,
    eidg_emulator: EidgEmulator,
    overrides: dict[str, str | None],
    code: str,
) -> None:
    emu = eidg_emulator
    response = await authorize(http, emu, **overrides)
    assert response.status == 400
    assert "Location" not in response.headers
    async with http.get(f"{emu.base_url}/authorize", params=authorize_params(**overrides)) as response:
        body = await response.json()
    assert body == {
        "error": "invalid_request",
        "errorCode": code,
        "errorDescription": body["errorDescription"],
    }
    async with http.get(
        f"{emu.base_url}/authorize",
        params=authorize_params(**overrides),
        headers={"Accept": "text/html"},
    ) as response:
        html = await response.text()
    assert response.status == 400
    assert f'<code id="error-code">{code}</code>' in html


async def test_registered_redirect_uris_match_exactly(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    emu = await eidg_emulator_factory(auto_approve="ada", redirect_uris=[CALLBACK])
    assert callback_query(await authorize(http, emu))["code"]
    response = await authorize(http, emu, redirect_uri=CALLBACK + "/x")
    assert response.status == 400


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"acr_values": PREFIX + "EIDAS"}, "EIDG_4"),
        ({"acr_values": "SPID_LEVEL_2"}, "EIDG_4"),
        ({"acr_values": PREFIX + " SPID_LEVEL_2"}, "EIDG_4"),  # the document's own typo
        ({"acr_values": f"{PREFIX}SPID_LEVEL_1 {PREFIX}SPID_LEVEL_2"}, "EIDG_4"),
        ({"acr_values": ""}, "EIDG_4"),
        ({"response_type": "token"}, "EIDG_9"),
        ({"scope": "profile"}, "EIDG_9"),
        ({"code_challenge_method": "plain", "code_challenge": "a" * 43}, "EIDG_9"),
        ({"code_challenge": "a" * 43}, "EIDG_9"),
        ({"code_challenge_method": "S256"}, "EIDG_9"),
        ({"code_challenge_method": "S256", "code_challenge": "short"}, "EIDG_9"),
    ],
)
async def test_invalid_requests_are_redirected_with_the_documents_form(
    http: aiohttp.ClientSession,
    eidg_emulator_factory: EidgEmulatorFactory,
    overrides: dict[str, str | None],
    code: str,
) -> None:
    methods = [PREFIX + "SPID_LEVEL_1", PREFIX + "SPID_LEVEL_2", PREFIX + "CIE"]
    emu = await eidg_emulator_factory(auto_approve="ada", methods=methods)
    response = await authorize(http, emu, **overrides)
    location = response.headers["Location"]
    assert list(URL(location).query) == ["error", "errorCode", "errorDescription", "state"]
    query = callback_query(response)
    assert query["error"] == "invalid_request"
    assert query["errorCode"] == code
    assert query["state"] == "st&te =/é"
    assert emu.store.codes == {}


async def test_two_channels_together_are_fine(http: aiohttp.ClientSession, eidg_emulator: EidgEmulator) -> None:
    acr = f"{PREFIX}SPID_LEVEL_2 {PREFIX}CIE"
    assert "code" in callback_query(await authorize(http, eidg_emulator, acr_values=acr))


@pytest.mark.parametrize(
    ("outcome", "locale", "description"),
    [
        ("SPID_22", "en", "Consent to submit data was denied by the user"),
        ("SPID_25", "it", "Processo di autenticazione annullato dall'utente"),
        ("CIE_21", "fr", "Timeout durante l'autenticazione dell'utente"),  # Italian otherwise
        ("SPID_TECHNICAL", "en-GB", "An error occurred during the authentication process."),
    ],
)
async def test_next_outcome_ends_the_next_authorization_once(
    http: aiohttp.ClientSession,
    eidg_emulator: EidgEmulator,
    outcome: str,
    locale: str,
    description: str,
) -> None:
    eidg_emulator.next_outcome = outcome
    query = callback_query(await authorize(http, eidg_emulator, ui_locales=locale))
    assert query["errorCode"] == outcome
    assert query["error"] == ("server_error" if "TECHNICAL" in outcome else "access_denied")
    assert query["errorDescription"].startswith(description)
    assert query["state"] == "st&te =/é"
    assert "code" not in query
    assert "code" in callback_query(await authorize(http, eidg_emulator))


# -- token, user-info errors ---------------------------------------------------------------


async def test_client_authentication_errors(http: aiohttp.ClientSession, eidg_emulator: EidgEmulator) -> None:
    emu = eidg_emulator
    code = callback_query(await authorize(http, emu))["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    cases = [
        (None, "EIDG_5"),
        ("Basic !!!", "EIDG_5"),
        ("Bearer abc", "EIDG_5"),
        (aiohttp.encode_basic_auth("other-client", "demo-secret"), "EIDG_5"),
        (aiohttp.encode_basic_auth("demo-client", "wrong"), "EIDG_6"),
    ]
    for authorization, expected in cases:
        status, body = await token(http, emu, data, authorization)
        assert (status, body["errorCode"], body["error"]) == (401, expected, "access_denied")
    assert emu.counters["token.error"] == len(cases)
    assert (await token(http, emu, data))[0] == 200  # the code was not burnt by those


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({}, "EIDG_7"),
        ({"grant_type": "password"}, "EIDG_8"),
        ({"grant_type": "client_credentials"}, "EIDG_8"),
        ({"grant_type": "authorization_code"}, "EIDG_9"),
        ({"grant_type": "authorization_code", "code": "nope"}, "EIDG_12"),
        ({"grant_type": "refresh_token"}, "EIDG_9"),
        ({"grant_type": "refresh_token", "refresh_token": "garbage"}, "EIDG_15"),
        ({"grant_type": "refresh_token", "refresh_token": "a.b.c"}, "EIDG_15"),
    ],
)
async def test_token_request_errors(
    http: aiohttp.ClientSession, eidg_emulator: EidgEmulator, data: dict[str, str], code: str
) -> None:
    status, body = await token(http, eidg_emulator, data)
    assert (status, body["errorCode"]) == (400, code)
    assert eidg_emulator.counters["token.error"] == 1


async def test_code_is_one_shot_bound_and_short_lived(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    clock = FakeClock()
    emu = await eidg_emulator_factory(auto_approve="ada", clock=clock)
    verifier, challenge = pkce()

    async def new_code() -> str:
        response = await authorize(http, emu, code_challenge_method="S256", code_challenge=challenge)
        return callback_query(response)["code"]

    def data(code: str, **changes: str) -> dict[str, str]:
        base = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        }
        return {k: v for k, v in {**base, **changes}.items() if v}

    code = await new_code()
    assert (await token(http, emu, data(code)))[0] == 200
    status, body = await token(http, emu, data(code))
    assert (status, body["errorCode"], body["error"]) == (400, "EIDG_12", "server_error")
    assert emu.counters["token.code_replay"] == 1

    code = await new_code()
    clock.now += 61
    assert (await token(http, emu, data(code)))[1]["errorCode"] == "EIDG_12"

    for changes, expected in [
        ({"code_verifier": pkce()[0]}, "EIDG_9"),
        ({"code_verifier": ""}, "EIDG_9"),
        ({"redirect_uri": "http://127.0.0.1:8080/other"}, "EIDG_3"),
        ({"redirect_uri": ""}, "EIDG_9"),
    ]:
        status, body = await token(http, emu, data(await new_code(), **changes))
        assert (status, body["errorCode"]) == (400, expected), changes

    # A verifier for a code issued without PKCE is refused too.
    code = callback_query(await authorize(http, emu))["code"]
    assert (await token(http, emu, data(code)))[1]["errorCode"] == "EIDG_9"


async def test_bearer_errors(http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory) -> None:
    clock = FakeClock()
    emu = await eidg_emulator_factory(auto_approve="ada", clock=clock)
    url = f"{emu.base_url}/user-info"
    body = await login(http, emu)
    cases = [(None, "EIDG_14"), ("garbage", "EIDG_15"), (body["refreshToken"], "EIDG_14")]
    for bearer, expected in cases:
        status, error = await get_json(http, url, bearer)
        assert (status, error["errorCode"]) == (401, expected)
    other = EidgEmulator(issuer="https://other.example/oauth2")  # same shape, another key
    status, error = await get_json(http, url, other.mint_tokens()["access_token"])
    assert (status, error["errorCode"]) == (401, "EIDG_15")
    for endpoint, method in [("logout", "DELETE"), ("revoke", "POST")]:
        status, error = await get_json(http, f"{emu.base_url}/{endpoint}", "x.y.z", method)
        assert (status, error["errorCode"]) == (401, "EIDG_15")

    assert (await get_json(http, url, body["accessToken"]))[0] == 200
    clock.now += 180  # the JWT's exp, though expiresIn said 360
    assert (await get_json(http, url, body["accessToken"]))[1]["errorCode"] == "EIDG_14"
    status, fresh = await token(http, emu, {"grant_type": "refresh_token", "refresh_token": body["refreshToken"]})
    assert status == 200
    emu.expire_access_tokens()
    assert (await get_json(http, url, fresh["accessToken"]))[1]["errorCode"] == "EIDG_14"
    clock.now += 86400
    status, error = await token(http, emu, {"grant_type": "refresh_token", "refresh_token": body["refreshToken"]})
    assert (status, error["errorCode"]) == (400, "EIDG_14")
    assert emu.counters["token.refresh_replay"] == 0


async def test_revoke_all(http: aiohttp.ClientSession, eidg_emulator: EidgEmulator) -> None:
    body = await login(http, eidg_emulator)
    code = callback_query(await authorize(http, eidg_emulator))["code"]
    eidg_emulator.revoke_all()
    status, error = await get_json(http, f"{eidg_emulator.base_url}/user-info", body["accessToken"])
    assert (status, error["errorCode"]) == (401, "EIDG_14")
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    assert (await token(http, eidg_emulator, data))[1]["errorCode"] == "EIDG_12"


# -- identities ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "level"),
    [
        ("SPID_LEVEL_1", "SPID", "https://www.spid.gov.it/SpidL1"),
        ("SPID_LEVEL_2", "SPID", "https://www.spid.gov.it/SpidL2"),
        ("SPID_LEVEL_3", "SPID", "https://www.spid.gov.it/SpidL3"),
        ("CIE", "CIE", "https://www.spid.gov.it/SpidL3"),
        ("FranceConnect", "FranceConnect", None),
    ],
)
async def test_the_method_used_shows_in_the_identity(
    http: aiohttp.ClientSession,
    eidg_emulator: EidgEmulator,
    method: str,
    name: str,
    level: str | None,
) -> None:
    body = await login(http, eidg_emulator, method)
    status, info = await get_json(http, f"{eidg_emulator.base_url}/user-info", body["accessToken"])
    assert status == 200
    assert info["electronicId"]["name"] == name
    if level is None:
        assert info["_rawResponse"] is None
        assert info["_rawRequest"] is None
        assert info["electronicId"]["country"] == "FR"
        return
    assert saml_level(info["_rawResponse"]) == level
    request = zlib.decompress(base64.b64decode(info["_rawRequest"]), wbits=-15)
    assert request.startswith(b'<?xml version="1.0" encoding="UTF-8"?><samlp:AuthnRequest ')
    assert level.encode() in request


async def test_user_info_model(http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory) -> None:
    extra_user = EidgUser(key="x", given_name="Xena", extra={"version": "2.0", "nickname": "X"})
    emu = await eidg_emulator_factory(users=[*DEFAULT_EIDG_USERS, extra_user])
    url = f"{emu.base_url}/user-info"
    infos = {}
    for key in ("ada", "marisa", "acme", "x"):
        emu.auto_approve = key
        _, infos[key] = await get_json(http, url, (await login(http, emu))["accessToken"])
    ada, marisa, acme, x = infos["ada"], infos["marisa"], infos["acme"], infos["x"]
    assert list(ada) == [
        "version", "givenName", "familyName", "birthPlace", "birthDate", "gender", "taxID",
        "vatID", "telephone", "email", "digitalAddress", "address", "electronicId",
        "physicalId", "_idp", "_rawRequest", "_rawResponse",
    ]  # fmt: skip
    assert ada["version"] == "1.0"
    assert ada["taxID"] == "TINIT-LVLDAA85T50G702B"
    assert ada["birthPlace"]["address"]["streetAddress"] == "null"  # the string
    assert ada["vatID"] is None  # JSON null
    assert list(ada["physicalId"]) == [
        "name", "documentNumber", "issuer", "issuerDate", "expirationDate",
    ]  # fmt: skip
    assert marisa["taxID"] == "TLIMRS30A41H501K"
    assert marisa["address"]["streetAddress"] == "Via Delle Robe 20"
    assert marisa["physicalId"]["documentNumber"] == "AV0639329"
    assert acme["vatID"] == "IT12345678901"
    assert acme["taxID"] is None
    assert x["version"] == "2.0"
    assert x["nickname"] == "X"
    assert x["givenName"] == "Xena"


# -- the interactive page ------------------------------------------------------------------


async def chooser(http: aiohttp.ClientSession, emu: EidgEmulator, **overrides: str) -> str:
    async with http.get(f"{emu.base_url}/authorize", params=authorize_params(**overrides)) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        html = await response.text()
    assert "EMULATOR" in html
    match = re.search(r'name="request" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


async def decide(http: aiohttp.ClientSession, emu: EidgEmulator, form: dict[str, str]) -> aiohttp.ClientResponse:
    async with http.post(f"{emu.base_url}/authorize/decision", data=form, allow_redirects=False) as response:
        await response.read()
        return response


async def test_interactive_page_and_decision(
    http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory
) -> None:
    emu = await eidg_emulator_factory()
    acr = f"{PREFIX}SPID_LEVEL_2 {PREFIX}CIE"
    async with http.get(f"{emu.base_url}/authorize", params=authorize_params(acr_values=acr)) as response:
        html = await response.text()
    for element_id in ("user-ada", "user-marisa", "user-acme", "method-CIE", "login", "cancel"):
        assert f'id="{element_id}"' in html
    assert 'id="deny"' in html
    assert "st&amp;te" not in html  # the state stays on the server
    assert "Deny consent" in html

    pending = await chooser(http, emu, acr_values=acr)
    form = {"request": pending, "method": "CIE", "user": "marisa", "action": "login"}
    query = callback_query(await decide(http, emu, form))
    assert query["state"] == "st&te =/é"
    status, body = await token(
        http, emu, {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": CALLBACK}
    )
    assert status == 200
    status, info = await get_json(http, f"{emu.base_url}/user-info", body["accessToken"])
    assert (info["givenName"], info["electronicId"]["name"]) == ("Marisa", "CIE")
    assert (await decide(http, emu, form)).status == 400  # the pending request is spent

    pending = await chooser(http, emu, acr_values=acr)
    tampered = {**form, "request": pending, "method": "SPID_LEVEL_3"}
    assert (await decide(http, emu, tampered)).status == 400

    cancelled = callback_query(await decide(http, emu, {**form, "request": pending, "action": "cancel"}))
    assert (cancelled["errorCode"], cancelled["error"]) == ("CIE_25", "access_denied")
    pending = await chooser(http, emu, acr_values=acr)
    denied = {"request": pending, "method": "SPID_LEVEL_2", "action": "deny"}
    assert callback_query(await decide(http, emu, denied))["errorCode"] == "SPID_22"
    assert emu.counters["decision"] == 5


# -- faults and the extras -----------------------------------------------------------------


async def test_faults(http: aiohttp.ClientSession, eidg_emulator: EidgEmulator) -> None:
    emu = eidg_emulator
    body = await login(http, emu)
    url = f"{emu.base_url}/user-info"
    emu.faults["user-info"] = Fault(status=500, times=2)
    assert [(await get_json(http, url, body["accessToken"]))[0] for _ in range(3)] == [500, 500, 200]
    emu.faults["user-info"] = Fault(body=b"not json", content_type="text/plain")
    assert await get_json(http, url, body["accessToken"]) == (200, b"not json")

    emu.faults["token"] = Fault(delay=5)
    data = {"grant_type": "refresh_token", "refresh_token": body["refreshToken"]}
    with pytest.raises(asyncio.TimeoutError):
        async with http.post(
            f"{emu.base_url}/token",
            data=data,
            headers={"Authorization": BASIC},
            timeout=aiohttp.ClientTimeout(total=0.2),
        ):
            pass
    assert emu.counters["token.refresh_token"] == 1
    assert "token" not in emu.faults

    emu.faults["jwks"] = Fault(status=503, times=-1)
    for _ in range(3):
        assert (await get_json(http, f"{emu.base_url}/jwks"))[0] == 503
    assert emu.faults["jwks"].times == -1
    assert emu.counters["jwks"] == 3
    assert emu.counters["user-info"] == 4


async def test_discovery_and_jwks(http: aiohttp.ClientSession, eidg_emulator_factory: EidgEmulatorFactory) -> None:
    emu = await eidg_emulator_factory(issuer="https://eid-gateway.example/oauth2")
    status, config = await get_json(http, f"{emu.base_url}/.well-known/openid-configuration")
    assert status == 200
    assert config["issuer"] == "https://eid-gateway.example/oauth2"
    assert config["token_endpoint"] == f"{emu.base_url}/token"
    assert config["userinfo_endpoint"] == f"{emu.base_url}/user-info"
    assert config["revocation_endpoint"] == f"{emu.base_url}/revoke"
    status, keys = await get_json(http, config["jwks_uri"])
    assert keys == emu.jwks
    assert "d" not in keys["keys"][0]
    assert keys["keys"][0]["kid"]
    assert emu.counters["discovery"] == emu.counters["jwks"] == 1
    assert urls_are_loopback(emu)


def urls_are_loopback(emu: EidgEmulator) -> bool:
    return URL(emu.base_url).host == "127.0.0.1"
