"""Real processes for the Redis tests: a redis-server and application workers, on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


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


class RedisServer:
    """A redis-server of our own on a free loopback port (AOF persistence when asked)."""

    def __init__(self, directory: Path, *, appendonly: bool = False, extra: tuple[str, ...] = ()) -> None:
        self.binary = binary("redis-server")
        self.directory = directory
        self.appendonly = appendonly
        self.extra = extra  # more command-line options (a replica's, a cluster node's, TLS)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--appendfsync",
            "always",
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            "--repl-diskless-sync-delay",
            "0",  # a replica syncs at once
            *self.extra,
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)
        self.process = None

    def kill(self) -> None:
        """Kill it by its PID (SIGKILL): no goodbye to clients, replicas or sentinels."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None


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
