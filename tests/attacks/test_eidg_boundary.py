"""EIDG with the same strictness as any OpenID provider: ID token, user-info, discovery, refresh, refresh_identity.

Every answer comes from the EIDG emulator's real endpoints over HTTP; a ``Fault``
swaps in a crafted (but genuinely signed) body where the case needs one.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from aiohttp_eid import EidConfig, EidgConfig
from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.testing import Fault
from tests.support.app import build_app
from tests.support.harness import HTML, JSON, Harness, HarnessFactory


async def user_info_of(h: Harness, user: str) -> dict[str, Any]:
    """What EIDG's /user-info answers for ``user`` (through its real endpoint)."""
    token = h.emulator.mint_tokens(user)["access_token"]
    async with h.browser.get(f"{h.emulator.base_url}/user-info", headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200
        return dict(await resp.json())


async def logged_in(h: Harness) -> bool:
    _status, body = await h.get_json("/", headers=JSON)
    return body["identity"] is not None


async def test_user_info_about_another_subject_than_the_id_token_is_refused(
    harness_factory: HarnessFactory,
) -> None:
    h = await harness_factory(verify_id_token=True)
    body = {**(await user_info_of(h, "ada")), "sub": "someone-else"}
    h.emulator.faults["user-info"] = Fault(status=200, body=json.dumps(body).encode())
    resp = await h.login()
    assert resp.status == 502
    assert "invalid_token" in await resp.text()
    assert not await logged_in(h)


async def test_a_discovery_naming_another_issuer_stops_the_login_before_the_redirect(
    harness_factory: HarnessFactory,
) -> None:
    h = await harness_factory()
    config = h.app[RUNTIME].config
    eidg = config.providers[0]
    assert isinstance(eidg, EidgConfig)
    misconfigured = dataclasses.replace(
        eidg,
        issuer="https://eid-gateway.example/oauth2",
        discovery_url=f"{h.emulator.base_url}/.well-known/openid-configuration",
    )
    app = build_app(EidConfig(**{**_fields(config), "providers": [misconfigured]}))
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        resp = await client.get("/auth/eidg/login", headers=HTML, allow_redirects=False)
        assert resp.status == 502
        assert "Location" not in resp.headers
        assert h.emulator.counters["authorize"] == 0
    finally:
        await client.close()


def _fields(config: EidConfig) -> dict[str, Any]:
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.init}


async def test_a_refresh_whose_id_token_names_another_person_ends_the_login(harness_factory: HarnessFactory) -> None:
    h = await harness_factory(verify_id_token=True)
    assert (await h.login()).status == 302
    other = h.emulator.mint_tokens("marisa")
    body = {
        "accessToken": other["access_token"],
        "refreshToken": other["refresh_token"],
        "expiresIn": 360,
        "tokenType": "Bearer",
        "idToken": other["id_token"],
    }
    h.emulator.faults["token"] = Fault(status=200, body=json.dumps(body).encode())
    h.clock.advance(340)
    status, _ = await h.get_json("/me", headers=JSON)
    assert status == 401
    assert not await logged_in(h)


async def test_a_refresh_with_an_id_token_of_the_same_person_goes_on(harness_factory: HarnessFactory) -> None:
    h = await harness_factory(verify_id_token=True)
    assert (await h.login()).status == 302
    h.clock.advance(340)
    status, _ = await h.get_json("/token", headers=JSON)
    assert status == 200
    assert h.emulator.counters["token.refresh_token"] == 1
    assert await logged_in(h)


async def test_refresh_identity_never_switches_person(harness_factory: HarnessFactory) -> None:
    h = await harness_factory()
    assert (await h.login()).status == 302
    h.emulator.faults["user-info"] = Fault(status=200, body=json.dumps(await user_info_of(h, "marisa")).encode())
    status, body = await h.get_json("/refresh-identity", headers=JSON)
    assert status == 401, body
    assert body["error"] == "login_expired"
    assert not await logged_in(h)


async def test_refresh_identity_of_the_same_person_updates_it(harness_factory: HarnessFactory) -> None:
    h = await harness_factory()
    assert (await h.login()).status == 302
    status, body = await h.get_json("/refresh-identity", headers=JSON)
    assert status == 200, body
    assert body["identity"]["given_name"]
