"""A standard OpenID provider through OidcConfig: discovery, PKCE, client auth, refresh, logout."""

from __future__ import annotations

import json
from typing import Any

import pytest
from yarl import URL

from aiohttp_eid.testing import Fault
from tests.support.harness import HTML, JSON
from tests.support.providers import ProviderFactory


async def test_login_with_pkce_and_client_secret_basic(oidc_factory: ProviderFactory) -> None:
    harness = await oidc_factory()
    authorize = URL(await harness.start_login(provider="op"))
    q = authorize.query
    assert q["code_challenge_method"] == "S256"
    assert q["scope"].split() == ["openid", "profile", "email"]
    assert len(q["nonce"]) >= 43
    resp = await harness.callback(await harness.at_provider(str(authorize)))
    assert resp.status == 302, await resp.text()
    token = harness.emulator.last_request("token")
    assert token.headers["Authorization"].startswith("Basic ")
    assert "code_verifier" in token.form
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200
    assert body["identity"]["provider"] == "op"
    assert body["identity"]["given_name"] == "Jan"


@pytest.mark.parametrize("method", ["client_secret_post", "private_key_jwt"])
async def test_other_client_authentication_methods(oidc_factory: ProviderFactory, method: str) -> None:
    harness = await oidc_factory(emulator={"client_auth": method}, provider={"client_auth": method})
    assert (await harness.login(provider="op")).status == 302
    form = harness.emulator.last_request("token").form
    assert ("client_secret" in form) == (method == "client_secret_post")
    assert ("client_assertion" in form) == (method == "private_key_jwt")


async def test_encrypted_id_token_and_signed_request_object(oidc_factory: ProviderFactory) -> None:
    harness = await oidc_factory(
        emulator={"encrypt_id_token": True, "require_request_object": True},
        provider={"request_object": "signed_and_encrypted"},
    )
    authorize = URL(await harness.start_login(provider="op"))
    assert authorize.query["request"].count(".") == 4
    assert (await harness.callback(await harness.at_provider(str(authorize)))).status == 302


async def test_refresh_at_expiry_and_invalid_grant_ends_the_login(oidc_factory: ProviderFactory) -> None:
    harness = await oidc_factory(emulator={"rotate_refresh_tokens": True})
    await harness.login(provider="op")
    harness.clock.advance(275)
    status, _ = await harness.get_json("/token", headers=JSON)
    assert status == 200
    assert harness.emulator.counters["token.refresh_token"] == 1
    harness.clock.advance(275)
    harness.emulator.faults["token"] = Fault(status=400, body=json.dumps({"error": "invalid_grant"}).encode())
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


async def test_logout_goes_to_the_end_session_endpoint_with_id_token_hint(oidc_factory: ProviderFactory) -> None:
    harness = await oidc_factory()
    await harness.login(provider="op")
    resp = await harness.client.post("/auth/logout", headers={**HTML, "Origin": harness.origin}, allow_redirects=False)
    assert resp.status == 302
    target = URL(resp.headers["Location"])
    assert str(target.with_query(None)).startswith(harness.emulator.issuer)
    assert target.query["post_logout_redirect_uri"] == f"{harness.origin}/"
    claims: dict[str, Any] = harness.emulator.verify_id_token_hint(target.query["id_token_hint"])
    assert claims["aud"] == harness.emulator.client_id
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


async def test_callback_from_another_issuer_is_refused(oidc_factory: ProviderFactory) -> None:
    harness = await oidc_factory()
    callback = await harness.at_provider(await harness.start_login(provider="op"))
    resp = await harness.callback(callback.update_query(iss="https://evil.example"))
    assert resp.status == 502
    assert harness.emulator.counters["token.authorization_code"] == 0


async def test_discovery_with_the_wrong_issuer_is_refused(oidc_factory: ProviderFactory) -> None:
    harness = await oidc_factory(provider={"issuer": "https://another.example"})
    resp = await harness.client.get("/auth/op/login", headers=HTML, allow_redirects=False)
    assert resp.status == 502


async def test_logout_revokes_the_refresh_and_the_access_token(oidc_factory: ProviderFactory) -> None:
    harness = await oidc_factory()
    await harness.login(provider="op")
    _status, body = await harness.get_json("/token", headers=JSON)
    access = body["access_token"]
    resp = await harness.client.post("/auth/logout", headers={**HTML, "Origin": harness.origin}, allow_redirects=False)
    assert resp.status == 302
    assert harness.emulator.counters["revoke.refresh"] == 1
    assert harness.emulator.counters["revoke.access"] == 1
    first, second = (r.form for r in harness.emulator.requests["revoke"])
    assert first["token_type_hint"] == "refresh_token"  # the grant first, then the access token
    assert second["token_type_hint"] == "access_token"
    assert harness.emulator.store.find(access, "access").state == "revoked"


async def test_a_refused_revocation_is_logged_without_the_token_and_logout_goes_on(
    oidc_factory: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await oidc_factory()
    await harness.login(provider="op")
    harness.emulator.faults["revoke"] = Fault(status=503, body=b"{}", times=-1)
    resp = await harness.client.post("/auth/logout", headers={**HTML, "Origin": harness.origin}, allow_redirects=False)
    assert resp.status == 302
    assert "refused the refresh_token revocation (503)" in caplog.text
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


async def test_invalid_request_object_without_an_encrypted_request_object_does_not_restart(
    oidc_factory: ProviderFactory,
) -> None:
    harness = await oidc_factory()
    state = URL(await harness.start_login(provider="op")).query["state"]
    callback = URL(f"{harness.origin}/auth/op/callback").with_query(error="invalid_request_object", state=state)
    resp = await harness.callback(callback)
    assert resp.status == 502  # nothing of ours went stale: reading keys again could not help
