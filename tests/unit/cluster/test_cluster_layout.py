"""The cluster's configuration files (issue 15), checked by the programs that read them: HAProxy's `-c` and
Patroni's `--validate-config`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sisamu.cluster.layout import Layout, Ports, Secrets
from support import missing_service

# What Patroni's validator says of any one-machine cluster: addresses on loopback (it expects several hosts), etcd
# not started yet, pg_rewind running as the superuser (no separate rewind role).
ACCEPTED = ('must not contain "127.0.0.1"', "is not reachable", "authentication.rewind  is not defined")


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    built = Layout(tmp_path / "cluster", Ports(27000))
    built.root.mkdir()
    return built


def _program(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing_service(f"{name} missing (apt-get install {package})")
    return found


def test_ports_do_not_clash_with_the_machine_s_services_nor_each_other() -> None:
    ports = Ports()
    used = [ports.etcd_client, ports.etcd_peer, ports.postgres(0), ports.postgres(1), ports.patroni(0),
            ports.patroni(1), ports.database, ports.http, ports.web(0), ports.web(1)]  # fmt: skip
    assert len(set(used)) == len(used)
    assert not {5432, 5672, 15672, 25672, 1883} & set(used)


def test_secrets_are_generated_once_and_private(layout: Layout) -> None:
    first = layout.secrets
    assert layout.secrets == first
    path = layout.root / "secrets.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["app"] == first.app
    assert len({first.superuser, first.replication, first.owner, first.app}) == 4
    assert Secrets.load_or_create(path) == first


def test_haproxy_accepts_its_configuration_and_routes_postgresql_to_the_patroni_leader(
    layout: Layout,
) -> None:
    config = layout.haproxy_config()
    assert "option httpchk GET /primary" in config
    assert "on-marked-down shutdown-sessions" in config
    path = layout.root / "haproxy.cfg"
    path.write_text(config)
    checked = subprocess.run(
        [_program("haproxy", "haproxy"), "-c", "-f", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_patroni_accepts_each_node_s_configuration(layout: Layout) -> None:
    patroni = _program("patroni", "patroni")
    for node in (0, 1):
        layout.node_dir(node).mkdir()
        config = layout.patroni_config(node)
        dcs = config["bootstrap"]["dcs"]
        assert dcs["synchronous_mode"] is True
        assert dcs["primary_start_timeout"] == 0
        assert dcs["loop_wait"] + 2 * dcs["retry_timeout"] <= dcs["ttl"]
        checked = subprocess.run(
            [patroni, "--validate-config", str(layout.write_patroni_config(node))],
            capture_output=True,
            text=True,
            check=False,
        )
        complaints = [
            line
            for line in (checked.stdout + checked.stderr).splitlines()
            if line.strip() and not any(accepted in line for accepted in ACCEPTED)
        ]
        assert complaints == []
