"""(3) The callback refuses what it must, with a clear page, and stores nothing."""

from __future__ import annotations

import logging

import pytest
from yarl import URL

from aiohttp_eid.errors import Action
from aiohttp_eid.providers.eidg_errors import EIDG_ERRORS
from aiohttp_eid.runtime import RUNTIME, RecentStates
from aiohttp_eid.session.transaction import TTL
from aiohttp_eid.testing import Fault
from tests.support.harness import HTML, JSON, Harness, HarnessFactory


async def assert_anonymous(harness: Harness) -> None:
    status, body = await harness.get_json("/", headers=JSON)
    assert status == 200
    assert body["identity"] is None


async def test_forged_state_is_refused(harness: Harness) -> None:
    callback = await harness.at_provider(await harness.start_login())
    forged = callback.update_query(state="A" * 43)
    resp = await harness.callback(forged)
    assert resp.status == 400
    page = await resp.text()
    assert "invalid_state" in page
    assert 'id="login-again"' in page
    assert harness.emulator.counters["token.authorization_code"] == 0
    await assert_anonymous(harness)


async def test_missing_state_is_refused(harness: Harness) -> None:
    callback = await harness.at_provider(await harness.start_login())
    resp = await harness.callback(callback.without_query_params("state"))
    assert resp.status == 400
    assert harness.emulator.counters["token.authorization_code"] == 0
    await assert_anonymous(harness)


async def test_expired_state_is_refused(harness: Harness) -> None:
    callback = await harness.at_provider(await harness.start_login())
    harness.clock.advance(TTL + 1)
    resp = await harness.callback(callback)
    assert resp.status == 400
    assert harness.emulator.counters["token.authorization_code"] == 0
    await assert_anonymous(harness)


async def test_state_of_another_browser_is_refused(harness: Harness) -> None:
    callback = await harness.at_provider(await harness.start_login())
    harness.client.session.cookie_jar.clear()
    resp = await harness.callback(callback)
    assert resp.status == 400
    await assert_anonymous(harness)


async def test_replayed_callback_with_the_same_cookies_is_refused(harness: Harness) -> None:
    callback = await harness.at_provider(await harness.start_login())
    pre_callback = {c.key: c.value for c in harness.client.session.cookie_jar}
    assert (await harness.callback(callback)).status == 302
    # the attacker replays the same URL with the same pre-callback cookies
    harness.client.session.cookie_jar.clear()
    harness.client.session.cookie_jar.update_cookies(pre_callback, URL(harness.origin))
    resp = await harness.callback(callback)
    assert resp.status == 400
    assert "replayed_callback" in await resp.text()
    assert harness.emulator.counters["token.authorization_code"] == 1
    await assert_anonymous(harness)


async def test_replayed_callback_in_another_process_is_refused_by_the_provider(harness: Harness) -> None:
    callback = await harness.at_provider(await harness.start_login())
    pre_callback = {c.key: c.value for c in harness.client.session.cookie_jar}
    assert (await harness.callback(callback)).status == 302
    harness.app[RUNTIME].used_states = RecentStates()  # as if another worker got the replay
    harness.client.session.cookie_jar.clear()
    harness.client.session.cookie_jar.update_cookies(pre_callback, URL(harness.origin))
    resp = await harness.callback(callback)
    assert resp.status == 400  # EIDG_12: the code was used, log in again
    assert harness.emulator.counters["token.authorization_code"] == 2
    await assert_anonymous(harness)


@pytest.mark.parametrize(
    ("code", "status", "message_id"),
    [
        ("SPID_22", 401, "try-again"),
        ("SPID_25", 401, "try-again"),
        ("CIE_21", 401, "try-again"),
        ("SPID_TECHNICAL", 502, None),
        ("CIE_PARSING", 502, None),
        ("EIDG_4", 502, None),
        ("EIDG_12", 400, "login-again"),
    ],
)
async def test_provider_errors_show_the_tables_page(
    harness: Harness, code: str, status: int, message_id: str | None
) -> None:
    harness.emulator.next_outcome = code
    callback = await harness.at_provider(await harness.start_login())
    assert callback.query["errorCode"] == code
    resp = await harness.callback(callback)
    assert resp.status == status
    page = await resp.text()
    if message_id:
        assert f'id="{message_id}"' in page
    else:
        assert 'id="try-again"' not in page
    assert callback.query.get("errorDescription", "") not in page
    await assert_anonymous(harness)


async def test_every_code_of_the_table_is_mapped() -> None:
    codes = {f"SPID_{n}" for n in (19, 20, 21, 22, 23, 25)} | {f"CIE_{n}" for n in (21, 22, 23, 25)}
    codes |= {f"{c}_{s}" for c in ("SPID", "CIE") for s in ("OTHER_CODE", "TECHNICAL", "VALIDATION", "PARSING")}
    codes |= {f"EIDG_{n}" for n in range(1, 17)}
    assert set(EIDG_ERRORS) == codes


async def test_error_description_from_the_url_is_never_shown_and_logged_escaped(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    callback = await harness.at_provider(await harness.start_login())
    evil = "<script>alert(1)</script>\n" + "x" * 500
    url = callback.with_query(
        state=callback.query["state"], error="access_denied", errorCode="SPID_25", errorDescription=evil
    )
    resp = await harness.callback(url)
    page = await resp.text()
    assert "<script>" not in page
    assert "alert(1)" not in page
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("aiohttp_eid")]
    logged = [line for line in lines if "errorCode=SPID_25" in line]
    assert logged
    assert all("\n" not in line and "x" * 200 not in line for line in logged)


async def test_api_client_gets_json_errors(harness: Harness) -> None:
    harness.emulator.next_outcome = "SPID_22"
    callback = await harness.at_provider(await harness.start_login())
    resp = await harness.client.get(callback.path_qs, headers=JSON, allow_redirects=False)
    assert resp.status == 401
    body = await resp.json()
    assert body["error"] == "provider_error"
    assert body["provider_code"] == "SPID_22"


async def test_page_language_follows_accept_language(harness: Harness) -> None:
    harness.emulator.next_outcome = "SPID_25"
    callback = await harness.at_provider(await harness.start_login())
    resp = await harness.client.get(
        callback.path_qs, headers={**HTML, "Accept-Language": "it-IT,it;q=0.9"}, allow_redirects=False
    )
    page = await resp.text()
    assert "Accesso annullato" in page
    assert "Riprova" in page


@pytest.mark.parametrize(
    ("endpoint", "fault", "status"),
    [
        ("token", Fault(status=500, body=b"<html>oops</html>", content_type="text/html"), 503),
        ("token", Fault(status=200, body=b"not json"), 502),
        ("token", Fault(delay=3.0), 504),
        ("user-info", Fault(status=500, body=b"{", content_type="application/json"), 503),
        ("user-info", Fault(status=200, body=b"[1, 2]"), 502),
    ],
    ids=["token-500", "token-garbage", "token-slow", "userinfo-500", "userinfo-not-object"],
)
async def test_provider_failures_at_callback_give_a_clear_page(
    harness_factory: HarnessFactory, endpoint: str, fault: Fault, status: int
) -> None:
    harness = await harness_factory(http_timeout=1.0)
    callback = await harness.at_provider(await harness.start_login())
    harness.emulator.faults[endpoint] = fault
    resp = await harness.callback(callback)
    assert resp.status == status
    page = await resp.text()
    assert "Traceback" not in page
    assert "<h1>" in page
    await assert_anonymous(harness)


async def test_provider_down_at_callback_gives_503(harness: Harness) -> None:
    callback = await harness.at_provider(await harness.start_login())
    await harness.emulator.close()
    resp = await harness.callback(callback)
    assert resp.status == 503
    assert "provider_unavailable" in await resp.text()
    await assert_anonymous(harness)


async def test_a_login_below_the_required_level_is_refused(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    # the user edits acr_values in the browser from SPID_LEVEL_2 to SPID_LEVEL_1
    authorize = URL(await harness.start_login())
    downgraded = authorize.update_query(acr_values="infocert:identification:method:SPID_LEVEL_1")
    resp = await harness.callback(await harness.at_provider(str(downgraded)))
    assert resp.status == 403
    assert "assurance_too_low" in await resp.text()
    await assert_anonymous(harness)
    assert any("refused" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example", "\\\\evil.example", "evil"],
)
async def test_next_open_redirects_fall_back_to_root(harness: Harness, target: str) -> None:
    resp = await harness.login(target)
    assert resp.status == 302
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize("code", sorted(EIDG_ERRORS))
async def test_every_error_code_at_the_callback_gets_the_tables_page(harness: Harness, code: str) -> None:
    spec = EIDG_ERRORS[code]
    harness.emulator.next_outcome = code
    callback = await harness.at_provider(await harness.start_login())
    resp = await harness.client.get(callback.path_qs, headers=JSON, allow_redirects=False)
    body = await resp.json()
    assert body["provider_code"] == code
    expected = {Action.TRY_AGAIN: {401}, Action.LOGIN_AGAIN: {400, 401}, Action.GENERIC: {502}}
    assert resp.status in expected[spec.action]
    await assert_anonymous(harness)
