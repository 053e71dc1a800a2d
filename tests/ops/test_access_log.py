"""The packaged access logger keeps the callback's one-time code out of the access log during a real login."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
import pytest_asyncio
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_log import AccessLogger

import aiohttp_eid
from tests.ops.served import served_eidg


async def login_logged_by(
    logger_class: type[AbstractAccessLogger], port: int, caplog: pytest.LogCaptureFixture
) -> tuple[str, list[str]]:
    """A whole EIDG login through a server logging with ``logger_class``: the code and the access log lines."""
    async with served_eidg(port, access_log_class=logger_class) as harness:
        callback_url = await harness.at_provider(await harness.start_login())
        code = callback_url.query["code"]
        caplog.clear()
        assert (await harness.callback(callback_url)).status == 302
    return code, [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]


@pytest_asyncio.fixture
async def port(unused_tcp_port_factory: Callable[[], int]) -> int:
    return unused_tcp_port_factory()


async def test_the_callback_code_is_absent_from_the_access_log(port: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    code, lines = await login_logged_by(aiohttp_eid.PathOnlyAccessLogger, port, caplog)
    callback_lines = [line for line in lines if "/auth/eidg/callback" in line]
    assert len(callback_lines) == 1, lines
    assert callback_lines[0].startswith("GET /auth/eidg/callback 302 ")
    assert not any(code in line or "code=" in line or "state=" in line for line in lines)


async def test_aiohttp_default_access_log_would_hold_the_code(port: int, caplog: pytest.LogCaptureFixture) -> None:
    """Why the logger exists: aiohttp's own format logs the query, one-time code included."""
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    code, lines = await login_logged_by(AccessLogger, port, caplog)
    assert any(code in line for line in lines)
