"""Redis over TLS with a private CA: the login cache's tracking connection uses the same
TLS settings as the main client (``rediss://...?ssl_ca_certs=``), not the system's CAs; and
Sentinel with TLS everywhere (``rediss+sentinel://``)."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from redis.asyncio import Redis

from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.redis_storage import RedisStorage
from tests.redis.topology import Sentinels
from tests.support.harness import HarnessFactory
from tests.support.redis_logins import cookie_header, status_with, until_cached
from tests.support.redis_servers import RedisServer


def _cert(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None, signer: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(signer, hashes.SHA256())


def private_ca(directory: Path) -> tuple[Path, Path, Path]:
    """A CA of the test's own and a certificate it issued for 127.0.0.1: (ca.pem, cert.pem, key.pem)."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _cert("aiohttp-eid test CA", ca_key, None, ca_key)
    cert = _cert("127.0.0.1", key, ca.subject, ca_key)
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RedisServer, Path]]:
    directory = Path(tmp_path_factory.mktemp("redis-tls"))
    ca, cert, key = private_ca(directory)
    server = RedisServer(directory)
    tls = ("--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-ca-cert-file", str(ca))
    server.extra = ("--port", "0", "--tls-port", str(server.port), *tls, "--tls-auth-clients", "no")
    server.start()
    yield server, ca
    server.stop()


@pytest_asyncio.fixture
async def tls_client(tls_redis: tuple[RedisServer, Path]) -> AsyncIterator[tuple[str, Redis]]:
    server, ca = tls_redis
    url = f"rediss://127.0.0.1:{server.port}/0?ssl_ca_certs={ca}"
    client = Redis.from_url(url)
    await client.flushdb()
    yield url, client
    await client.aclose()


async def test_tracking_uses_the_private_ca_of_the_storage_url(
    harness_factory: HarnessFactory, tls_client: tuple[str, Redis]
) -> None:
    url, redis = tls_client
    harness = await harness_factory(storage=url)
    await harness.login()
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, RedisStorage)
    header = cookie_header(harness)
    await until_cached(harness, redis, header)  # tracking is up, over TLS with our CA
    resp = await harness.client.post(
        "/auth/logout", headers={"Origin": harness.origin, "Accept": "text/html"}, allow_redirects=False
    )
    assert resp.status == 302
    assert await status_with(harness, header) == 401  # and it reports the logout at once


async def test_sentinel_over_tls_with_a_private_ca(harness_factory: HarnessFactory, tmp_path: Path) -> None:
    sentinels = Sentinels(tmp_path, tls=private_ca(tmp_path))  # TLS only: sentinels, primary, replica
    try:
        sentinels.start()
        harness = await harness_factory(storage=sentinels.url)
        await harness.login()
        header = cookie_header(harness)
        host, port = sentinels.primary_address()
        primary = Redis(host=host, port=port, **sentinels.client_options)
        try:
            await until_cached(harness, primary, header)  # tracking on the primary the sentinels name, over TLS
            resp = await harness.client.post(
                "/auth/logout", headers={"Origin": harness.origin, "Accept": "text/html"}, allow_redirects=False
            )
            assert resp.status == 302
            assert await status_with(harness, header) == 401
        finally:
            await primary.aclose()
    finally:
        sentinels.stop()
