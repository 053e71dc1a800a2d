"""(8) Logout: same-origin POST only; the provider told, in order; the session cleared."""

from __future__ import annotations

from aiohttp_eid.testing import Fault
from tests.support.harness import HTML, JSON, Harness

DUE = 155


async def post_logout(harness: Harness, **headers: str) -> tuple[int, str]:
    resp = await harness.client.post("/auth/logout", headers={**HTML, **headers}, allow_redirects=False)
    return resp.status, resp.headers.get("Location", "")


async def test_get_shows_a_button_and_changes_nothing(harness: Harness) -> None:
    await harness.login()
    resp = await harness.client.get("/auth/logout", headers=HTML)
    assert resp.status == 200
    page = await resp.text()
    assert 'method="post"' in page
    assert 'id="logout-button"' in page
    assert harness.emulator.counters["logout"] == 0
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 200


async def test_logout_calls_logout_then_revoke_and_clears_the_session(harness: Harness) -> None:
    await harness.login()
    status, location = await post_logout(harness, Origin=harness.origin)
    assert (status, location) == (302, "/")
    assert harness.emulator.counters["logout"] == 1
    assert harness.emulator.counters["revoke"] == 1
    logout_request = harness.emulator.last_request("logout")
    revoke_request = harness.emulator.last_request("revoke")
    assert logout_request.method == "DELETE"
    assert revoke_request.method == "POST"
    assert logout_request.seq < revoke_request.seq
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401
    assert not [c for c in harness.client.session.cookie_jar if c.key.startswith("eid_session")]


async def test_cross_origin_and_originless_posts_are_refused(harness: Harness) -> None:
    await harness.login()
    assert (await post_logout(harness, Origin="https://evil.example"))[0] == 403
    assert (await post_logout(harness, Referer="https://evil.example/page"))[0] == 403
    assert (await post_logout(harness))[0] == 403
    assert harness.emulator.counters["logout"] == 0
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 200
    status, _ = await post_logout(harness, Referer=f"{harness.origin}/account")
    assert status == 302


async def test_logout_works_when_the_provider_is_down(harness: Harness) -> None:
    await harness.login()
    await harness.emulator.close()
    status, location = await post_logout(harness, Origin=harness.origin)
    assert (status, location) == (302, "/")
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


async def test_logout_works_when_the_provider_answers_errors(harness: Harness) -> None:
    await harness.login()
    harness.emulator.faults["logout"] = Fault(status=500, body=b"boom", content_type="text/plain")
    harness.emulator.faults["revoke"] = Fault(status=200, body=b"garbage")
    status, _ = await post_logout(harness, Origin=harness.origin)
    assert status == 302
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


async def test_logout_with_expired_access_token_revokes_only_the_refresh_token(harness: Harness) -> None:
    await harness.login()
    harness.emulator.faults["token"] = Fault(status=503, body=b"", content_type="text/plain", times=-1)
    harness.clock.advance(DUE + 60)  # expired; refresh impossible (provider busy)
    status, _ = await post_logout(harness, Origin=harness.origin)
    assert status == 302
    assert harness.emulator.counters["logout"] == 0
    assert harness.emulator.counters["revoke"] == 1


async def test_logout_is_idempotent(harness: Harness) -> None:
    status, location = await post_logout(harness, Origin=harness.origin)
    assert (status, location) == (302, "/")
    assert harness.emulator.counters["logout"] == 0
