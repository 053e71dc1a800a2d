"""``RedisServer``: a throw-away redis-server process of your own, on a free loopback port.

For tests (and the benchmarks) of an application with Redis storage: real Redis, no system
service, nothing shared. Needs the ``redis-server`` binary (Debian: ``apt-get install redis-server``).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["RedisServer", "free_port", "wait_for_port"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 15.0) -> None:
    """Return once something listens on 127.0.0.1:``port``; RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class RedisServer:
    """A redis-server on a free port of 127.0.0.1, its files in ``directory``, stopped by its own PID.

    ``RedisServer(directory)`` raises ``FileNotFoundError`` when ``redis-server`` is not installed.
    Use it as a context manager, or call :meth:`start` and :meth:`stop`; :attr:`url` is what
    ``EidConfig(storage=...)`` takes. ``appendonly=True`` turns on AOF persistence (fsync always),
    to test a restart; ``extra`` adds command-line options (a replica's ``--replicaof``, a cluster
    node's, TLS). :meth:`kill` ends it without a goodbye (SIGKILL), as a crash would.
    """

    def __init__(self, directory: Path, *, appendonly: bool = False, extra: tuple[str, ...] = ()) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server not installed: apt-get install redis-server")
        self.binary = binary
        self.directory = directory
        self.appendonly = appendonly
        self.extra = extra
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        args = [
            self.binary,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
            *("--save", "", "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always"),
            *("--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"),
            *("--repl-diskless-sync-delay", "0"),  # a replica syncs at once
            *self.extra,
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        wait_for_port(self.port)

    def stop(self) -> None:
        """Stop the server (SIGTERM to its PID) and wait for it to exit."""
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

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
