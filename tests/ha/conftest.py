"""The fault suite (issue 15) runs on a real cluster started by `sisamu cluster up` (etcd, Patroni, HAProxy, two
`sisamu run`): `scripts/faults`. It takes a few minutes, so `scripts/test` leaves it out (SISAMU_FAULTS unset)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults_support import ARMS, SAMUS, sisamu

from processes import ARTIFACTS, sisamu_command
from sisamu.cluster import control, processes
from sisamu.cluster.layout import NODES, WEB, Layout, Ports
from support import missing_service


@pytest.fixture(scope="session")
def cluster() -> Iterator[Layout]:
    """A cluster of our own, on ports away from any developer's (`--port-base 26000`), removed afterwards."""
    missing = control.missing_programs()
    if missing:
        missing_service(f"the cluster needs: apt-get install {' '.join(missing)}")
    root = Path(tempfile.mkdtemp(prefix="sisamu-ha-"))
    root.chmod(0o755)
    layout = Layout(root / "cluster", Ports(int(os.environ.get("SISAMU_FAULTS_PORT_BASE", "26000"))))
    where = ["--dir", str(layout.root), "--port-base", str(layout.ports.base)]
    try:
        sisamu("cluster", "up", *where)
        yield layout
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        if layout.log_dir.exists():
            shutil.copytree(layout.log_dir, ARTIFACTS / "ha-logs", dirs_exist_ok=True)
        running = _pids(layout)
        subprocess.run([*sisamu_command(), "cluster", "down", "--purge", *where], check=False, timeout=120)
        left = [pid for pid in running if processes.alive(pid)]
        shutil.rmtree(root, ignore_errors=True)
        assert left == [], f"`sisamu cluster down` left processes running: {left}"


def _pids(layout: Layout) -> list[int]:
    """Every process of the cluster: those it started and the PostgreSQL servers Patroni started."""
    names = ["etcd", *(f"patroni-{node}" for node in NODES), "haproxy", *WEB]
    found = [processes.pid_of(layout, name) for name in names]
    found += [processes.postmaster_pid(layout.data_dir(n)) for n in range(len(NODES))]
    return [pid for pid in found if pid is not None]


@pytest.fixture(scope="session")
def load_tokens(cluster: Layout, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Gateway and ARM tokens of the load accounts of SAMUs 250 and 680 (`sisamu load setup`)."""
    out = tmp_path_factory.mktemp("load") / "tokens.json"
    samus = [arg for samu in SAMUS for arg in ("--samu", samu)]
    sisamu(
        "load", "setup", cluster.database_url("app"), *samus, "--arms", str(ARMS), "--url", cluster.http_url(),
        "--out", str(out),
    )  # fmt: skip
    assert set(json.loads(out.read_text())["samus"]) == set(SAMUS)
    return out
