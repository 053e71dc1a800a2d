"""An access log without query strings: a login callback's query holds a one-time authorization code."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

__all__ = ["PathOnlyAccessLogger"]


class PathOnlyAccessLogger(AbstractAccessLogger):
    """aiohttp access logger writing ``METHOD /path STATUS 0.012s``: no query string, no headers.

    aiohttp's default format (``%r``) logs the whole request line, so the
    callback's ``code`` and ``state`` would reach the log. Use this one::

        web.run_app(app, access_log_class=aiohttp_eid.PathOnlyAccessLogger)
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write one line for ``request``: its method, path (never its query), status and duration."""
        self.logger.info("%s %s %s %.3fs", request.method, request.path, response.status, time)
