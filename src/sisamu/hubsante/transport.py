"""How to reach the Hub Santé broker: AMQP URL, client id, vhost, mutual TLS with SASL EXTERNAL or plain login.

The Hub identifies a client by its TLS client certificate (CN = client id) and SASL EXTERNAL; the local broker of
tests and the demo takes plain credentials. `TransportSettings.from_settings()` takes them from the `SISAMU_HUB_*`
settings (`sisamu.config`).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aio_pika
import yarl
from aio_pika.abc import AbstractRobustConnection

if TYPE_CHECKING:
    from sisamu.config import Settings

EXCHANGE = "hubsante"
QUEUE_SUFFIXES = ("message", "ack", "info")
CONTENT_TYPE = "application/json"
DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """Mutual TLS: our client certificate and key, the CA that signed the broker's certificate.

    `external_auth` asks for SASL EXTERNAL (identity = certificate CN, as on the Hub); otherwise the URL's
    user and password are sent over the TLS connection.
    """

    ca_file: Path
    cert_file: Path
    key_file: Path
    key_password: str | None = None
    server_hostname: str | None = None
    external_auth: bool = True
    check_hostname: bool = True

    def ssl_context(self) -> ssl.SSLContext:
        """A client context: TLS ≥ 1.2, broker certificate verified against `ca_file`, our certificate presented."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_file))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = self.check_hostname
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_cert_chain(str(self.cert_file), str(self.key_file), password=self.key_password)
        return context


@dataclass(frozen=True, slots=True)
class TransportSettings:
    """One client's connection to the Hub (or the local hub): who we are and where the broker is.

    `url` is an AMQP URL (`amqp://user:pass@host:5672/` or `amqps://host:5671/`); `vhost`, when given, replaces
    its path. `client_id` (`fr.health.samu250`) is the routing key we publish with and the prefix of our queues.
    """

    client_id: str
    url: str = DEFAULT_URL
    vhost: str | None = None
    exchange: str = EXCHANGE
    queue_prefix: str = ""
    tls: TlsSettings | None = None
    prefetch: int = 32
    heartbeat_s: int = 30
    connect_timeout_s: float = 10.0
    confirm_timeout_s: float = 10.0
    reconnect_min_s: float = 0.2
    reconnect_max_s: float = 10.0
    client_properties: Mapping[str, str] = field(default_factory=dict)

    def queue(self, suffix: str) -> str:
        """`message` → `fr.health.samu250.message`."""
        return f"{self.queue_prefix}{self.client_id}.{suffix}"

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(self.queue(suffix) for suffix in QUEUE_SUFFIXES)

    def with_vhost(self, vhost: str) -> TransportSettings:
        return replace(self, vhost=vhost)

    def connection_url(self) -> yarl.URL:
        """The URL given to aio-pika: vhost as path, `auth=external` with SASL EXTERNAL, `heartbeat`."""
        url = yarl.URL(self.url)
        if self.vhost is not None:
            url = url.with_path("/" + quote(self.vhost, safe=""), encoded=True)
        query: dict[str, str] = dict(url.query)
        query["heartbeat"] = str(self.heartbeat_s)
        if self.tls is not None:
            if url.scheme != "amqps":
                url = url.with_scheme("amqps")
                if url.explicit_port is None or url.port == 5672:  # noqa: PLR2004
                    url = url.with_port(5671)
            if self.tls.external_auth:
                query["auth"] = "external"
                url = url.with_user(None)
        return url.with_query(query)

    def connection_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "timeout": self.connect_timeout_s,
            "client_properties": {"connection_name": self.client_id, **self.client_properties},
        }
        if self.tls is not None:
            kwargs["ssl_context"] = self.tls.ssl_context()
            if self.tls.server_hostname:
                kwargs["server_hostname"] = self.tls.server_hostname
        return kwargs

    async def connect(self) -> aio_pika.abc.AbstractConnection:
        """A plain (non-robust) connection: callers own reconnection so that no confirm or ack is lost silently."""
        connection: aio_pika.abc.AbstractConnection = await aio_pika.connect(
            self.connection_url(), **self.connection_kwargs()
        )
        return connection

    async def connect_robust(self) -> AbstractRobustConnection:
        connection: AbstractRobustConnection = await aio_pika.connect_robust(
            self.connection_url(), **self.connection_kwargs()
        )
        return connection

    @classmethod
    def from_settings(cls, settings: Settings, client_id: str) -> TransportSettings:
        """The broker and TLS of `settings` (`SISAMU_HUB_*`) for the Hub client `client_id`."""
        tls = None
        if settings.hub_tls_cert is not None:
            if settings.hub_tls_key is None or settings.hub_tls_ca is None:
                raise ValueError(
                    "SISAMU_HUB_TLS_KEY and SISAMU_HUB_TLS_CA are required with SISAMU_HUB_TLS_CERT"
                )
            tls = TlsSettings(
                ca_file=settings.hub_tls_ca,
                cert_file=settings.hub_tls_cert,
                key_file=settings.hub_tls_key,
                key_password=settings.hub_tls_key_password,
                server_hostname=settings.hub_tls_server_hostname,
                external_auth=settings.hub_tls_external,
            )
        return cls(client_id=client_id, url=settings.hub_url, vhost=settings.hub_vhost, tls=tls)
