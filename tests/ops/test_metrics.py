"""The Prometheus subscriber counts events and times logins; the example app serves them on its own listener."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from aiohttp_eid.prometheus import PrometheusMetrics, metrics_app
from aiohttp_eid.testing.redis_server import free_port
from example_app import SettingsError, build_app, load_settings
from tests.support.harness import HTML, HarnessFactory


async def test_events_and_login_durations_are_exported(harness_factory: HarnessFactory) -> None:
    registry = CollectorRegistry()
    harness = await harness_factory(on_event=PrometheusMetrics(registry))
    url = await harness.at_provider(await harness.start_login())
    assert (await harness.callback(url.update_query(state="forged"))).status == 400
    assert (await harness.callback(url)).status == 302

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("aiohttp_eid_events_total", event="login", provider="eidg", code="") == 1
    assert value("aiohttp_eid_events_total", event="login_failed", provider="eidg", code="invalid_state") == 1
    assert value("aiohttp_eid_login_duration_seconds_count", provider="eidg") == 1  # failures are not timed
    async with TestClient(TestServer(metrics_app(registry), host="127.0.0.1")) as metrics:
        resp = await metrics.get("/metrics")
        assert resp.status == 200
        text = await resp.text()
    assert 'aiohttp_eid_events_total{code="",event="login",provider="eidg"} 1.0' in text
    assert 'aiohttp_eid_login_duration_seconds_bucket{le="+Inf",provider="eidg"} 1.0' in text


async def test_the_example_app_serves_metrics_on_a_loopback_listener_of_its_own() -> None:
    names = ("EXAMPLE_PORT", "EXAMPLE_EMULATOR_PORT", "EXAMPLE_ITSME_PORT", "EXAMPLE_METRICS_PORT")
    settings = load_settings({name: str(free_port()) for name in names})
    assert settings.metrics_port is not None
    server = TestServer(build_app(settings), host=settings.host, port=settings.port)
    async with TestClient(server) as client, aiohttp.ClientSession() as monitoring:
        assert (await client.get("/metrics")).status == 404  # not on the public listener
        resp = await client.get("/auth/eidg/callback?state=forged&code=x", headers=HTML)
        assert resp.status == 400
        async with monitoring.get(f"http://127.0.0.1:{settings.metrics_port}/metrics") as answer:
            assert answer.status == 200
            text = await answer.text()
    assert 'aiohttp_eid_events_total{code="invalid_state",event="login_failed",provider="eidg"} 1.0' in text


def test_the_example_app_serves_no_metrics_unless_asked() -> None:
    names = ("EXAMPLE_PORT", "EXAMPLE_EMULATOR_PORT", "EXAMPLE_ITSME_PORT")
    assert load_settings({name: str(free_port()) for name in names}).metrics_port is None


def test_a_bad_metrics_port_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="EXAMPLE_METRICS_PORT"):
        load_settings({"EXAMPLE_METRICS_PORT": "metrics"})
