"""Redis Sentinel and Redis Cluster of our own: real processes on free loopback ports.

A primary with one replica watched by three sentinels (quick to fail over: the primary
counts as down after ``DOWN_AFTER_MS``), and a Cluster of three primaries without
replicas. Each process is stopped by its PID.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from redis import Redis

from aiohttp_eid.testing.redis_server import free_port, wait_for_port
from tests.support.redis_servers import RedisServer, binary, until_replicating

SERVICE = "mymaster"
DOWN_AFTER_MS = 500


class Sentinels:
    """A primary, its replica and three sentinels."""

    def __init__(self, directory: Path, *, tls: tuple[Path, Path, Path] | None = None) -> None:
        """``tls``: (CA, certificate, key) files to speak only TLS, between the processes too."""
        self.primary = RedisServer(directory / "primary")
        self.replica = RedisServer(directory / "replica")
        self.tls = tls
        self.client_options: dict[str, Any] = {"ssl": True, "ssl_ca_certs": str(tls[0])} if tls else {}
        self.primary.extra = self._tls_options(self.primary.port)
        self.replica.extra = (*self._tls_options(self.replica.port), "--replicaof", "127.0.0.1", str(self.primary.port))
        self.binary = binary("redis-sentinel")
        self.directory = directory
        self.ports = [free_port() for _ in range(3)]
        self.processes: list[subprocess.Popen[bytes]] = []

    def _tls_options(self, port: int) -> tuple[str, ...]:
        if self.tls is None:
            return ()
        ca, cert, key = (str(path) for path in self.tls)
        files = ("--tls-ca-cert-file", ca, "--tls-cert-file", cert, "--tls-key-file", key)
        return ("--port", "0", "--tls-port", str(port), *files, "--tls-auth-clients", "no", "--tls-replication", "yes")

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.ports)
        if self.tls:
            return f"rediss+sentinel://{hosts}/{SERVICE}?ssl_ca_certs={self.tls[0]}"
        return f"redis+sentinel://{hosts}/{SERVICE}"

    def _sentinel_config(self, port: int) -> str:
        if self.tls is None:
            return f"port {port}\n"
        ca, cert, key = self.tls
        return (
            f"port 0\ntls-port {port}\ntls-ca-cert-file {ca}\ntls-cert-file {cert}\ntls-key-file {key}\n"
            "tls-auth-clients no\ntls-replication yes\n"
        )

    def start(self) -> None:
        for server in (self.primary, self.replica):
            server.directory.mkdir(parents=True, exist_ok=True)
            server.start()
        for index, port in enumerate(self.ports):
            config = self.directory / f"sentinel-{index}.conf"  # sentinels rewrite their config file
            config.write_text(
                f"{self._sentinel_config(port)}bind 127.0.0.1\ndir {self.directory}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary.port} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {SERVICE} 5000\n"
            )
            self.processes.append(
                subprocess.Popen([self.binary, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
            )
        for port in self.ports:
            wait_for_port(port)
        until_replicating(self.replica.port, **self.client_options)
        self._until_ready()

    def _until_ready(self) -> None:
        """Until every sentinel knows the replica and the two other sentinels (a failover needs them)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            states = []
            for port in self.ports:
                with Redis(host="127.0.0.1", port=port, **self.client_options) as sentinel:
                    state = sentinel.sentinel_master(SERVICE)
                    states.append(int(state["num-slaves"]) >= 1 and int(state["num-other-sentinels"]) >= 2)
            if all(states):
                return
            time.sleep(0.2)
        raise RuntimeError("the sentinels did not find each other and the replica in time")

    def primary_address(self) -> tuple[str, int]:
        with Redis(host="127.0.0.1", port=self.ports[0], **self.client_options) as sentinel:
            host, port = sentinel.sentinel_get_master_addr_by_name(SERVICE)
        return host.decode() if isinstance(host, bytes) else str(host), int(port)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
        self.processes = []
        for server in (self.primary, self.replica):
            server.stop()


class Cluster:
    """Three primaries sharing the 16,384 slots (no replicas)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.nodes: list[RedisServer] = []
        self.cli = binary("redis-cli")

    def _new_nodes(self, attempt: int) -> list[RedisServer]:
        nodes = []
        for index in range(3):
            node_dir = self.directory / f"attempt-{attempt}" / f"node-{index}"
            node_dir.mkdir(parents=True, exist_ok=True)
            options = ("--cluster-enabled", "yes", "--cluster-port", str(free_port()), "--cluster-node-timeout", "2000")
            nodes.append(RedisServer(node_dir, extra=options))
        return nodes

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    def start(self) -> None:
        # free ports are picked before the servers bind them: on a busy machine another process may take
        # one in between, so a cluster that cannot form is made again on new ports (at most three times)
        for attempt in range(3):
            self.nodes = self._new_nodes(attempt)
            try:
                self._form()
                return
            except (RuntimeError, subprocess.SubprocessError) as exc:
                self.stop()
                failure = exc
        raise RuntimeError(f"the cluster did not form: {failure}")

    def _form(self) -> None:
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        created = subprocess.run(  # noqa: S603
            [self.cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create: {(created.stdout + created.stderr)[-500:]}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(self._ok(node.port) for node in self.nodes):
                return
            time.sleep(0.1)
        raise RuntimeError("the cluster did not come up in time")

    @staticmethod
    def _ok(port: int) -> bool:
        with Redis(port=port) as node:
            info = node.execute_command("CLUSTER", "INFO")
        text = info.decode() if isinstance(info, bytes) else str(info)
        return "cluster_state:ok" in text

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
