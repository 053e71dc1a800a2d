"""Writes that must survive a failover: confirmed by a replica (``WAIT``) before they count.

Redis replicates asynchronously: a write the primary acknowledged is lost if the
primary dies before a replica got it, and the replica promoted in its place
(Sentinel, Cluster) would bring back a deleted session or forget a login. So a
login, a logout, ``logout_everywhere`` and the refresh hand-off are sent with
``INFO replication`` and ``WAIT 1 <ms>`` in one pipeline on one connection to the node that
holds the key: the write counts once a replica has it, and fails (503) if none
confirms in time while one is connected. With no replica connected (right after
the failover of a primary that had one) the write proceeds, with one warning.

Whether to ``WAIT`` is decided from the replicas the node had at its previous
durable write (``INFO`` in every such pipeline keeps that current; the first write
to a node asks first): a replica that has just connected is waited for from the
next write on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.cluster import RedisCluster

__all__ = ["Durable", "ReplicaUnconfirmedError"]

log = logging.getLogger("aiohttp_eid.session")

#: how long a durable write waits for a replica's acknowledgement
WAIT_MS = 1000


class ReplicaUnconfirmedError(Exception):
    """No replica confirmed a write in time although one is connected (the write may be lost)."""


class Durable:
    """Runs writes on the node holding a key, confirmed by a replica while one is connected."""

    def __init__(self, redis: Redis | RedisCluster, *, wait_ms: int = WAIT_MS) -> None:
        self.redis = redis
        self._wait_ms = wait_ms
        self._replicas: dict[str, int] = {}  # node name: replicas it had at its last durable write
        self._warned: set[str] = set()

    async def run(self, key: str, *commands: tuple[Any, ...]) -> list[Any]:
        """Send ``commands`` (all on ``key``'s slot) in one pipeline; their results.

        Raises ReplicaUnconfirmedError (and the client's errors) when the write may be lost.
        """
        from redis.asyncio.cluster import RedisCluster

        target: dict[str, Any] = {}
        node_name = ""
        if isinstance(self.redis, RedisCluster):
            await self.redis.initialize()
            node = self.redis.get_node_from_key(key)
            target = {"target_nodes": node}
            node_name = node.name if node is not None else ""
        if node_name not in self._replicas:  # first write to this node: ask, rather than WAIT for nothing
            self._replicas[node_name] = _online_replicas(
                await self.redis.execute_command("INFO", "replication", **target)
            )
        must_wait = self._replicas[node_name] > 0
        async with self.redis.pipeline(transaction=False) as pipe:
            for command in commands:
                pipe.execute_command(*command)
            count = len(commands)
            pipe.execute_command("INFO", "replication", **target)
            if must_wait:
                pipe.execute_command("WAIT", 1, self._wait_ms, **target)
            results = await pipe.execute()
        replicas = _online_replicas(results[count])
        self._replicas[node_name] = replicas
        confirmed = int(results[count + 1]) if must_wait else 0
        if confirmed >= 1:
            self._warned.discard(node_name)
        elif replicas > 0 and must_wait:
            raise ReplicaUnconfirmedError(f"no replica confirmed the write within {self._wait_ms} ms")
        elif replicas == 0 and node_name not in self._warned:
            self._warned.add(node_name)
            log.warning("Redis has no replica connected: session writes are not confirmed by a replica")
        return list(results[:count])


def _online_replicas(info: object) -> int:
    """How many replicas an ``INFO replication`` answer shows in sync (one still in its first
    sync confirms nothing yet); ReplicaUnconfirmedError if the node is no longer a primary."""
    if not isinstance(info, dict) or info.get("role") != "master":
        raise ReplicaUnconfirmedError("the node holding the key is no longer the primary")
    return sum(1 for value in info.values() if isinstance(value, dict) and value.get("state") == "online")
