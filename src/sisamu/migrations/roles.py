"""The application role's rights, granted by the owner role after every upgrade (idempotent).

Rows of every table: read, insert, update, delete — never TRUNCATE, REFERENCES or TRIGGER, and no ownership, so
the role can neither alter a table nor drop or disable a trigger. The audit trail is narrower: entries are read and
inserted, never updated or deleted; chain heads are only read (they move by trigger, `0011_audit_roles`); the
schema version is only read (the start-up check of `sisamu run`/`serve` needs it).
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

ROW_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"
NARROW = {
    "audit_event": "SELECT, INSERT",
    "audit_head": "SELECT",
    "crisis_log": "SELECT, INSERT",  # the crisis log is append-only too (0018_crisis)
    "alembic_version": "SELECT",
}
FUNCTIONS = ("sisamu_audit_head(varchar)",)


def grant_application_role(conn: Connection, role: str) -> None:
    """Give `role` what the application needs on the schema's tables, sequences and functions (as the owner)."""
    app = conn.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT {ROW_RIGHTS} ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA public TO {app}",
        # Tables and sequences the owner creates later (a test's own table, a migration run without a role).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {ROW_RIGHTS} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {app}",
    ):
        conn.execute(text(statement))
    for table, rights in NARROW.items():
        if conn.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
            continue
        conn.execute(text(f"REVOKE ALL ON {table} FROM {app}"))
        conn.execute(text(f"GRANT {rights} ON {table} TO {app}"))
    for function in FUNCTIONS:
        if conn.execute(text("SELECT to_regprocedure(:f)"), {"f": function}).scalar() is not None:
            conn.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {app}"))
    log.info("database role %s granted the application's rights", role)
