"""(1)-(5) A whole EIDG login over real HTTP, and what it stores."""

from __future__ import annotations

from yarl import URL

from aiohttp_eid.oidc.pkce import code_challenge
from tests.support.harness import CIE, HTML, JSON, SPID, Harness, HarnessFactory


async def test_login_flow_sets_identity_and_returns_to_next(harness: Harness) -> None:
    authorize = URL(await harness.start_login("/me?tab=1"))
    q = authorize.query
    assert authorize.path.endswith("/oauth2/authorize")
    assert q["client_id"] == harness.emulator.client_id
    assert q["response_type"] == "code"
    assert q["scope"] == "openid"
    assert q["redirect_uri"] == f"{harness.origin}/auth/eidg/callback"
    assert q["acr_values"] == f"{SPID} {CIE}"
    assert q["code_challenge_method"] == "S256"
    assert len(q["state"]) >= 43
    assert "nonce" not in q  # the document names none: sent only when configured
    assert q["ui_locales"] in ("it", "en")

    callback = await harness.at_provider(str(authorize))
    resp = await harness.callback(callback)
    assert resp.status == 302
    assert resp.headers["Location"] == "/me?tab=1"

    token_request = harness.emulator.last_request("token")
    assert token_request.form["grant_type"] == "authorization_code"
    assert token_request.form["redirect_uri"] == q["redirect_uri"]
    assert code_challenge(token_request.form["code_verifier"]) == q["code_challenge"]
    assert token_request.headers["Authorization"].startswith("Basic ")

    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200
    identity = body["identity"]
    assert identity["provider"] == "eidg"
    assert identity["subject"] == "LVLDAA85T50G702B"
    assert identity["tax_id"] == "LVLDAA85T50G702B"
    assert identity["tax_id_country"] == "IT"
    assert identity["given_name"] == "Ada"
    assert identity["assurance"] == "SUBSTANTIAL"
    assert identity["acr"] == "https://www.spid.gov.it/SpidL2"


async def test_unauthenticated_browser_is_redirected_and_api_client_gets_401(harness: Harness) -> None:
    resp = await harness.client.get("/me?x=1", headers=HTML, allow_redirects=False)
    assert resp.status == 302
    authorize = URL(resp.headers["Location"])  # straight to the provider (tests/flow/test_guard_login.py)
    assert authorize.path.endswith("/oauth2/authorize")
    assert (await harness.callback(await harness.at_provider(str(authorize)))).headers["Location"] == "/me?x=1"
    harness.client.session.cookie_jar.clear()
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 401
    assert body["error"] == "not_authenticated"
    status, _ = await harness.get_json("/view", headers=JSON)
    assert status == 401


async def test_snake_case_token_response_without_id_token(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(emulator={"naming": "snake", "include_id_token": False})
    resp = await harness.login()
    assert resp.status == 302
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200
    assert body["identity"]["given_name"] == "Ada"
