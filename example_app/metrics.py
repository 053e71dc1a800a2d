"""Prometheus metrics of the example app, on a loopback listener of their own (``EXAMPLE_METRICS_PORT``).

The public listener never answers ``/metrics``: login counts and failure codes
are for operators. Needs ``pip install aiohttp-eid[prometheus]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from aiohttp_eid import EidConfig

__all__ = ["METRICS_HOST", "with_metrics"]

METRICS_HOST = "127.0.0.1"


def with_metrics(eid: EidConfig, port: int) -> tuple[EidConfig, Callable[[web.Application], AsyncIterator[None]]]:
    """``eid`` with a Prometheus subscriber, and the cleanup context serving its ``/metrics`` on ``port``."""
    from prometheus_client import CollectorRegistry

    from aiohttp_eid.prometheus import PrometheusMetrics, metrics_app

    registry = CollectorRegistry()  # one per app: tests build several apps in one process
    metrics = PrometheusMetrics(registry)

    async def serve_metrics(_: web.Application) -> AsyncIterator[None]:
        runner = web.AppRunner(metrics_app(registry), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, METRICS_HOST, port).start()
        yield
        await runner.cleanup()

    return dataclasses.replace(eid, on_event=metrics), serve_metrics
