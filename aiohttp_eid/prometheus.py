"""A ready ``on_event`` subscriber exporting Prometheus metrics (``pip install aiohttp-eid[prometheus]``).

::

    metrics = PrometheusMetrics()
    aiohttp_eid.setup(app, EidConfig(..., on_event=metrics))

exports ``aiohttp_eid_events_total{event,provider,code}`` (every event) and
``aiohttp_eid_login_duration_seconds{provider}`` (the provider's part of each
successful login: code exchange, token validation, user data). Serve them on a
listener of their own, not the public one (see ``metrics_app``). The top of the
layering: nothing in the library imports this module.
"""

from __future__ import annotations

from aiohttp import web

from .events import Event

try:
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError("aiohttp_eid.prometheus needs prometheus_client: pip install aiohttp-eid[prometheus]") from exc

__all__ = ["LOGIN_BUCKETS", "PrometheusMetrics", "metrics_app"]

#: seconds; a login's provider part is a few back-channel calls
LOGIN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PrometheusMetrics:
    """An ``EidConfig(on_event=...)`` subscriber counting events and timing logins.

    ``registry`` defaults to prometheus_client's global one; give each
    application its own when several run in one process.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else REGISTRY
        self.events = Counter(
            "aiohttp_eid_events",
            "aiohttp-eid events: logins, refreshes, logouts and failures",
            ["event", "provider", "code"],
            registry=self.registry,
        )
        self.login_duration = Histogram(
            "aiohttp_eid_login_duration_seconds",
            "Seconds the provider's part of a successful login took (code exchange, validation, user data)",
            ["provider"],
            buckets=LOGIN_BUCKETS,
            registry=self.registry,
        )

    def __call__(self, event: Event) -> None:
        """Count ``event`` (and time it, for a login)."""
        provider = event.provider or ""
        self.events.labels(event=event.name, provider=provider, code=event.code or "").inc()
        if event.name == "login" and event.duration is not None:
            self.login_duration.labels(provider=provider).observe(event.duration)


def metrics_app(registry: CollectorRegistry | None = None) -> web.Application:
    """An application answering ``GET /metrics`` in Prometheus's text format.

    Run it on its own listener (loopback, or a network only the monitoring
    system reaches): metrics are for operators, not for the public.
    """
    chosen = registry if registry is not None else REGISTRY

    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest(chosen)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app
