"""A fresh, empty PostgreSQL database for one benchmark run, on SISAMU_DATABASE_URL's server or an embedded one."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from sisamu.storage.database import libpq_url, sqlalchemy_url
from sisamu.storage.embedded import EmbeddedPostgres


@contextmanager
def fresh_database(prefix: str = "sisamu_bench") -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database (dropped afterwards).

    On the server of SISAMU_DATABASE_URL if set, else on an embedded PostgreSQL in a 0755 temporary folder (the
    server runs as another user than root's private temporary folders allow)."""
    external = os.environ.get("SISAMU_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    folder.chmod(0o755)
    server = None
    try:
        if external:
            admin = libpq_url(
                make_url(external).set(database="postgres").render_as_string(hide_password=False)
            )
        else:
            server = EmbeddedPostgres(folder / "data")
            admin = libpq_url(make_url(server.start()).set(database="postgres").render_as_string(False))
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield sqlalchemy_url(make_url(admin).set(database=name).render_as_string(hide_password=False))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
