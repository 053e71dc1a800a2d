"""The itsme emulator, driven over real HTTP on 127.0.0.1 by a relying party played here with joserfc.

The relying party publishes its JWKS from a tiny aiohttp app on 127.0.0.1, as a real
one must (itsme fetches it), sends signed-then-encrypted request objects and
``private_key_jwt`` assertions, and opens encrypted ID tokens and userinfo.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from joserfc import jwe, jws, jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from yarl import URL

from aiohttp_eid.testing import DEFAULT_ITSME_USERS, Fault, ItsmeEmulator
from aiohttp_eid.testing.pytest_plugin import ItsmeEmulatorFactory

CLIENT = "demo-rp"
CALLBACK = "http://127.0.0.1:8080/auth/itsme/callback"
SCOPE = "openid profile email address phone service:DEMO_LOGIN"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TAG = "tag:sixdots.be,"
DOC_TAG = "tag:itsmetag:sixdots.be,"
ACR_BASIC = TAG + "2016-06:acr_basic"
DEVICE_FIELDS = {
    "os",
    "appName",
    "appRelease",
    "deviceLabel",
    "debugEnabled",
    "deviceId",
    "osRelease",
    "manufacturer",
    "hasSimEnabled",
    "deviceLockLevel",
    "smsEnabled",
    "rooted",
    "imei",
    "deviceModel",
    "msisdn",
    "sdkRelease",
}


def rsa(use: str) -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"use": use})
    key.ensure_kid()
    return key


RP_SIG, RP_ENC, STRANGER = rsa("sig"), rsa("enc"), rsa("sig")


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class RelyingParty:
    """The client: its keys (served at ``jwks_url``) and the messages it sends."""

    def __init__(self, http: aiohttp.ClientSession, emu: ItsmeEmulator, clock: FakeClock) -> None:
        self.http, self.emu, self.clock = http, emu, clock
        self.sig, self.enc = RP_SIG, RP_ENC
        self.op_keys: KeySet | None = None

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.sig.as_dict(private=False), self.enc.as_dict(private=False)]}

    async def provider_keys(self) -> KeySet:
        async with self.http.get(f"{self.emu.issuer}/jwkSet") as response:
            self.op_keys = KeySet.import_key_set(await response.json())
        return self.op_keys

    def signed(self, claims: Mapping[str, Any], key: RSAKey | None = None, **header: Any) -> str:
        key = key or self.sig
        return jwt.encode({"alg": "RS256", "kid": key.kid, **header}, dict(claims), key, algorithms=["RS256"])

    async def encrypted(self, token: str, alg: str = "RSA-OAEP", enc: str = "A128CBC-HS256") -> str:
        keys = self.op_keys or await self.provider_keys()
        op_enc = next(k for k in keys if k.get("use") == "enc")
        header = {"alg": alg, "enc": enc, "cty": "JWT", "kid": op_enc.kid}
        return jwe.encrypt_compact(header, token, op_enc, algorithms=[alg, enc])

    def object_claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(self.clock.now)
        claims: dict[str, Any] = {
            "iss": CLIENT,
            "aud": self.emu.issuer,
            "client_id": CLIENT,
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": SCOPE,
            "state": "state-1",
            "nonce": "nonce-1",
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    async def authorize(self, request: str | None, **params: str) -> aiohttp.ClientResponse:
        query = {"client_id": CLIENT, "response_type": "code", "scope": SCOPE, "redirect_uri": CALLBACK, **params}
        if request is not None:
            query["request"] = request
        async with self.http.get(f"{self.emu.issuer}/authorize", params=query, allow_redirects=False) as response:
            await response.read()
            return response

    async def login(self, **claims: Any) -> Mapping[str, str]:
        """Authorize with a signed and encrypted request object: the callback query."""
        response = await self.authorize(await self.encrypted(self.signed(self.object_claims(**claims))))
        return callback(response)

    def assertion(self, **overrides: Any) -> str:
        now = int(self.clock.now)
        claims: dict[str, Any] = {
            "iss": CLIENT,
            "sub": CLIENT,
            "aud": self.emu.token_endpoint,
            "jti": str(uuid.uuid4()),
        }
        claims.update({"iat": now, "exp": now + 60, **overrides})
        return self.signed({k: v for k, v in claims.items() if v is not None})

    async def token(self, code: str, assertion: str | None = None, **extra: str) -> tuple[int, dict[str, Any]]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or self.assertion(),
            **extra,
        }
        async with self.http.post(self.emu.token_endpoint, data=form) as response:
            return response.status, await response.json()

    async def open(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Decrypt with the RP's key, verify with the provider's published key: (header, claims)."""
        outer = jwe.decrypt_compact(token, self.enc, algorithms=["RSA-OAEP", "A128CBC-HS256"])
        assert outer.headers()["cty"] == "JWT"
        assert outer.headers()["kid"] == self.enc.kid
        assert outer.plaintext is not None
        inner = jwt.decode(outer.plaintext, await self.provider_keys(), algorithms=["RS256"])
        return inner.header, inner.claims


def callback(response: aiohttp.ClientResponse) -> Mapping[str, str]:
    assert response.status == 302, response.status
    location = URL(response.headers["Location"])
    assert str(location.with_query(None)) == CALLBACK
    return location.query


def at_hash(token: str) -> str:
    digest = hashlib.sha256(token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture
async def rp(
    http: aiohttp.ClientSession, itsme_emulator_factory: ItsmeEmulatorFactory, clock: FakeClock
) -> AsyncIterator[RelyingParty]:
    """An auto-approving (jan) emulator and the RP whose JWKS it fetches over HTTP."""
    emu = await itsme_emulator_factory(auto_approve="jan", clock=clock, redirect_uris=[CALLBACK])
    party = RelyingParty(http, emu, clock)

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response(party.jwks())

    app = web.Application()
    app.router.add_get("/auth/jwks.json", jwks)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    emu.rp_jwks_uri = str(server.make_url("/auth/jwks.json"))
    try:
        yield party
    finally:
        await server.close()


async def test_discovery_and_keys_follow_the_itsme_document(rp: RelyingParty) -> None:
    emu = rp.emu
    async with rp.http.get(emu.discovery_url) as response:
        meta = await response.json()
    assert emu.issuer.startswith("http://127.0.0.1:")
    assert emu.issuer.endswith("/oidc")
    assert meta["issuer"] == emu.issuer
    assert meta["authorization_endpoint"] == f"{emu.issuer}/authorize"
    assert meta["token_endpoint"] == f"{emu.issuer}/token"
    assert meta["userinfo_endpoint"] == f"{emu.issuer}/userinfo"
    assert meta["jwks_uri"] == f"{emu.issuer}/jwkSet"
    assert "end_session_endpoint" not in meta
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert meta["subject_types_supported"] == ["pairwise"]
    assert meta["grant_types_supported"] == ["authorization_code"]
    for kind in ("id_token", "userinfo", "request_object"):
        assert meta[f"{kind}_encryption_alg_values_supported"] == ["RSA-OAEP"]
        assert meta[f"{kind}_encryption_enc_values_supported"] == ["A128CBC-HS256"]
    assert meta["request_object_signing_alg_values_supported"] == ["RS256"]
    assert meta["userinfo_signing_alg_values_supported"] == ["RS256"]
    assert meta["request_parameter_supported"] is True
    assert meta["request_uri_parameter_supported"] is False
    assert meta["acr_values_supported"] == [ACR_BASIC, TAG + "2016-06:acr_advanced"]
    assert meta["ui_locales_supported"] == ["fr", "nl", "en", "de"]
    assert "service:DEMO_LOGIN" in meta["scopes_supported"]
    assert {TAG + "2016-06:claim_eid", TAG + "2017-05:claim_device"} <= set(meta["claims_supported"])
    assert "nickname" not in meta["claims_supported"]
    keys = (await rp.provider_keys()).as_dict(private=False)["keys"]
    assert sorted(k["use"] for k in keys) == ["enc", "sig"]
    async with rp.http.get(f"{emu.issuer}/jwkSet") as response:
        assert all("d" not in key for key in (await response.json())["keys"])
    assert emu.counters["discovery"] == 1
    assert emu.counters["jwks"] == 2


async def test_full_flow_with_both_claim_spellings(rp: RelyingParty) -> None:
    emu = rp.emu
    requested = {
        "userinfo": {
            DOC_TAG + "2016-06:claim_nationality": None,
            TAG + "2016-06:claim_city_of_birth": {"essential": True},
            DOC_TAG + "2016-06:claim_eid": None,
            TAG + "2017-05:claim_device": None,
            TAG + "2017-05:claim_transaction_info": None,
            DOC_TAG + "2017-05:claim_passport_sn": None,
            TAG + "2017-05:claim_photo": None,
        },
        "id_token": {"auth_time": {"essential": True}, "acr": {"value": [DOC_TAG + "2016-06:acr_advanced"]}},
    }
    query = await rp.login(claims=requested, aud="https://server.itsme.be", acr_values=ACR_BASIC)
    assert query["state"] == "state-1"
    status, body = await rp.token(query["code"])
    assert status == 200, body
    assert body["token_type"] == "Bearer"
    assert "refresh_token" not in body
    assert body["id_token"].count(".") == 4  # a JWE
    header, claims = await rp.open(body["id_token"])
    assert header["alg"] == "RS256"
    assert header["kid"] == emu.signing_key.kid
    assert claims["iss"] == emu.issuer
    assert claims["aud"] == CLIENT
    assert claims["nonce"] == "nonce-1"
    assert claims["acr"] == DOC_TAG + "2016-06:acr_advanced"  # the most constraining, as it was sent
    assert claims["at_hash"] == at_hash(body["access_token"])
    assert claims["exp"] > claims["iat"] >= claims["auth_time"]
    jan = DEFAULT_ITSME_USERS[0]
    assert claims["sub"] != jan.subject  # pairwise

    async with rp.http.get(
        f"{emu.issuer}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    ) as response:
        assert response.status == 200
        assert response.content_type == "application/jwt"
        _, info = await rp.open(await response.text())
    assert info["sub"] == claims["sub"]
    assert info["iss"] == emu.issuer
    assert info["name"] == "Jan Janssens"
    assert info["email_verified"] is False
    assert info["address"]["street_address"] == "Voorbeeldstraat 1\nbus 2"
    assert info[DOC_TAG + "2016-06:claim_nationality"] == "BE"
    assert TAG + "2016-06:claim_nationality" not in info
    assert info[TAG + "2016-06:claim_city_of_birth"] == "Leuven"
    assert info[DOC_TAG + "2016-06:claim_eid"]["national_number"] == "80010100107"
    assert set(info[TAG + "2017-05:claim_device"]) == DEVICE_FIELDS
    assert info[TAG + "2017-05:claim_transaction_info"]["mcc"] == "206"
    assert info[DOC_TAG + "2017-05:claim_passport_sn"] == "EM0000001"
    assert base64.b64decode(info[TAG + "2017-05:claim_photo"])[:2] == b"\xff\xd8"
    assert emu.counters["rp_jwks"] == 1  # fetched once, then cached
    assert emu.counters["userinfo"] == 1
    assert emu.last_request("token").form["client_assertion_type"] == ASSERTION_TYPE


async def test_fewer_claims_and_basic_acr_by_default(rp: RelyingParty) -> None:
    rp.emu.auto_approve = "marie"
    wanted = {"userinfo": {TAG + "2016-06:claim_eid": None, TAG + "2017-05:claim_passport_sn": None}}
    query = await rp.login(claims=wanted, scope="openid service:DEMO_LOGIN", nonce=None)
    # the outside scope must equal the object's
    assert query["error"] == "invalid_request_object"
    response = await rp.authorize(
        await rp.encrypted(rp.signed(rp.object_claims(claims=wanted, scope="openid service:DEMO_LOGIN", nonce=None))),
        scope="openid service:DEMO_LOGIN",
    )
    _, body = await rp.token(callback(response)["code"])
    _, claims = await rp.open(body["id_token"])
    assert claims["acr"] == ACR_BASIC
    assert "nonce" not in claims
    async with rp.http.post(f"{rp.emu.issuer}/userinfo", data={"access_token": body["access_token"]}) as response:
        _, info = await rp.open(await response.text())
    assert set(info) == {"sub", "iss", "aud"}  # no profile scope; marie has no eID nor passport


def plain(claims: Mapping[str, Any]) -> str:
    def part(value: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}."


@pytest.mark.parametrize(
    "case",
    [
        "plain",
        "signed only",
        "encrypted unsigned",
        "hmac with the public key",
        "unknown signing key",
        "wrong aud",
        "wrong iss",
        "expired",
        "other redirect_uri",
        "garbage",
        "RSA-OAEP-256 A256GCM",  # accepted
        "missing",
    ],
)
async def test_request_object_rules(rp: RelyingParty, case: str) -> None:
    claims = rp.object_claims()
    signed = rp.signed(claims)
    if case == "plain":
        request: str | None = plain(claims)
    elif case == "signed only":
        request = signed
    elif case == "encrypted unsigned":
        request = await rp.encrypted(plain(claims))
    elif case == "hmac with the public key":
        secret = OctKey.import_key(json.dumps(rp.sig.as_dict(private=False)).encode())
        token = jws.serialize_compact({"alg": "HS256", "kid": rp.sig.kid}, json.dumps(claims), secret)
        request = await rp.encrypted(token)
    elif case == "unknown signing key":
        request = await rp.encrypted(rp.signed(claims, key=STRANGER))
    elif case == "garbage":
        request = "a.b.c.d.e"
    elif case == "RSA-OAEP-256 A256GCM":
        request = await rp.encrypted(signed, "RSA-OAEP-256", "A256GCM")
    elif case == "missing":
        request = None
    else:
        changes: dict[str, dict[str, Any]] = {
            "wrong aud": {"aud": "https://example.org"},
            "wrong iss": {"iss": "someone-else"},
            "expired": {"exp": int(rp.clock.now) - 60},
            "other redirect_uri": {"redirect_uri": CALLBACK + "/other"},
        }
        request = await rp.encrypted(rp.signed(rp.object_claims(**changes[case])))
    query = callback(await rp.authorize(request, state="outside"))
    if case == "RSA-OAEP-256 A256GCM":
        assert "code" in query
        return
    expected = "invalid_request" if case == "missing" else "invalid_request_object"
    assert query["error"] == expected, query
    assert query["error_description"]
    assert "code" not in query
    assert query["state"] == "outside"


async def test_unknown_client_or_redirect_uri_is_a_page_not_a_redirect(rp: RelyingParty) -> None:
    request = await rp.encrypted(rp.signed(rp.object_claims()))
    for params in ({"redirect_uri": "http://127.0.0.1:9/evil"}, {"client_id": "intruder"}):
        response = await rp.authorize(request, **params)
        assert response.status == 400
        assert "Location" not in response.headers
        assert response.content_type == "text/html"


@pytest.mark.parametrize(
    ("scope", "extra", "error"),
    [
        ("profile service:DEMO_LOGIN", {}, "not_implemented"),
        ("openid", {}, "invalid_scope"),
        ("openid service:OTHER", {}, "invalid_scope"),
        ("openid service:DEMO_LOGIN offline_access", {}, "invalid_scope"),
        (SCOPE, {"display": "popup"}, "not_implemented"),
        (SCOPE, {"prompt": "login"}, "invalid_request"),
        (SCOPE, {"acr_values": DOC_TAG + "2016-06:acr_securedadvanced"}, "access_denied"),
        (SCOPE, {"request_uri": "http://127.0.0.1:9/r"}, "request_uri_not_supported"),
    ],
)
async def test_itsme_request_rules(rp: RelyingParty, scope: str, extra: dict[str, str], error: str) -> None:
    obj = rp.object_claims(scope=scope, **{k: v for k, v in extra.items() if k != "request_uri"})
    request = await rp.encrypted(rp.signed(obj))
    query = callback(await rp.authorize(request, scope=scope, state="state-1", **extra))
    assert query["error"] == error
    assert query["state"] == "state-1"


async def test_client_assertion_jti_is_single_use(rp: RelyingParty) -> None:
    first, second = (await rp.login())["code"], (await rp.login())["code"]
    assertion = rp.assertion()
    status, _ = await rp.token(first, assertion)
    assert status == 200
    status, body = await rp.token(second, assertion)
    assert (status, body["error"]) == (401, "invalid_client")
    assert rp.emu.counters["token.assertion_replay"] == 1
    status, _ = await rp.token(second)  # a fresh assertion; the code was not consumed by the refusal
    assert status == 200


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "http://127.0.0.1:1/oidc/token"},
        {"iss": "someone-else"},
        {"sub": "someone-else"},
        {"jti": None},
        {"exp": None},
        "expired",
        "too long",
        "iat in the future",
        "wrong type",
        "hmac",
    ],
)
async def test_client_assertion_rules(rp: RelyingParty, change: dict[str, Any] | str) -> None:
    code = (await rp.login())["code"]
    now = int(rp.clock.now)
    extra: dict[str, str] = {}
    if isinstance(change, dict):
        assertion = rp.assertion(**change)
    elif change == "hmac":
        secret = OctKey.import_key(json.dumps(rp.sig.as_dict(private=False)).encode())
        claims = {"iss": CLIENT, "sub": CLIENT, "aud": rp.emu.token_endpoint, "jti": "x", "exp": now + 60}
        assertion = jwt.encode({"alg": "HS256"}, claims, secret, algorithms=["HS256"])
    elif change == "wrong type":
        assertion, extra = rp.assertion(), {"client_assertion_type": "urn:ietf:params:oauth:jwt-bearer"}
    else:
        times = {"expired": {"exp": now - 30}, "too long": {"exp": now + 3600}, "iat in the future": {"iat": now + 60}}
        assertion = rp.assertion(**times[change])
    status, body = await rp.token(code, assertion, **extra)
    assert (status, body["error"]) == (401, "invalid_client")
    assert rp.emu.counters["token.error"] == 1
    assert (await rp.token(code))[0] == 200  # refused before the code was looked at


async def test_assertion_with_the_issuer_as_audience(rp: RelyingParty) -> None:
    status, _ = await rp.token((await rp.login())["code"], rp.assertion(aud=[rp.emu.issuer]))
    assert status == 200


async def test_code_and_userinfo_windows(rp: RelyingParty) -> None:
    code = (await rp.login())["code"]
    rp.clock.now += 181
    status, body = await rp.token(code)
    assert (status, body["error"]) == (400, "invalid_grant")  # codes live 3 minutes
    status, body = await rp.token((await rp.login())["code"])
    assert status == 200
    rp.clock.now += 179
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with rp.http.get(f"{rp.emu.issuer}/userinfo", headers=headers) as response:
        assert response.status == 200
    rp.clock.now += 2
    async with rp.http.get(f"{rp.emu.issuer}/userinfo", headers=headers) as response:
        assert response.status == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        assert (await response.json())["error"] == "invalid_token"


async def test_signing_key_rotation(rp: RelyingParty) -> None:
    old = rp.emu.signing_key.kid
    new = rp.emu.rotate_signing_key().kid
    assert new != old
    kids = {key.kid for key in await rp.provider_keys()}
    assert new in kids
    assert old not in kids
    _, body = await rp.token((await rp.login())["code"])
    header, _ = await rp.open(body["id_token"])
    assert header["kid"] == new


async def test_rp_key_rotation_is_fetched_once(rp: RelyingParty) -> None:
    await rp.login()
    assert rp.emu.counters["rp_jwks"] == 1
    rp.sig = rsa("sig")  # the RP publishes a new signing key and uses it
    assert "code" in await rp.login()
    assert rp.emu.counters["rp_jwks"] == 2
    assert "code" in await rp.login()
    assert rp.emu.counters["rp_jwks"] == 2


@pytest.mark.parametrize(
    "outcome", ["access_denied", "interaction_required", "invalid_request_object", "not_implemented"]
)
async def test_next_outcome_happens_once(rp: RelyingParty, outcome: str) -> None:
    rp.emu.next_outcome = outcome
    query = await rp.login()
    assert (query["error"], query["state"]) == (outcome, "state-1")
    assert "code" in await rp.login()


async def test_interactive_page_login_and_cancel(rp: RelyingParty) -> None:
    rp.emu.auto_approve = None
    decisions = {"login": "code", "cancel": "error"}
    for action, expected in decisions.items():
        response = await rp.authorize(await rp.encrypted(rp.signed(rp.object_claims(ui_locales="nl"))))
        assert response.status == 200
        html = await response.text()
        for element in ('id="user-jan"', 'id="user-marie"', 'id="login"', 'id="cancel"', "EMULATOR", 'lang="nl"'):
            assert element in html
        pending = html.split('name="request" value="')[1].split('"')[0]
        form = {"request": pending, "user": "marie", "action": action}
        decision = f"{rp.emu.issuer}/authorize/decision"
        async with rp.http.post(decision, data=form, allow_redirects=False) as answer:
            query = callback(answer)
        assert expected in query
    assert query["error"] == "access_denied"


async def test_faults_and_itsme_fixture(rp: RelyingParty, itsme_emulator: ItsmeEmulator) -> None:
    rp.emu.faults["token"] = Fault(status=503, body=b'{"error": "temporarily_unavailable"}')
    status, body = await rp.token((await rp.login())["code"])
    assert (status, body["error"]) == (503, "temporarily_unavailable")
    assert itsme_emulator.auto_approve == "jan"
    assert itsme_emulator.issuer.startswith("http://127.0.0.1:")
