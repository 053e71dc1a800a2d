"""Events: each fires exactly when it should, carries nothing personal, and a failing subscriber fails nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from aiohttp_eid import EidConfig, OidcConfig
from aiohttp_eid.events import EVENT_NAMES, Event, Events
from aiohttp_eid.testing import Fault
from tests.support.app import build_app
from tests.support.harness import CLIENT_SECRET, HTML, JSON, SESSION_KEY, Harness, HarnessFactory
from tests.support.privacy import PERSONAL_VALUES, holds_jose
from tests.support.redis_servers import RedisServer
from tests.support.steps import DUE, logged_in


class Recorder:
    """A subscriber keeping every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def names(self) -> list[tuple[str, str | None, str | None]]:
        return [(e.name, e.provider, e.code) for e in self.events]

    def assert_nothing_personal(self) -> None:
        for event in self.events:
            assert event.name in EVENT_NAMES
            assert {f.name for f in dataclasses.fields(event)} == {"name", "provider", "code", "duration"}
            for value in (event.name, event.provider, event.code):
                if value is not None:
                    assert not holds_jose(value)
                    assert not any(personal in value for personal in PERSONAL_VALUES), event


async def recorded(harness_factory: HarnessFactory, **config: object) -> tuple[Harness, Recorder]:
    recorder = Recorder()
    return await harness_factory(on_event=recorder, **config), recorder


async def test_a_login_and_a_logout_fire_one_event_each(harness_factory: HarnessFactory) -> None:
    harness, recorder = await recorded(harness_factory)
    await harness.get_json("/", headers=JSON)
    await harness.start_login()
    assert recorder.events == []  # starting a login is not a login
    assert (await harness.login()).status == 302
    assert recorder.names() == [("login", "eidg", None)]
    duration = recorder.events[0].duration
    assert duration is not None
    assert duration >= 0
    await harness.get_json("/me", headers=JSON)
    resp = await harness.client.post("/auth/logout", headers={"Origin": harness.origin, **HTML}, allow_redirects=False)
    assert resp.status == 302
    assert recorder.names() == [("login", "eidg", None), ("logout", "eidg", None)]
    # a logout without a login ends nobody's login
    await harness.client.post("/auth/logout", headers={"Origin": harness.origin}, allow_redirects=False)
    assert len(recorder.events) == 2
    recorder.assert_nothing_personal()


async def test_a_refused_login_fires_login_failed_with_its_code(harness_factory: HarnessFactory) -> None:
    harness, recorder = await recorded(harness_factory)
    url = await harness.at_provider(await harness.start_login())
    forged = url.update_query(state="forged-state")
    resp = await harness.callback(forged)
    assert resp.status == 400
    assert recorder.names() == [("login_failed", "eidg", "invalid_state")]
    assert (await harness.callback(url)).status == 302
    assert recorder.names()[-1] == ("login", "eidg", None)
    recorder.assert_nothing_personal()


async def test_a_provider_down_at_the_callback_fires_login_failed_and_provider_unavailable(
    harness_factory: HarnessFactory,
) -> None:
    harness, recorder = await recorded(harness_factory)
    url = await harness.at_provider(await harness.start_login())
    harness.emulator.faults["token"] = Fault(status=503, body=b"down", content_type="text/plain", times=-1)
    resp = await harness.callback(url)
    assert resp.status in (502, 503)
    assert recorder.names() == [
        ("login_failed", "eidg", "provider_unavailable"),
        ("provider_unavailable", "eidg", "provider_unavailable"),
    ]


async def test_refresh_fires_once_per_provider_call(harness_factory: HarnessFactory) -> None:
    harness, recorder = await recorded(harness_factory)
    await logged_in(harness)
    harness.clock.advance(DUE)
    results = await asyncio.gather(*(harness.get_json("/token", headers=JSON) for _ in range(5)))
    assert [status for status, _ in results] == [200] * 5
    assert recorder.names() == [("login", "eidg", None), ("refresh", "eidg", None)]
    assert recorder.events[-1].duration is not None


async def test_a_transient_refresh_failure_fires_refresh_failed_once_per_attempt(
    harness_factory: HarnessFactory,
) -> None:
    harness, recorder = await recorded(harness_factory)
    await logged_in(harness)
    harness.clock.advance(DUE)
    harness.emulator.faults["token"] = Fault(status=503, body=b"down", content_type="text/plain", times=-1)
    assert (await harness.get_json("/me", headers=JSON))[0] == 200  # the user stays in
    # within the backoff no provider call is made: no new event, even where the failure is raised to the app
    assert (await harness.get_json("/token", headers=JSON))[0] in (503, 504)
    assert recorder.names()[1:] == [
        ("refresh_failed", "eidg", "provider_unavailable"),
        ("provider_unavailable", "eidg", "provider_unavailable"),
    ]


async def test_a_refused_refresh_fires_refresh_failed_login_expired(harness_factory: HarnessFactory) -> None:
    harness, recorder = await recorded(harness_factory)
    await logged_in(harness)
    harness.emulator.revoke_all()
    harness.clock.advance(DUE)
    assert (await harness.get_json("/me", headers=JSON))[0] == 401
    assert recorder.names()[1:] == [("refresh_failed", "eidg", "login_expired")]


async def test_a_session_too_large_fires_its_event(harness_factory: HarnessFactory) -> None:
    harness, recorder = await recorded(harness_factory)
    await harness.login()
    status, _ = await harness.get_json("/app-data?size=9000", headers=JSON)
    assert status == 500
    assert recorder.names()[1:] == [("session_too_large", None, "session_too_large")]


async def test_a_provider_down_at_startup_and_at_login_start_fires_provider_unavailable(
    unused_tcp_port_factory: Callable[[], int],
) -> None:
    recorder = Recorder()
    port, down = unused_tcp_port_factory(), unused_tcp_port_factory()  # nothing listens on ``down``
    config = EidConfig(
        providers=[
            OidcConfig(
                name="op",
                discovery_url=f"http://127.0.0.1:{down}/.well-known/openid-configuration",
                client_id="client",
                client_secret=CLIENT_SECRET,
                redirect_uri=f"http://127.0.0.1:{port}/auth/op/callback",
            )
        ],
        session_key=SESSION_KEY,
        on_event=recorder,
    )
    async with TestClient(TestServer(build_app(config), host="127.0.0.1", port=port)) as client:
        assert recorder.names() == [("provider_unavailable", "op", "provider_unavailable")]  # the startup fetch
        resp = await client.get("/auth/op/login", headers=HTML, allow_redirects=False)
        assert resp.status in (502, 503)
        assert recorder.names() == [("provider_unavailable", "op", "provider_unavailable")] * 2


async def test_redis_down_fires_store_unavailable_per_failed_operation(
    harness_factory: HarnessFactory, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path)
    server.start()
    try:
        harness, recorder = await recorded(harness_factory, storage=server.url)
        await harness.login()
        server.stop()
        assert (await harness.get_json("/me", headers=JSON))[0] == 503
        assert recorder.names() == [
            ("login", "eidg", None),
            ("store_unavailable", None, "session_store_unavailable"),
        ]
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_failing_subscriber_never_fails_a_request(harness_factory: HarnessFactory, kind: str) -> None:
    seen: list[str] = []

    def broken(event: Event) -> None:
        seen.append(event.name)
        raise RuntimeError("subscriber bug")

    async def broken_async(event: Event) -> None:
        seen.append(event.name)
        raise RuntimeError("subscriber bug")

    harness = await harness_factory(on_event=broken if kind == "sync" else broken_async)
    resp = await harness.login()
    assert resp.status == 302
    assert (await harness.get_json("/me", headers=JSON))[0] == 200
    resp = await harness.client.post("/auth/logout", headers={"Origin": harness.origin, **HTML}, allow_redirects=False)
    assert resp.status == 302
    await asyncio.sleep(0)  # let the async subscriber's tasks run
    assert seen == ["login", "logout"]


async def test_an_async_subscriber_receives_the_events() -> None:
    received: list[Event] = []

    async def subscriber(event: Event) -> None:
        received.append(event)

    events = Events(subscriber)
    events("login", "eidg", duration=0.25)
    assert received == []  # it runs as its own task: a slow subscriber never delays the response
    await asyncio.sleep(0)
    assert received == [Event("login", "eidg", None, 0.25)]
