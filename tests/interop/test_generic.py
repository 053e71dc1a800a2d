"""OidcConfig against oidc-provider as a standard provider: client_secret_basic and client_secret_post,
PKCE (the provider requires it), refresh tokens rotated at every use, revocation, RP-initiated logout."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from yarl import URL

from tests.support.harness import HTML, JSON
from tests.support.interop import CLIENT_SECRET, Interop

METHODS = ["basic", "post"]


async def identity(harness: Interop) -> dict[str, Any]:
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200, body
    return dict(body["identity"])


async def access_token(harness: Interop) -> str:
    status, body = await harness.get_json("/token", headers=JSON)
    assert status == 200, body
    return str(body["access_token"])


@pytest.mark.parametrize("method", METHODS)
async def test_login_with_pkce_and_each_client_secret_method(generic: Interop, method: str) -> None:
    authorize = URL(await generic.start_login(provider=method))
    assert authorize.query["code_challenge_method"] == "S256"
    assert authorize.query["client_id"] == f"interop-{method}"
    resp = await generic.callback(await generic.through_provider(authorize))
    assert (resp.status, resp.headers.get("Location")) == (302, "/me"), await resp.text()
    who = await identity(generic)
    assert (who["provider"], who["subject"]) == (method, "jan")
    assert (who["given_name"], who["email"]) == ("Jan", "jan.janssens@example.org")
    assert [e for e in await generic.events() if e["event"].startswith("grant.")] == [
        {"event": "grant.success", "grant_type": "authorization_code"}
    ]


async def test_a_wrong_client_secret_is_refused_by_the_provider(interop_factory: Any) -> None:
    harness = await interop_factory("generic", provider={"client_secret": "not-" + CLIENT_SECRET})
    resp = await harness.login_through("basic")
    assert resp.status == 502
    assert [e["error"] for e in await harness.events() if e["event"] == "grant.error"] == ["invalid_client"]
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


@pytest.mark.parametrize("method", METHODS)
async def test_refresh_tokens_rotate_at_every_use(generic: Interop, method: str) -> None:
    assert (await generic.login_through(method)).status == 302
    first = await access_token(generic)
    await generic.advance(300)  # the access token's lifetime
    second = await access_token(generic)
    await generic.advance(300)
    third = await access_token(generic)
    assert len({first, second, third}) == 3
    events = await generic.events()
    grants = [e.get("grant_type") for e in events if e["event"] == "grant.success"]
    assert grants == ["authorization_code", "refresh_token", "refresh_token"]
    # each refresh used the token the previous one returned: a reused one would have ended the grant
    assert [e["event"] for e in events if e["event"] == "refresh_token.consumed"] == ["refresh_token.consumed"] * 2
    assert not [e for e in events if e["event"] in ("grant.error", "grant.revoked")]
    assert (await identity(generic))["subject"] == "jan"


async def test_logout_revokes_and_ends_the_session_at_the_provider(generic: Interop) -> None:
    assert (await generic.login_through("basic")).status == 302
    resp = await generic.client.post("/auth/logout", headers={**HTML, "Origin": generic.origin}, allow_redirects=False)
    assert resp.status == 302
    end_session = URL(resp.headers["Location"])
    assert generic.provider.owns(end_session)
    assert end_session.query["post_logout_redirect_uri"] == f"{generic.origin}/"
    hint = end_session.query["id_token_hint"]
    payload = hint.split(".")[1]
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).startswith(b"{")
    back = await generic.through_provider(end_session)
    assert str(back) == f"{generic.origin}/"
    events = await generic.events()
    names = [e["event"] for e in events]
    # the refresh token revoked (which ends its grant; the answer is recorded once sent) before the browser left
    assert names[names.index("grant.success") + 1 :][:2] == ["grant.revoked", "revocation"]
    assert {"event": "revocation", "status": 200} in events
    assert names[-1] == "end_session.success"
    status, _ = await generic.get_json("/me", headers=JSON)
    assert status == 401


async def test_a_callback_stripped_of_the_issuer_the_provider_announces_is_refused(generic: Interop) -> None:
    async with generic.browser.get(generic.provider.discovery_url) as resp:
        assert (await resp.json())["authorization_response_iss_parameter_supported"] is True
    callback = await generic.through_provider(await generic.start_login(provider="basic"))
    assert callback.query["iss"] == generic.provider.issuer
    query = {k: v for k, v in callback.query.items() if k != "iss"}
    resp = await generic.callback(callback.with_query(query))
    assert resp.status == 502  # RFC 9207 2.4: a mix-up attack would strip it
    assert not [e for e in await generic.events() if e["event"] == "grant.success"]  # the code was never used


async def test_user_data_fetched_again_with_the_access_token(generic: Interop) -> None:
    assert (await generic.login_through("post")).status == 302
    status, body = await generic.get_json("/refresh-identity", headers=JSON)
    assert status == 200, body
    assert (body["identity"]["subject"], body["identity"]["given_name"]) == ("jan", "Jan")


async def test_logout_with_an_encrypted_id_token_sends_the_signed_one_as_hint(generic: Interop) -> None:
    authorize = await generic.start_login(provider="enc")
    resp = await generic.callback(await generic.through_provider(authorize))
    assert resp.status == 302, await resp.text()
    resp = await generic.client.post("/auth/logout", headers={**HTML, "Origin": generic.origin}, allow_redirects=False)
    end_session = URL(resp.headers["Location"])
    assert end_session.query["id_token_hint"].count(".") == 2  # the signed ID token, not the JWE
    assert str(await generic.through_provider(end_session)) == f"{generic.origin}/"
    names = [e["event"] for e in await generic.events()]
    assert names[-1] == "end_session.success"
    assert "end_session.error" not in names
