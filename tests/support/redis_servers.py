"""Real processes for the Redis tests: a redis-server and application workers, on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aiohttp_eid import testing
from aiohttp_eid.testing.redis_server import free_port, wait_for_port

ROOT = Path(__file__).parents[2]


def binary(name: str) -> str:
    """The path of a Redis program; the test is skipped without it, and fails on CI (which installs it)."""
    found = shutil.which(name)
    if found is None:
        reason = f"{name} not installed: apt-get install redis-server redis-sentinel (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def until_replicating(port: int, *, timeout: float = 15.0, **client_options: Any) -> None:
    """Wait until the replica on ``port`` has synced with its primary."""
    from redis import Redis

    deadline = time.monotonic() + timeout
    with Redis(host="127.0.0.1", port=port, **client_options) as replica:
        while time.monotonic() < deadline:
            if replica.info("replication").get("master_link_status") == "up":
                return
            time.sleep(0.05)
    raise RuntimeError(f"the replica on port {port} did not sync")


class RedisServer(testing.RedisServer):
    """``aiohttp_eid.testing.RedisServer``, the test skipped when redis-server is not installed."""

    def __init__(self, directory: Path, *, appendonly: bool = False, extra: tuple[str, ...] = ()) -> None:
        try:
            super().__init__(directory, appendonly=appendonly, extra=extra)
        except FileNotFoundError as missing:
            if os.environ.get("CI"):  # CI installs it: a missing server there is a broken CI, not a skip
                pytest.fail(str(missing))
            pytest.skip(f"{missing} (.ci/run does)")


class Worker:
    """An application worker process (tests/redis/worker.py) sharing Redis with the others."""

    def __init__(
        self, *, redis_url: str, eidg_base: str, client_secret: str, redirect_port: int, lock_timeout: float = 2.0
    ) -> None:
        self.port = free_port()
        self.args = [
            sys.executable,
            "-m",
            "tests.redis.worker",
            "--port",
            str(self.port),
            "--redis",
            redis_url,
            "--eidg",
            eidg_base,
            "--secret",
            client_secret,
            "--redirect-port",
            str(redirect_port),
            "--lock-timeout",
            str(lock_timeout),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=env)  # noqa: S603
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
