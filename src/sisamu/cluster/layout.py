"""Where each part of the one-machine cluster lives: ports, folders, secrets, and the configuration files of etcd,
Patroni and HAProxy, rendered from them."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SCOPE = "sisamu"
NODES = ("pg1", "pg2")
WEB = ("web1", "web2")
DATABASE = "sisamu"


@dataclass(frozen=True)
class Ports:
    """Every port from one base (default 25000): none clashes with PostgreSQL 5432, RabbitMQ 5672/15672/25672 or
    MQTT 1883."""

    base: int = 25000

    @property
    def etcd_client(self) -> int:
        return self.base + 1

    @property
    def etcd_peer(self) -> int:
        return self.base + 2

    def postgres(self, node: int) -> int:
        return self.base + 11 + node

    def patroni(self, node: int) -> int:
        return self.base + 21 + node

    @property
    def database(self) -> int:
        """HAProxy's PostgreSQL front: always the current leader."""
        return self.base + 30

    @property
    def http(self) -> int:
        """HAProxy's HTTP front: the web instances."""
        return self.base + 40

    def web(self, index: int) -> int:
        return self.base + 41 + index


@dataclass(frozen=True)
class Secrets:
    superuser: str
    replication: str
    owner: str
    app: str
    secret_key: str
    totp_key: str

    @classmethod
    def load_or_create(cls, path: Path) -> Secrets:
        """The cluster's passwords and keys, generated once and kept (mode 0600) beside its data."""
        if path.exists():
            return cls(**json.loads(path.read_text()))
        made = cls(
            superuser=secrets.token_urlsafe(24),
            replication=secrets.token_urlsafe(24),
            owner=secrets.token_urlsafe(24),
            app=secrets.token_urlsafe(24),
            secret_key=secrets.token_urlsafe(32),
            totp_key=Fernet.generate_key().decode(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(made.__dict__, out)
        return made


@dataclass(frozen=True)
class Layout:
    """The cluster rooted at `root` with its ports from `ports.base`."""

    root: Path
    ports: Ports

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    def node_dir(self, node: int) -> Path:
        return self.root / NODES[node]

    def data_dir(self, node: int) -> Path:
        return self.node_dir(node) / "data"

    @property
    def secrets(self) -> Secrets:
        return Secrets.load_or_create(self.root / "secrets.json")

    def database_url(self, role: str) -> str:
        """libpq URL of `role` ('app', 'owner' or 'superuser') on the leader, through HAProxy."""
        users = {"app": "sisamu_app", "owner": "sisamu_owner", "superuser": "postgres"}
        password = getattr(self.secrets, role)
        database = "postgres" if role == "superuser" else DATABASE
        return f"postgresql://{users[role]}:{password}@127.0.0.1:{self.ports.database}/{database}"

    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.http}"

    def web_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports.web(index)}"

    def patroni_url(self, node: int) -> str:
        return f"http://127.0.0.1:{self.ports.patroni(node)}"

    # ---- configuration files ---------------------------------------------------------------------------------------

    def etcd_command(self) -> list[str]:
        client, peer = (
            f"http://127.0.0.1:{self.ports.etcd_client}",
            f"http://127.0.0.1:{self.ports.etcd_peer}",
        )
        return [
            "etcd",
            "--name=sisamu-etcd",
            f"--data-dir={self.root / 'etcd'}",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=sisamu-etcd={peer}",
            "--enable-v2=true",  # Debian's Patroni speaks etcd's v2 API (python3-etcd)
        ]

    def patroni_config(self, node: int) -> dict[str, Any]:
        """Patroni's configuration of `node`: synchronous replication, fail-over as soon as the primary's
        PostgreSQL dies (`primary_start_timeout` 0, safe because the standby is synchronous), a leader TTL of 20 s
        (a node lost whole: its Patroni with it) and fail-safe mode."""
        s, pg, rest = self.secrets, self.ports.postgres(node), self.ports.patroni(node)
        return {
            "scope": SCOPE,
            "name": NODES[node],
            "log": {"level": "INFO"},
            "restapi": {"listen": f"127.0.0.1:{rest}", "connect_address": f"127.0.0.1:{rest}"},
            "etcd": {"host": f"127.0.0.1:{self.ports.etcd_client}", "protocol": "http"},
            "bootstrap": {
                "dcs": {
                    "ttl": 20,
                    "loop_wait": 1,
                    "retry_timeout": 5,
                    # etcd slow or away (a loaded machine: fsyncs of seconds) does not demote a primary that
                    # every member still reaches by the REST API.
                    "failsafe_mode": True,
                    "maximum_lag_on_failover": 0,
                    "synchronous_mode": True,
                    "primary_start_timeout": 0,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "parameters": {
                            "wal_level": "replica",
                            "hot_standby": "on",
                            "wal_log_hints": "on",
                            "max_wal_senders": 10,
                            "max_replication_slots": 10,
                            "max_connections": 200,
                            "synchronous_commit": "on",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
                "pg_hba": [
                    "local all all trust",
                    "host replication replicator 127.0.0.1/32 scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                ],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{pg}",
                "connect_address": f"127.0.0.1:{pg}",
                "data_dir": str(self.data_dir(node)),
                "bin_dir": str(PG_BIN),
                "pgpass": str(self.node_dir(node) / "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": s.superuser},
                    "replication": {"username": "replicator", "password": s.replication},
                },
                "parameters": {"unix_socket_directories": str(self.node_dir(node))},
            },
        }

    def write_patroni_config(self, node: int) -> Path:
        path = self.node_dir(node) / "patroni.yml"
        # JSON is YAML: Patroni reads it as is.
        path.write_text(json.dumps(self.patroni_config(node), indent=2))
        path.chmod(0o600)
        return path

    def haproxy_config(self) -> str:
        """HAProxy: the PostgreSQL front goes to the node whose Patroni answers 200 on /primary, and cuts every
        session of a node marked down; the HTTP front balances the web instances (WebSocket included)."""
        p = self.ports
        pg_servers = "\n".join(
            f"    server {NODES[n]} 127.0.0.1:{p.postgres(n)} check port {p.patroni(n)}"
            for n in range(len(NODES))
        )
        web_servers = "\n".join(f"    server {WEB[n]} 127.0.0.1:{p.web(n)} check" for n in range(len(WEB)))
        return f"""global
    maxconn 4000

defaults
    timeout connect 1s
    timeout check 1s
    timeout queue 3s
    retries 2
    option redispatch

listen postgres_leader
    bind 127.0.0.1:{p.database}
    mode tcp
    timeout client 30m
    timeout server 30m
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
{pg_servers}

listen sisamu_web
    bind 127.0.0.1:{p.http}
    mode http
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    option forwardfor
    option httpchk GET /healthz
    balance roundrobin
    default-server inter 500ms fastinter 250ms fall 2 rise 2
{web_servers}
"""

    def web_environment(self, index: int) -> dict[str, str]:
        """The `SISAMU_*` settings of web instance `index`."""
        s = self.secrets
        return {
            "SISAMU_DATABASE_URL": self.database_url("app"),
            "SISAMU_DATA_DIR": str(self.root / WEB[index]),
            "SISAMU_SECRET_KEY": s.secret_key,
            "SISAMU_TOTP_KEY": s.totp_key,
            "SISAMU_TRUSTED_PROXIES": "127.0.0.1",
            "SISAMU_HUB_SAMUS": "",
        }
