"""How to reach the Hub Santé broker: AMQP URL, client id, vhost, mutual TLS with SASL EXTERNAL or plain login.

The Hub identifies a client by its TLS client certificate (CN = client id) and SASL EXTERNAL; the local broker of
tests and the demo takes plain credentials. `TransportSettings.from_env()` reads `SISAMU_HUB_*` variables.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aio_pika
import yarl
from aio_pika.abc import AbstractRobustConnection

EXCHANGE = "hubsante"
QUEUE_SUFFIXES = ("message", "ack", "info")
CONTENT_TYPE = "application/json"
DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
ENV_PREFIX = "SISAMU_HUB_"


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
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, client_id: str | None = None
    ) -> TransportSettings:
        """`SISAMU_HUB_CLIENT_ID`, `_URL`, `_VHOST`; mutual TLS when `_TLS_CERT` is set (`_TLS_KEY`, `_TLS_CA`,
        `_TLS_KEY_PASSWORD`, `_TLS_SERVER_HOSTNAME`, `_TLS_EXTERNAL` = 1/0)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(ENV_PREFIX + name) or None

        identity = client_id or get("CLIENT_ID")
        if not identity:
            raise ValueError(f"{ENV_PREFIX}CLIENT_ID is required")
        tls = None
        if cert := get("TLS_CERT"):
            key, ca = get("TLS_KEY"), get("TLS_CA")
            if not key or not ca:
                raise ValueError(f"{ENV_PREFIX}TLS_KEY and {ENV_PREFIX}TLS_CA are required with TLS_CERT")
            tls = TlsSettings(
                ca_file=Path(ca),
                cert_file=Path(cert),
                key_file=Path(key),
                key_password=get("TLS_KEY_PASSWORD"),
                server_hostname=get("TLS_SERVER_HOSTNAME"),
                external_auth=(get("TLS_EXTERNAL") or "1") not in {"0", "false", "no"},
            )
        return cls(client_id=identity, url=get("URL") or DEFAULT_URL, vhost=get("VHOST"), tls=tls)
