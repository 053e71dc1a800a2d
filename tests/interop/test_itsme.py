"""itsme's profile (ItsmeConfig) against oidc-provider configured as itsme's document describes it.

Request object required, signed RS256 then encrypted RSA-OAEP / A128CBC-HS256 to the provider's key;
``private_key_jwt``; ID token and userinfo signed and encrypted to the application's keys, which the
provider reads from ``{prefix}/jwks.json``; pairwise subjects; itsme's acr values; the claims parameter.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from yarl import URL

from aiohttp_eid.providers.itsme_claims import ACR
from tests.support.harness import HTML, JSON
from tests.support.interop import Interop, InteropFactory


def jose_header(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


async def provider_keys(harness: Interop) -> list[dict[str, Any]]:
    async with harness.browser.get(f"{harness.provider.issuer}/jwks") as resp:
        return list((await resp.json())["keys"])


async def identity(harness: Interop) -> dict[str, Any]:
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200, body
    return dict(body["identity"])


async def test_login_with_every_claim_signed_and_encrypted(itsme: Interop) -> None:
    authorize = URL(await itsme.start_login(provider="itsme"))
    request = authorize.query["request"]
    header = jose_header(request)
    assert request.count(".") == 4
    assert (header["alg"], header["enc"]) == ("RSA-OAEP", "A128CBC-HS256")
    assert header["kid"] in {k["kid"] for k in await provider_keys(itsme) if k["use"] == "enc"}
    resp = await itsme.callback(await itsme.through_provider(authorize))
    assert resp.status == 302, await resp.text()
    assert resp.headers["Location"] == "/me"
    who = await identity(itsme)
    assert (who["provider"], who["assurance"], who["acr"]) == ("itsme", "SUBSTANTIAL", ACR["basic"])
    assert (who["given_name"], who["family_name"], who["birth_date"]) == ("Jan", "Janssens", "1980-01-01")
    assert who["national_number"] == "80010100107"
    assert who["nationality"] == "BE"
    assert who["place_of_birth"] == {"locality": "Leuven", "country": "BE"}
    assert who["id_document"]["number"] == "590000000001"
    assert who["device"]["os"] == "ANDROID"
    assert who["address"]["postal_code"] == "1000"
    grants = [e for e in await itsme.events() if e["event"] == "grant.success"]
    assert grants == [{"event": "grant.success", "grant_type": "authorization_code"}]


async def test_state_travels_in_the_query_and_inside_the_request_object(itsme: Interop) -> None:
    authorize = URL(await itsme.start_login(provider="itsme"))
    assert set(authorize.query) == {"client_id", "response_type", "scope", "redirect_uri", "state", "request"}
    callback = await itsme.through_provider(authorize)
    # the provider answers with the state it read inside the object: the two are the same
    assert callback.query["state"] == authorize.query["state"]
    assert (await itsme.callback(callback)).status == 302


async def test_subjects_are_pairwise(itsme: Interop) -> None:
    assert (await itsme.login_through("itsme")).status == 302
    first = (await identity(itsme))["subject"]
    assert (await itsme.login_through("itsme")).status == 302
    assert (await identity(itsme))["subject"] == first
    itsme.browser.cookie_jar.clear()  # another person, on another phone
    assert (await itsme.login_through("itsme", account="marie")).status == 302
    other = await identity(itsme)
    assert other["given_name"] == "Marie"
    assert other["subject"] != first
    # neither the provider's account id nor its public subject: a hash for this client's sector
    assert len(first) == 64
    assert first not in {"jan", "marie"}


async def test_advanced_level_when_the_application_asks_for_high(itsme: Interop) -> None:
    resp = await itsme.login_through("itsme", "/high", assurance="HIGH")
    assert resp.status == 302, await resp.text()
    who = await identity(itsme)
    assert (who["assurance"], who["acr"]) == ("HIGH", ACR["advanced"])
    status, _ = await itsme.get_json("/high", headers=JSON)
    assert status == 200


async def test_only_the_claims_asked_for_are_released(interop_factory: InteropFactory) -> None:
    harness = await interop_factory("itsme", provider={"claims": ["nationality"], "scopes": ["profile"]})
    assert (await harness.login_through("itsme")).status == 302
    who = await identity(harness)
    assert who["nationality"] == "BE"
    assert who["given_name"] == "Jan"
    for absent in ("national_number", "device", "id_document", "passport_number", "email", "address"):
        assert who.get(absent) is None, absent


async def test_a_user_who_cancels_gets_a_clear_page(itsme: Interop) -> None:
    callback = await itsme.through_provider(await itsme.start_login(provider="itsme"), cancel=True)
    assert callback.query["error"] == "access_denied"
    resp = await itsme.callback(callback)
    assert resp.status == 401
    assert "You cancelled the login." in await resp.text()
    status, _ = await itsme.get_json("/me", headers=JSON)
    assert status == 401


async def test_the_provider_reads_the_application_keys_once_and_caches_them(
    interop_factory: InteropFactory, caplog: pytest.LogCaptureFixture
) -> None:
    itsme = await interop_factory("itsme", own_provider=True)
    for _ in range(3):
        resp = await itsme.login_through("itsme")
        assert (resp.status, resp.headers["Location"]) == (302, "/me")
    fetched = [r for r in caplog.records if r.name == "aiohttp.access" and "/auth/jwks.json" in r.getMessage()]
    assert len(fetched) == 1


async def test_login_restarts_by_itself_when_the_provider_rotated_its_encryption_key(itsme: Interop) -> None:
    assert (await itsme.login_through("itsme")).status == 302
    await itsme.provider.rotate_keys(itsme.browser)  # the application still holds the old keys
    authorize = await itsme.start_login(provider="itsme", next_path="/high")
    refused = await itsme.through_provider(authorize)
    assert refused.query["error"] == "invalid_request_object"
    restart = await itsme.callback(refused)
    assert restart.status == 302, await restart.text()
    again = URL(restart.headers["Location"])
    assert itsme.provider.owns(again)
    assert again.query["state"] != refused.query["state"]
    resp = await itsme.callback(await itsme.through_provider(again))
    assert resp.status == 302, await resp.text()
    assert resp.headers["Location"] == "/high"
    assert (await identity(itsme))["given_name"] == "Jan"


async def test_a_login_restarts_once_never_in_a_loop(itsme: Interop) -> None:
    await itsme.provider.rotate_keys(itsme.browser)
    resp = await itsme.login_through("itsme")  # restarted once, with the new keys read
    assert (resp.status, resp.headers["Location"]) == (302, "/me")
    await itsme.provider.rotate_keys(itsme.browser)
    # the keys were just read again: within the refetch interval, they are not read once more, so
    # the restarted login is encrypted to the same old key, refused again, and ends on a clear page
    first = await itsme.through_provider(await itsme.start_login(provider="itsme"))
    restart = await itsme.callback(first)
    assert restart.status == 302
    second = await itsme.through_provider(restart.headers["Location"])
    assert second.query["error"] == "invalid_request_object"
    resp = await itsme.callback(second)
    assert resp.status == 502
    assert "Login failed" in await resp.text()
    await itsme.advance(61)  # past the refetch interval: the next login recovers
    resp = await itsme.login_through("itsme")
    assert (resp.status, resp.headers["Location"]) == (302, "/me")


async def test_an_error_of_an_unknown_login_stays_a_400(itsme: Interop) -> None:
    resp = await itsme.client.get(
        "/auth/itsme/callback",
        params={"error": "invalid_request_object", "state": "not-a-login-of-ours"},
        headers=HTML,
        allow_redirects=False,
    )
    assert resp.status == 400


async def test_the_access_token_is_usable_at_the_provider_while_valid(itsme: Interop) -> None:
    assert (await itsme.login_through("itsme")).status == 302
    status, body = await itsme.get_json("/token", headers=JSON)
    assert status == 200, body
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with itsme.browser.get(f"{itsme.provider.issuer}/me", headers=headers) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/jwt"  # signed then encrypted to the application
    await itsme.advance(181)  # the provider's access token lifetime (180 s): itsme has no refresh token
    status, body = await itsme.get_json("/token", headers=JSON)
    assert (status, body["error"]) == (401, "login_expired")
    status, _ = await itsme.get_json("/me", headers=JSON)
    assert status == 200  # the login itself lives on
