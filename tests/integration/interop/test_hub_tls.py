"""Mutual TLS towards the Hub: a CA, a broker certificate and a client certificate generated here.

This machine's RabbitMQ has no TLS listener, and changing a shared broker's configuration is not safe: the broker
side is a local TLS server that demands a client certificate signed by the test CA, as the Hub's does
(`ssl_options.verify = verify_peer`, `fail_if_no_peer_cert = true`). The test checks the client half end to end:
the context sisamu builds, and the certificate aio-pika presents during its handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sisamu.config import Settings
from sisamu.hubsante.transport import TlsSettings, TransportSettings

CLIENT_ID = "fr.health.samu250"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(
    folder: Path,
    stem: str,
    cn: str,
    *,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
    usage: x509.ObjectIdentifier | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    issuer_cert, issuer_key = issuer or (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_cert.subject if issuer_cert else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    certificate = builder.sign(issuer_key, hashes.SHA256())
    (folder / f"{stem}.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / f"{stem}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificate, key


@dataclass
class Pki:
    folder: Path

    def tls(self, client: str = "client") -> TlsSettings:
        return TlsSettings(
            ca_file=self.folder / "ca.crt",
            cert_file=self.folder / f"{client}.crt",
            key_file=self.folder / f"{client}.key",
        )


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    ca = _issue(tmp_path, "ca", "sisamu test CA", ca=True)
    _issue(tmp_path, "broker", "localhost", issuer=ca, usage=ExtendedKeyUsageOID.SERVER_AUTH)
    _issue(tmp_path, "client", CLIENT_ID, issuer=ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    rogue_ca = _issue(tmp_path, "rogue-ca", "another CA", ca=True)
    _issue(tmp_path, "rogue", CLIENT_ID, issuer=rogue_ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    return Pki(tmp_path)


@dataclass
class TlsBroker:
    """Accepts TLS only with a client certificate from the test CA; records each peer's CN and TLS version."""

    port: int = 0
    peers: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
async def tls_broker(pki: Pki) -> AsyncIterator[TlsBroker]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.folder / "ca.crt"))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(str(pki.folder / "broker.crt"), str(pki.folder / "broker.key"))
    broker = TlsBroker()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peercert")
        subject = dict(item[0] for item in peer["subject"])
        broker.peers.append((subject["commonName"], writer.get_extra_info("ssl_object").version()))
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=context)
    broker.port = server.sockets[0].getsockname()[1]
    try:
        yield broker
    finally:
        server.close()
        await server.wait_closed()


async def test_client_context_presents_our_certificate(pki: Pki, tls_broker: TlsBroker) -> None:
    context = pki.tls().ssl_context()
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.verify_mode is ssl.CERT_REQUIRED
    _, writer = await asyncio.open_connection(
        "127.0.0.1", tls_broker.port, ssl=context, server_hostname="localhost"
    )
    writer.close()
    await writer.wait_closed()
    assert tls_broker.peers == [(CLIENT_ID, tls_broker.peers[0][1])]
    assert tls_broker.peers[0][1] in {"TLSv1.2", "TLSv1.3"}


async def test_aio_pika_connects_with_the_client_certificate_and_sasl_external(
    pki: Pki, tls_broker: TlsBroker
) -> None:
    transport = TransportSettings(
        client_id=CLIENT_ID, url=f"amqps://127.0.0.1:{tls_broker.port}/", vhost="hub", tls=pki.tls()
    )
    url = transport.connection_url()
    assert (url.scheme, url.port, url.user, url.path) == ("amqps", tls_broker.port, None, "/hub")
    assert url.query["auth"] == "external"
    with pytest.raises(Exception):  # noqa: B017 - the TLS peer is not an AMQP broker: the handshake is what we test
        await transport.connect()
    assert [cn for cn, _ in tls_broker.peers] == [CLIENT_ID]


async def _handshake_and_read(context: ssl.SSLContext, port: int) -> bytes:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=context, server_hostname="localhost"
    )
    try:
        return await asyncio.wait_for(reader.read(1), 5)
    finally:
        writer.close()
        with contextlib.suppress(ssl.SSLError, ConnectionError):
            await writer.wait_closed()


async def test_a_certificate_from_another_ca_is_refused(pki: Pki, tls_broker: TlsBroker) -> None:
    try:
        data = await _handshake_and_read(pki.tls("rogue").ssl_context(), tls_broker.port)
    except (ssl.SSLError, ConnectionError):  # TLS 1.2 fails the handshake, TLS 1.3 the first read
        data = b""
    assert data == b""
    assert tls_broker.peers == []  # the broker never accepted the session


def test_connection_url_without_tls_keeps_plain_credentials() -> None:
    transport = TransportSettings(client_id=CLIENT_ID, vhost="sisamu/hub")
    url = transport.connection_url()
    assert (url.scheme, url.user, url.password, url.port) == ("amqp", "guest", "guest", 5672)
    assert url.raw_path == "/sisamu%2Fhub"
    assert "auth" not in url.query
    assert transport.queues == (f"{CLIENT_ID}.message", f"{CLIENT_ID}.ack", f"{CLIENT_ID}.info")


def test_settings_from_environment(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "SISAMU_HUB_URL": "amqps://hub.example:5671/",
        "SISAMU_HUB_TLS_CERT": str(pki.folder / "client.crt"),
        "SISAMU_HUB_TLS_KEY": str(pki.folder / "client.key"),
        "SISAMU_HUB_TLS_CA": str(pki.folder / "ca.crt"),
        "SISAMU_HUB_SAMUS": "250, 680",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.hub_samus == ["250", "680"]
    transport = TransportSettings.from_settings(settings, CLIENT_ID)
    assert transport.client_id == CLIENT_ID
    assert transport.tls == pki.tls()
    assert transport.connection_url().query["auth"] == "external"
    with pytest.raises(ValueError, match="TLS_KEY"):
        TransportSettings.from_settings(settings.model_copy(update={"hub_tls_key": None}), CLIENT_ID)
