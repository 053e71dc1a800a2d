"""(7) Tokens refresh before they expire: once per login, whatever the response type."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import WSMsgType
from yarl import URL

from aiohttp_eid.testing import Fault
from tests.support.harness import JSON, Harness, HarnessFactory
from tests.support.steps import DUE, logged_in


async def test_no_refresh_before_due_then_one_refresh_at_expiry(harness: Harness) -> None:
    first = await logged_in(harness)
    harness.clock.advance(DUE - 10)
    status, body = await harness.get_json("/token", headers=JSON)
    assert body["access_token"] == first
    assert harness.emulator.counters["token.refresh_token"] == 0

    harness.clock.advance(10)
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200
    assert harness.emulator.counters["token.refresh_token"] == 1
    refresh = harness.emulator.last_request("token")
    assert refresh.form["grant_type"] == "refresh_token"
    assert refresh.form["redirect_uri"] == f"{harness.origin}/auth/eidg/callback"
    status, body = await harness.get_json("/token", headers=JSON)
    assert body["access_token"] != first
    assert harness.emulator.counters["token.refresh_token"] == 1  # the new tokens were kept


@pytest.mark.parametrize("rotate", [False, True])
async def test_storm_of_100_requests_at_expiry_causes_one_refresh(
    harness_factory: HarnessFactory, rotate: bool
) -> None:
    harness = await harness_factory(emulator={"rotate_refresh_tokens": rotate})
    await logged_in(harness)
    harness.clock.advance(DUE)
    results = await asyncio.gather(*(harness.get_json("/token", headers=JSON) for _ in range(100)))
    assert [status for status, _ in results] == [200] * 100
    assert len({body["access_token"] for _, body in results}) == 1
    assert harness.emulator.counters["token.refresh_token"] == 1
    assert harness.emulator.counters["token.refresh_replay"] == 0


async def test_rotated_refresh_token_presented_again_gets_the_new_tokens(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(emulator={"rotate_refresh_tokens": True})
    await logged_in(harness)
    old_cookies = {c.key: c.value for c in harness.client.session.cookie_jar}
    harness.clock.advance(DUE)
    status, body = await harness.get_json("/token", headers=JSON)
    new_token = body["access_token"]
    # a request that left the browser before the new cookie arrived carries the old refresh token
    harness.clock.advance(2)
    harness.client.session.cookie_jar.clear()
    harness.client.session.cookie_jar.update_cookies(old_cookies, URL(harness.origin))
    status, body = await harness.get_json("/token", headers=JSON)
    assert status == 200
    assert body["access_token"] == new_token
    assert harness.emulator.counters["token.refresh_token"] == 1
    assert harness.emulator.counters["token.refresh_replay"] == 0


@pytest.mark.parametrize(
    "fault",
    [Fault(status=503, body=b"down", content_type="text/plain", times=-1), Fault(delay=3.0, times=-1)],
    ids=["5xx", "timeout"],
)
async def test_transient_refresh_failure_keeps_the_user_logged_in(
    harness_factory: HarnessFactory, fault: Fault
) -> None:
    harness = await harness_factory(http_timeout=1.0)
    await logged_in(harness)
    harness.clock.advance(DUE)
    harness.emulator.faults["token"] = fault
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 200
    assert body["identity"]["given_name"] == "Ada"
    status, body = await harness.get_json("/token", headers=JSON)
    assert status in (503, 504)
    assert body["error"] == "provider_unavailable"
    # the provider comes back: the next due request refreshes
    harness.emulator.faults.clear()
    harness.clock.advance(10)  # past the failure backoff
    status, body = await harness.get_json("/token", headers=JSON)
    assert status == 200


async def test_eidg_14_at_refresh_ends_the_login_cleanly(harness: Harness) -> None:
    await logged_in(harness)
    harness.emulator.revoke_all()
    harness.clock.advance(DUE)
    status, body = await harness.get_json("/me", headers=JSON)
    assert status == 401
    assert body["error"] == "not_authenticated"
    status, body = await harness.get_json("/", headers=JSON)
    assert body["identity"] is None


async def test_on_demand_mode_refreshes_only_in_access_token(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(refresh="on_demand")
    first = await logged_in(harness)
    harness.clock.advance(DUE)
    await harness.get_json("/me", headers=JSON)
    assert harness.emulator.counters["token.refresh_token"] == 0
    _status, body = await harness.get_json("/token", headers=JSON)
    assert body["access_token"] != first
    assert harness.emulator.counters["token.refresh_token"] == 1


@pytest.mark.parametrize("path", ["/file", "/stream"])
async def test_tokens_refreshed_during_file_and_stream_responses_are_kept(
    harness_factory: HarnessFactory, path: str
) -> None:
    harness = await harness_factory(emulator={"rotate_refresh_tokens": True})
    await logged_in(harness)
    harness.clock.advance(DUE)
    async with harness.client.get(path, headers=JSON) as resp:
        assert resp.status == 200
        await resp.read()
        assert "eid_session" in resp.cookies
    assert harness.emulator.counters["token.refresh_token"] == 1
    harness.clock.advance(60)  # past the hand-off window: only the stored tokens can help now
    status, _ = await harness.get_json("/token", headers=JSON)
    assert status == 200
    assert harness.emulator.counters["token.refresh_token"] == 1
    assert harness.emulator.counters["token.refresh_replay"] == 0


async def test_tokens_refreshed_during_a_websocket_handshake_are_kept(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(emulator={"rotate_refresh_tokens": True})
    await logged_in(harness)
    harness.clock.advance(DUE)
    ws = await harness.client.ws_connect("/ws")
    msg = await ws.receive()
    assert msg.type == WSMsgType.TEXT
    assert msg.data == "hello"
    await ws.close()
    assert harness.emulator.counters["token.refresh_token"] == 1
    harness.clock.advance(60)
    status, _ = await harness.get_json("/token", headers=JSON)
    assert status == 200
    assert harness.emulator.counters["token.refresh_token"] == 1
    assert harness.emulator.counters["token.refresh_replay"] == 0


async def test_refresh_identity_fetches_user_info_again(harness: Harness) -> None:
    await logged_in(harness)
    before = harness.emulator.counters["user-info"]
    status, body = await harness.get_json("/refresh-identity", headers=JSON)
    assert status == 200
    assert body["identity"]["assurance"] == "SUBSTANTIAL"
    assert harness.emulator.counters["user-info"] == before + 1
