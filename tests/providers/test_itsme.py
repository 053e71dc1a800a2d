"""itsme end to end over real HTTP: what is sent, what is kept, and what is refused."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from multidict import CIMultiDict
from yarl import URL

from aiohttp_eid import Identity, LoginDetails
from aiohttp_eid.oidc.client_auth import ASSERTION_TYPE
from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.testing import Fault
from tests.support.app import build_app
from tests.support.harness import HTML, JSON, Harness
from tests.support.providers import ProviderFactory, request_object_claims

SIXDOTS = "tag:sixdots.be,"


def unverified(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def test_the_authorization_request_is_a_signed_then_encrypted_request_object(itsme: Harness) -> None:
    authorize = URL(await itsme.start_login(provider="itsme"))
    query = authorize.query
    # state in the query too (OpenID Core 6.1): an error answered before the object is read names its login
    assert set(query) == {"client_id", "response_type", "scope", "redirect_uri", "state", "request"}
    assert query["request"].count(".") == 4  # a JWE
    assert query["scope"].split() == ["openid", "profile", "email", "address", "phone", "service:DEMO_LOGIN"]
    claims = request_object_claims(itsme.emulator, str(authorize))
    assert claims["iss"] == claims["client_id"] == itsme.emulator.client_id
    assert claims["aud"] == itsme.emulator.issuer
    for name in ("response_type", "redirect_uri", "scope"):
        assert claims[name] == query[name]
    assert len(claims["state"]) >= 43
    assert claims["state"] == query["state"]
    assert len(claims["nonce"]) >= 43
    assert claims["acr_values"] == SIXDOTS + "2016-06:acr_basic"
    assert claims["claims"]["id_token"]["acr"] == {"essential": True, "values": [SIXDOTS + "2016-06:acr_basic"]}
    assert SIXDOTS + "2016-06:claim_nationality" in claims["claims"]["userinfo"]
    assert SIXDOTS + "2017-05:claim_device" in claims["claims"]["userinfo"]


async def test_request_object_audience_from_the_onboarding_file(itsme_factory: ProviderFactory) -> None:
    harness = await itsme_factory(provider={"request_object_audience": "https://server.itsme.be"})
    claims = request_object_claims(harness.emulator, await harness.start_login(provider="itsme"))
    assert claims["aud"] == "https://server.itsme.be"
    assert (await harness.login(provider="itsme")).status == 302


async def test_login_hint_travels_only_inside_the_encrypted_object(itsme: Harness) -> None:
    resp = await itsme.client.get("/hinted/itsme", allow_redirects=False)
    assert resp.status == 302
    authorize = resp.headers["Location"]
    assert "123456789" not in authorize
    claims = request_object_claims(itsme.emulator, authorize)
    assert claims["claims"]["userinfo"]["phone_number"]["value"] == "32+123456789"
    # and the login it started completes
    assert (await itsme.callback(await itsme.at_provider(authorize))).status == 302


async def test_login_hint_is_never_taken_from_a_login_link(itsme: Harness) -> None:
    # a link with someone else's phone number must not log the victim in as them (login CSRF)
    authorize = await itsme.start_login(provider="itsme", login_hint="32+123456789")
    claims = request_object_claims(itsme.emulator, authorize)
    assert "phone_number" not in claims.get("claims", {}).get("userinfo", {})
    assert "login_hint" not in claims


async def test_whole_flow_maps_every_claim(itsme_factory: ProviderFactory) -> None:
    seen: list[LoginDetails] = []

    async def on_login(request: web.Request, identity: Identity, details: LoginDetails) -> None:
        seen.append(details)

    harness = await itsme_factory(on_login=on_login)
    resp = await harness.login(provider="itsme")
    assert resp.status == 302, await resp.text()
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200
    who = body["identity"]
    assert who["provider"] == "itsme"
    assert who["assurance"] == "SUBSTANTIAL"
    assert who["acr"] == SIXDOTS + "2016-06:acr_basic"
    assert who["subject"] == who["id_token_subject"]
    assert who["given_name"]
    assert who["family_name"]
    assert who["birth_date"]
    assert who["nationality"] == "BE"
    assert who["national_number"]
    assert "\n" in who["address"]["street_address"]
    assert who["place_of_birth"]["locality"]
    assert who["place_of_birth"]["country"]
    assert who["id_document"]["kind"] == "eid"
    assert who["id_document"]["number"]
    assert who["id_document"]["read_on"]
    assert who["passport_number"]
    assert set(who["device"]) >= {"os", "app_name", "model", "imei", "msisdn", "rooted", "has_sim"}
    assert who["transaction_info"]
    assert who["email"]
    assert who["phone"]
    [details] = seen
    assert details.photo is not None
    assert details.photo.startswith(b"\xff\xd8")  # a JPEG, for the hook only

    runtime = harness.app[RUNTIME]
    cookies = "; ".join(f"{c.key}={c.value}" for c in harness.client.session.cookie_jar)
    request = make_mocked_request("GET", "/", headers=CIMultiDict({"Cookie": cookies}))
    stored = (await runtime.storage.load_session(request))["aiohttp_eid"]
    assert "photo" not in json.dumps(stored)
    # itsme has no refresh token: the access token alone is kept, for access_token() while it is valid
    assert set(stored["login"]["tok"]) <= {"a", "o", "e", "b"}


async def test_token_request_uses_private_key_jwt(itsme: Harness) -> None:
    await itsme.login(provider="itsme")
    first = itsme.emulator.last_request("token").form
    assert first["client_assertion_type"] == ASSERTION_TYPE
    assert "client_secret" not in first
    claims = unverified(first["client_assertion"])
    assert claims["iss"] == claims["sub"] == itsme.emulator.client_id
    assert claims["aud"] == itsme.emulator.token_endpoint
    assert 0 < claims["exp"] - claims["iat"] <= 60
    await itsme.login(provider="itsme")
    second = unverified(itsme.emulator.last_request("token").form["client_assertion"])
    assert second["jti"] != claims["jti"]


async def test_jwks_route_serves_public_keys_with_cache_headers(itsme: Harness) -> None:
    resp = await itsme.client.get("/auth/jwks.json")
    assert resp.status == 200
    assert "max-age" in resp.headers["Cache-Control"]
    keys = (await resp.json())["keys"]
    assert {k["use"] for k in keys} == {"sig", "enc"}
    assert all("d" not in k and "p" not in k and "q" not in k for k in keys)


async def test_advanced_acr_gives_high_and_step_up_works(itsme: Harness) -> None:
    await itsme.login(provider="itsme")
    resp = await itsme.client.get("/high", headers=HTML, allow_redirects=False)
    assert resp.status == 302
    authorize = resp.headers["Location"]  # straight to itsme, asking the higher level
    assert request_object_claims(itsme.emulator, authorize)["acr_values"] == SIXDOTS + "2016-06:acr_advanced"
    resp = await itsme.callback(await itsme.at_provider(authorize))
    assert resp.headers["Location"] == "/high"
    _status, body = await itsme.get_json("/me", headers=JSON)
    assert body["identity"]["assurance"] == "HIGH"


async def test_provider_keys_rotated_between_two_logins(itsme: Harness) -> None:
    assert (await itsme.login(provider="itsme")).status == 302
    fetched = itsme.emulator.counters["jwks"]
    itsme.emulator.rotate_signing_key()
    assert (await itsme.login(provider="itsme")).status == 302
    assert itsme.emulator.counters["jwks"] == fetched + 1  # one refetch for the new kid
    assert (await itsme.login(provider="itsme")).status == 302
    assert itsme.emulator.counters["jwks"] == fetched + 1  # never a fetch per login


async def test_user_cancel_shows_a_page_in_the_users_language(itsme: Harness) -> None:
    itsme.emulator.next_outcome = "access_denied"
    callback = await itsme.at_provider(await itsme.start_login(provider="itsme"))
    resp = await itsme.client.get(callback.path_qs, headers={**HTML, "Accept-Language": "nl-BE"}, allow_redirects=False)
    assert resp.status == 401
    page = await resp.text()
    assert "Aanmelding geannuleerd" in page
    assert 'id="try-again"' in page


async def test_interaction_required_is_a_clear_page(itsme: Harness) -> None:
    itsme.emulator.next_outcome = "interaction_required"
    callback = await itsme.at_provider(await itsme.start_login(provider="itsme"))
    resp = await itsme.client.get(callback.path_qs, headers={**HTML, "Accept-Language": "de"}, allow_redirects=False)
    assert resp.status == 401
    assert "Anmeldung fehlgeschlagen" in await resp.text()


async def test_discovery_unreachable_at_startup_then_back(itsme_factory: ProviderFactory) -> None:
    harness = await itsme_factory()
    port = URL(harness.emulator.issuer).port
    await harness.emulator.close()
    # a fresh application starting while the provider is down
    app = build_app(harness.app[RUNTIME].config)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1", port=URL(harness.origin).port))
    await harness.client.close()
    await client.start_server()
    harness.client = client
    harness.app = app
    resp = await client.get("/auth/itsme/login", headers=HTML, allow_redirects=False)
    assert resp.status == 503
    assert "provider_unavailable" in await resp.text()
    await harness.emulator.start(port=port)
    assert (await harness.login(provider="itsme")).status == 302


async def test_discovery_unreachable_later_uses_the_last_good_copy(itsme: Harness) -> None:
    assert (await itsme.login(provider="itsme")).status == 302
    itsme.emulator.faults["discovery"] = Fault(status=500, times=-1)
    itsme.clock.advance(2 * 3600)  # past the discovery TTL
    resp = await itsme.client.get("/auth/itsme/login", headers=HTML, allow_redirects=False)
    assert resp.status == 302  # logins still start


async def test_a_refused_request_object_restarts_the_login_once_with_the_keys_read_again(itsme: Harness) -> None:
    authorize = URL(await itsme.start_login("/high", provider="itsme"))
    state = authorize.query["state"]
    fetched = itsme.emulator.counters["jwks"]
    refused = URL(f"{itsme.origin}/auth/itsme/callback").with_query(error="invalid_request_object", state=state)
    resp = await itsme.callback(refused)
    assert resp.status == 302, await resp.text()
    again = URL(resp.headers["Location"])
    assert str(again.with_query(None)) == str(authorize.with_query(None))
    assert again.query["state"] != state
    assert request_object_claims(itsme.emulator, str(again))["state"] == again.query["state"]
    assert itsme.emulator.counters["jwks"] == fetched + 1
    # the restarted login is marked: refused again, it ends on a page, never in a loop
    resp = await itsme.callback(refused.update_query(state=again.query["state"]))
    assert resp.status == 502
    assert itsme.emulator.counters["jwks"] == fetched + 1
    # nothing of the first login can be replayed
    assert (await itsme.callback(refused)).status == 400


async def test_a_provider_error_without_a_known_state_stays_a_400(itsme: Harness) -> None:
    await itsme.start_login(provider="itsme")
    for query in ({"error": "invalid_request_object"}, {"error": "invalid_request_object", "state": "unknown"}):
        resp = await itsme.callback(URL(f"{itsme.origin}/auth/itsme/callback").with_query(query))
        assert resp.status == 400


async def test_access_token_is_given_while_valid_then_login_expired(itsme: Harness) -> None:
    await itsme.login(provider="itsme")
    status, body = await itsme.get_json("/token")
    assert status == 200, body
    token = body["access_token"]
    assert itsme.emulator.store.find(token, "access") is not None
    itsme.clock.advance(600)  # past the access token's expiry (300 s); the login itself lives on
    status, body = await itsme.get_json("/token")
    assert status == 401
    assert body["error"] == "login_expired"
