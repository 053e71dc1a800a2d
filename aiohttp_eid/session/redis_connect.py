"""Redis clients from storage URLs: one server, Sentinel or Cluster (redis-py's own clients).

- ``redis://``, ``rediss://``, ``unix://``: one server, as redis-py reads the URL.
- ``redis+sentinel://[user:password@]host:26379,host2:26379/mymaster[?db=0]``: the
  primary that the sentinels name, followed through failovers by redis-py's ``Sentinel``.
  ``user:password@`` authenticates to the data nodes; the sentinels' own credentials
  go in ``?sentinel_username=&sentinel_password=``.
- ``redis+cluster://[user:password@]host:7000,host2:7001``: redis-py's ``RedisCluster``.
- ``rediss+sentinel://`` and ``rediss+cluster://``: TLS to every node (sentinels
  included), with the ``ssl_*`` query parameters of ``rediss://``.

IPv6 hosts go in brackets. The query parameters are read by redis-py's own URL
parser, so they mean exactly what they mean in a ``rediss://`` URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode

from ..errors import ConfigurationError
from .redis_tracking import RedisTarget

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.cluster import RedisCluster

__all__ = ["SCHEMES", "connect", "is_redis_storage", "tracking_target"]

#: the storage URL schemes of Redis
SCHEMES = (
    "redis://",
    "rediss://",
    "unix://",
    "redis+sentinel://",
    "rediss+sentinel://",
    "redis+cluster://",
    "rediss+cluster://",
)
# short timeouts: a Redis that is down must give a 503 quickly, not hang requests
_TIMEOUTS: dict[str, Any] = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}
_SENTINEL_AUTH = ("sentinel_username", "sentinel_password")


def is_redis_storage(storage: object) -> bool:
    """Whether ``EidConfig(storage=...)`` names Redis: a Redis URL or a redis.asyncio client."""
    if isinstance(storage, str):
        return storage.startswith(SCHEMES)
    try:
        from redis.asyncio import Redis
        from redis.asyncio.cluster import RedisCluster
    except ImportError:
        return False  # then it cannot be one
    return isinstance(storage, Redis | RedisCluster)


def connect(url: str) -> Redis | RedisCluster:
    """The client for a storage URL; ConfigurationError (never naming the password) if it is wrong."""
    from redis.asyncio import BlockingConnectionPool, Redis

    scheme, _, rest = url.partition("://")
    try:
        if scheme in ("redis", "rediss", "unix"):
            # a blocking pool makes a burst wait briefly for a connection instead of failing
            pool = BlockingConnectionPool.from_url(url, max_connections=256, timeout=2.0, **_TIMEOUTS)
            return Redis(connection_pool=pool)
        tls, _, kind = scheme.partition("+")
        if tls not in ("redis", "rediss") or kind not in ("sentinel", "cluster"):
            raise ValueError(f"unknown scheme {scheme}://")
        return _sentinel(tls, rest) if kind == "sentinel" else _cluster(tls, rest)
    except ValueError as exc:
        raise ConfigurationError([f"storage: {exc} (expected {', '.join(SCHEMES)})"]) from None


def _sentinel(tls: str, rest: str) -> Redis:
    from redis.asyncio import Redis
    from redis.asyncio.sentinel import Sentinel

    hosts, service, options, sentinel_auth = _parse(tls, rest)
    if not service:
        raise ValueError("a Sentinel URL names its primary: redis+sentinel://host:26379/mymaster")
    ssl = options.pop("connection_class", None) is not None
    sentinel_kwargs = {**_TIMEOUTS, **_ssl_options(options), **sentinel_auth}
    if ssl:
        sentinel_kwargs["ssl"] = True
    sentinel = Sentinel(hosts, sentinel_kwargs=sentinel_kwargs, **_TIMEOUTS)
    client: Redis = sentinel.master_for(service, redis_class=Redis, ssl=ssl, **options)
    return client


def _cluster(tls: str, rest: str) -> RedisCluster:
    from redis.asyncio.cluster import ClusterNode, RedisCluster

    hosts, path, options, sentinel_auth = _parse(tls, rest)
    if path or sentinel_auth or options.get("db"):
        raise ValueError("a Cluster URL has no database, path or sentinel_* parameters")
    options.pop("db", None)
    ssl = options.pop("connection_class", None) is not None
    nodes = [ClusterNode(host, port) for host, port in hosts]
    options.update(_TIMEOUTS)
    return RedisCluster(startup_nodes=nodes, ssl=ssl, max_connections=256, **options)


def _parse(tls: str, rest: str) -> tuple[list[tuple[str, int]], str, dict[str, Any], dict[str, str]]:
    """Hosts, the path (a Sentinel's service name), redis-py's options, the sentinels' credentials."""
    from redis.asyncio.connection import parse_url

    location, _, query = rest.partition("?")
    netloc, _, path = location.partition("/")
    userinfo, _, hostlist = netloc.rpartition("@")
    pairs = parse_qsl(query, keep_blank_values=True)
    sentinel_auth = {name.removeprefix("sentinel_"): value for name, value in pairs if name in _SENTINEL_AUTH}
    others = urlencode([(name, value) for name, value in pairs if name not in _SENTINEL_AUTH])
    hosts = [_host(part, 26379 if path else 6379) for part in hostlist.split(",")]
    # redis-py reads the credentials and the query as it does for one server
    options: dict[str, Any] = dict(parse_url(f"{tls}://{userinfo + '@' if userinfo else ''}h/?{others}"))
    options.pop("host", None)
    return hosts, unquote(path).strip("/"), options, sentinel_auth


def _ssl_options(options: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in options.items() if name.startswith("ssl_")}


def _host(part: str, default_port: int) -> tuple[str, int]:
    part = part.strip()
    if part.startswith("["):
        host, _, port = part[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = part.rpartition(":") if ":" in part else (part, "", "")
    port = port or str(default_port)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a host[:port]: {part!r}")
    return unquote(host), int(port)


def tracking_target(client: Redis | RedisCluster) -> Callable[[], Awaitable[RedisTarget]] | None:
    """Where the login cache's tracking connection goes: the node the client writes to, with
    the TLS and credentials of the client's own pool. None on Cluster (no tracking there)."""
    from redis.asyncio.cluster import RedisCluster
    from redis.asyncio.connection import SSLConnection
    from redis.asyncio.sentinel import SentinelConnectionPool
    from redis.exceptions import RedisError

    if isinstance(client, RedisCluster):
        return None
    pool = client.connection_pool

    async def target() -> RedisTarget:
        connection = pool.connection_class(**pool.connection_kwargs)  # never connected: its settings
        host, port = str(getattr(connection, "host", "127.0.0.1")), int(getattr(connection, "port", 6379))
        current = None
        if isinstance(pool, SentinelConnectionPool):
            try:
                address = await pool.get_master_address()  # type: ignore[no-untyped-call]
            except RedisError as exc:
                raise ConnectionError(f"no primary from the sentinels ({type(exc).__name__})") from None
            host, port = str(address[0]), int(address[1])

            def current() -> bool:
                return bool(pool.master_address == address)

        username, password = connection.username, connection.password
        if connection.credential_provider is not None:
            credentials = await connection.credential_provider.get_credentials_async()
            username, password = (None, credentials[0]) if len(credentials) == 1 else credentials[:2]
        return RedisTarget(
            host=host,
            port=port,
            path=getattr(connection, "path", None) or None,
            ssl=connection.ssl_context.get() if isinstance(connection, SSLConnection) else None,
            username=username,
            password=password,
            current=current,
        )

    return target
