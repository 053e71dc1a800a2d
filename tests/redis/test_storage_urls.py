"""Storage URLs for one server, Sentinel and Cluster, and Redis clients given as storage."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import SSLConnection
from redis.asyncio.sentinel import SentinelConnectionPool, SentinelManagedSSLConnection

from aiohttp_eid import EidConfig
from aiohttp_eid.errors import ConfigurationError
from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.redis_connect import connect
from aiohttp_eid.session.redis_storage import RedisStorage
from example_app.settings import load_settings
from tests.support.configs import eidg
from tests.support.harness import HTML, SESSION_KEY, HarnessFactory
from tests.support.redis_logins import cookie_header, status_with, until_cached
from tests.support.redis_servers import RedisServer


def test_a_sentinel_url_names_the_sentinels_the_primary_and_both_sets_of_credentials() -> None:
    client = connect(
        "rediss+sentinel://app:p%40ss@[::1]:26379,10.0.0.2:26380,sentinel3/mymaster"
        "?db=2&ssl_ca_certs=/etc/eid/ca.pem&sentinel_username=watch&sentinel_password=s3cret"
    )
    assert isinstance(client, Redis)
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "mymaster"
    assert pool.connection_class is SentinelManagedSSLConnection  # TLS to the data nodes
    kwargs = pool.connection_kwargs
    assert (kwargs["db"], kwargs["username"], kwargs["password"]) == (2, "app", "p@ss")
    assert kwargs["ssl_ca_certs"] == "/etc/eid/ca.pem"
    sentinels = [s.connection_pool.connection_kwargs for s in pool.sentinel_manager.sentinels]
    assert [(s["host"], s["port"]) for s in sentinels] == [("::1", 26379), ("10.0.0.2", 26380), ("sentinel3", 26379)]
    for sentinel in sentinels:  # TLS and their own credentials to the sentinels
        assert (sentinel["username"], sentinel["password"]) == ("watch", "s3cret")
        assert sentinel["ssl_ca_certs"] == "/etc/eid/ca.pem"
    assert all(issubclass(s.connection_pool.connection_class, SSLConnection) for s in pool.sentinel_manager.sentinels)


def test_a_cluster_url_names_its_startup_nodes() -> None:
    client = connect("rediss+cluster://app:pw@127.0.0.1:7000,[::1]:7001?ssl_ca_certs=/etc/eid/ca.pem")
    assert isinstance(client, RedisCluster)
    nodes = client.nodes_manager.startup_nodes.values()
    assert sorted((n.host, n.port) for n in nodes) == [("127.0.0.1", 7000), ("::1", 7001)]
    kwargs = client.nodes_manager.connection_kwargs
    assert kwargs["connection_class"] is SSLConnection
    assert (kwargs["username"], kwargs["password"], kwargs["ssl_ca_certs"]) == ("app", "pw", "/etc/eid/ca.pem")


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://:hunter2@127.0.0.1:26379",  # no primary named
        "redis+cluster://:hunter2@127.0.0.1:7000/3",  # a database on Cluster
        "redis+cluster://:hunter2@127.0.0.1:7000?sentinel_password=x",
        "redis+sentinel://:hunter2@127.0.0.1:port/mymaster",
        "redis+queue://:hunter2@127.0.0.1:7000",
    ],
)
def test_a_wrong_url_is_a_configuration_error_that_does_not_show_the_password(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        connect(url)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "storage",
    [
        "redis+sentinel://127.0.0.1:26379/mymaster",
        "rediss+sentinel://127.0.0.1:26379/mymaster?ssl_ca_certs=/ca.pem",
        "redis+cluster://127.0.0.1:7000",
        "rediss+cluster://127.0.0.1:7000",
    ],
)
def test_eid_config_and_the_example_app_take_sentinel_and_cluster_urls(storage: str) -> None:
    assert EidConfig(providers=[eidg()], session_key=SESSION_KEY, storage=storage).storage == storage
    assert load_settings({"EID_REDIS_URL": storage}).eid.storage == storage


def test_eid_config_takes_a_redis_client_and_refuses_anything_else() -> None:
    for client in (Redis(), RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", 7000)])):
        assert EidConfig(providers=[eidg()], session_key=SESSION_KEY, storage=client).storage is client
    with pytest.raises(ConfigurationError, match="storage"):
        EidConfig(providers=[eidg()], session_key=SESSION_KEY, storage="memcached://127.0.0.1")
    with pytest.raises(ConfigurationError, match="storage"):
        EidConfig(providers=[eidg()], session_key=SESSION_KEY, storage=object())  # type: ignore[arg-type]


async def test_a_redis_client_given_as_storage_serves_logins_with_its_login_cache(
    harness_factory: HarnessFactory, redis_server: RedisServer, redis: Redis
) -> None:
    harness = await harness_factory(storage=Redis.from_url(redis_server.url))
    await harness.login()
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, RedisStorage)
    assert storage.tracker is not None
    header = cookie_header(harness)
    await until_cached(harness, redis, header)
    assert (await harness.client.post("/auth/logout", headers={**HTML, "Origin": harness.origin})).status == 200
    assert await status_with(harness, header) == 401
