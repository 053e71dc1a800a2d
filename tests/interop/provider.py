"""oidc-provider (npm, OpenID-certified) as a real process on a free 127.0.0.1 port, stopped by PID.

``provider.mjs`` is started with a settings file written here: the profile (``itsme`` or ``generic``),
the registered clients, the accounts (the itsme emulator's test users, so the log-privacy fixture knows
their data) and the claims and scopes it offers. ``rotate_keys()`` replaces every provider key.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from yarl import URL

from aiohttp_eid.testing.redis_server import free_port, wait_for_port

HERE = Path(__file__).parent
SCRIPT = HERE / "provider.mjs"
#: started, restarted and stopped well within the tier's 90 s budget
START_TIMEOUT = 30.0


def node_binary() -> str:
    """Node's path; a missing node skips the tier, except on CI (env ``CI`` set), where it fails."""
    node = shutil.which("node")
    if node is None:
        reason = "node not installed: apt-get install nodejs npm (.ci/run does), needed by the interop tier"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return node


def install_modules() -> None:
    """``npm ci`` from the committed lock file, only when node_modules is missing (.ci/run runs it first)."""
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        reason = "npm not installed: apt-get install npm (.ci/run does), needed by the interop tier"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    subprocess.run(  # noqa: S603
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True, timeout=300
    )


class OidcProviderProcess:
    """One oidc-provider, configured by ``settings`` (see provider.mjs), on its own loopback port."""

    def __init__(self, node: str, directory: Path, settings: dict[str, Any]) -> None:
        self.node = node
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.settings_file = directory / f"oidc-provider-{self.port}.json"
        self.settings_file.write_text(json.dumps({**settings, "port": self.port, "issuer": self.issuer}))
        self.log_file = directory / f"oidc-provider-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> None:
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [self.node, str(SCRIPT), str(self.settings_file)], cwd=HERE, stdout=log, stderr=log
            )
        try:
            wait_for_port(self.port, timeout=START_TIMEOUT)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"oidc-provider did not start: {self.log_file.read_text()[-2000:]}") from None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    async def events(self, browser: aiohttp.ClientSession) -> list[dict[str, Any]]:
        """What the provider recorded (grants, revocations, refresh token rotations, errors)."""
        async with browser.get(f"{self.issuer}/test/events") as resp:
            return list(await resp.json())

    async def rotate_keys(self, browser: aiohttp.ClientSession) -> None:
        """Every provider key new, the old ones gone (the same provider again, as a restart with new keys)."""
        async with browser.post(f"{self.issuer}/test/rotate") as resp:
            assert resp.status == 200

    async def set_clock(self, browser: aiohttp.ClientSession, offset: float) -> None:
        """Set the provider's clock ``offset`` seconds ahead of the real time, as the tests move the application's."""
        async with browser.post(f"{self.issuer}/test/clock", data={"offset": str(offset)}) as resp:
            assert resp.status == 200

    def owns(self, url: URL) -> bool:
        return url.absolute and url.origin() == URL(self.issuer)
