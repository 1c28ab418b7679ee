"""`up`, `down` and `status` of the one-machine cluster, in the order the parts depend on each other."""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from sisamu.cluster import processes
from sisamu.cluster.layout import NODES, PG_BIN, WEB, Layout

log = logging.getLogger(__name__)

# Each step's longest wait: generous, for a loaded machine (bootstrapping a standby copies the primary).
WAIT_S = 300
REQUIRED = {"etcd": "etcd-server", "patroni": "patroni", "haproxy": "haproxy"}


def missing_programs() -> list[str]:
    """The Debian packages to install for the programs not found."""
    missing = [package for program, package in REQUIRED.items() if shutil.which(program) is None]
    if not (PG_BIN / "postgres").exists():
        missing.append("postgresql-15")
    return missing


def sisamu_command() -> list[str]:
    script = Path(sys.executable).parent / "sisamu"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from sisamu.cli import main; main()"]


# ---- state ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    role: str  # leader, sync_standby, replica
    state: str  # running, streaming, stopped…
    lag: Any
    timeline: int | None


def members(layout: Layout) -> list[Member]:
    """The Patroni cluster's members as any reachable node sees them (empty when none answers)."""
    for node in range(len(NODES)):
        try:
            found = httpx.get(layout.patroni_url(node) + "/cluster", timeout=1).json()
        except (httpx.HTTPError, ValueError):
            continue
        return [
            Member(m["name"], m["role"], m.get("state", ""), m.get("lag"), m.get("timeline"))
            for m in found.get("members", [])
        ]
    return []


def leader(layout: Layout) -> str | None:
    return next((m.name for m in members(layout) if m.role == "leader"), None)


def sync_standby(layout: Layout) -> str | None:
    return next((m.name for m in members(layout) if m.role == "sync_standby"), None)


def ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=2).status_code == 200  # noqa: PLR2004
    except httpx.HTTPError:
        return False


# ---- up ------------------------------------------------------------------------------------------------------------


def up(layout: Layout, *, seed: str = "pilots", say: Any = print) -> None:
    """Start every part that is not running, then migrate and seed; idempotent."""
    missing = missing_programs()
    if missing:
        raise RuntimeError(f"missing programs: apt-get install {' '.join(missing)}")
    layout.root.mkdir(parents=True, exist_ok=True)
    layout.root.chmod(0o755)  # the `postgres` user reaches its node folders through it
    secrets = layout.secrets  # generated now, before any process reads them
    say(f"etcd on 127.0.0.1:{layout.ports.etcd_client}")
    processes.start(layout, "etcd", layout.etcd_command())
    processes.wait_until(
        lambda: httpx.get(f"http://127.0.0.1:{layout.ports.etcd_client}/health", timeout=1).is_success,
        30,
        "etcd",
    )
    for node in range(len(NODES)):
        _start_patroni(layout, node)
        say(f"Patroni {NODES[node]}: PostgreSQL on 127.0.0.1:{layout.ports.postgres(node)}")
        if node == 0:
            processes.wait_until(lambda: leader(layout) is not None, WAIT_S, "a Patroni leader")
    processes.wait_until(
        lambda: (
            sync_standby(layout) is not None
            and all(m.state in {"running", "streaming"} for m in members(layout))
        ),
        WAIT_S,
        "the synchronous standby",
    )
    say(f"leader {leader(layout)}, synchronous standby {sync_standby(layout)}")
    config = layout.root / "haproxy.cfg"
    config.write_text(layout.haproxy_config())
    processes.start(layout, "haproxy", ["haproxy", "-f", str(config)])
    # HAProxy deems every server up until its first checks: wait until the standby is out of rotation.
    processes.wait_until(
        lambda: _steadily_leader(layout.database_url("superuser")), WAIT_S, "HAProxy to the leader"
    )
    say(f"HAProxy: PostgreSQL leader on 127.0.0.1:{layout.ports.database}, web on {layout.http_url()}")
    _create_database(layout, secrets.owner, secrets.app)
    env = {
        "SISAMU_DATABASE_URL": layout.database_url("app"),
        "SISAMU_MIGRATION_DATABASE_URL": layout.database_url("owner"),
    }
    _sisamu(layout, ["db", "upgrade"], env)
    if seed:
        _sisamu(layout, ["seed", seed], env)
    for index in range(len(WEB)):
        port = layout.ports.web(index)
        processes.start(
            layout,
            WEB[index],
            [*sisamu_command(), "run", "--host", "127.0.0.1", "--port", str(port)],
            env=layout.web_environment(index),
        )
    for index in range(len(WEB)):
        processes.wait_until(lambda i=index: ready(layout.web_url(i)), WAIT_S, f"web instance {WEB[index]}")  # type: ignore[misc]
        say(f"sisamu {WEB[index]} on {layout.web_url(index)}")
    processes.wait_until(lambda: ready(layout.http_url()), WAIT_S, "HAProxy to the web instances")
    say(f"ready: {layout.http_url()}")


def _start_patroni(layout: Layout, node: int) -> None:
    node_dir = layout.node_dir(node)
    node_dir.mkdir(parents=True, exist_ok=True)
    config = layout.write_patroni_config(node)
    user = None
    if processes.run_as_postgres():
        owner = pwd.getpwnam("postgres")
        for path in (node_dir, config):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        node_dir.chmod(0o700)
        user = "postgres"
    processes.start(layout, f"patroni-{NODES[node]}", ["patroni", str(config)], user=user)


def _steadily_leader(url: str, *, tries: int = 8) -> bool:
    """Every connection for `tries` × 0.25 s reaches the leader."""
    for _ in range(tries):
        if not _connects(url):
            return False
        time.sleep(0.25)
    return True


def _connects(url: str) -> bool:
    with psycopg.connect(url, connect_timeout=2) as conn:
        return not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]  # type: ignore[index]


def _create_database(layout: Layout, owner_password: str, app_password: str) -> None:
    """The two roles of docs/deploy.md and the database, owned by `sisamu_owner` (idempotent)."""
    with psycopg.connect(layout.database_url("superuser"), autocommit=True) as conn:
        for role, password in (("sisamu_owner", owner_password), ("sisamu_app", app_password)):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'sisamu'").fetchone():
            conn.execute("CREATE DATABASE sisamu OWNER sisamu_owner")


def _sisamu(layout: Layout, args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - our own command
        [*sisamu_command(), *args],
        env={**os.environ, "SISAMU_DATA_DIR": str(layout.root / "cli"), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sisamu {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def switchover(layout: Layout) -> str:
    """A planned switch-over (`patronictl switchover`): the synchronous standby becomes the leader; its name."""
    current, candidate = leader(layout), sync_standby(layout)
    if current is None or candidate is None:
        raise RuntimeError(f"no switch-over without a leader and a synchronous standby: {members(layout)}")
    config = layout.node_dir(NODES.index(current)) / "patroni.yml"
    done = subprocess.run(  # noqa: S603 - Patroni's own tool
        [
            shutil.which("patronictl") or "/usr/bin/patronictl",
            "-c",
            str(config),
            "switchover",
            "--leader",
            current,
            "--candidate",
            candidate,
            "--force",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"patronictl switchover failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    processes.wait_until(lambda: leader(layout) == candidate, WAIT_S, f"{candidate} to lead")
    return candidate


# ---- down and status -------------------------------------------------------------------------------------------------


def down(layout: Layout, *, purge: bool = False, say: Any = print) -> None:
    """Stop every process of the cluster (web, HAProxy, Patroni and its PostgreSQL servers, etcd); `purge` then
    removes the data."""
    for name in (*WEB, "haproxy"):
        if processes.stop(layout, name):
            say(f"stopped {name}")
    for node in range(len(NODES)):
        if processes.stop(layout, f"patroni-{NODES[node]}", timeout=30):
            say(f"stopped patroni-{NODES[node]}")
        postmaster = processes.postmaster_pid(layout.data_dir(node))
        if postmaster is not None:  # left by a Patroni that was killed
            processes.stop_pid(postmaster)
            say(f"stopped PostgreSQL of {NODES[node]}")
    if processes.stop(layout, "etcd"):
        say("stopped etcd")
    if purge and layout.root.exists():
        shutil.rmtree(layout.root)
        say(f"removed {layout.root}")


def status(layout: Layout) -> dict[str, Any]:
    """What runs: each process, the Patroni members with their roles, each web instance's readiness."""
    names = ["etcd", *(f"patroni-{n}" for n in NODES), "haproxy", *WEB]
    return {
        "root": str(layout.root),
        "processes": {name: processes.pid_of(layout, name) for name in names},
        "postgres": {NODES[n]: processes.postmaster_pid(layout.data_dir(n)) for n in range(len(NODES))},
        "members": [m.__dict__ for m in members(layout)],
        "web": {WEB[i]: ready(layout.web_url(i)) for i in range(len(WEB))},
        "url": layout.http_url(),
        "database_port": layout.ports.database,
        "ready": ready(layout.http_url()),
    }
