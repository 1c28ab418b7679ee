"""Statements of the hottest path run straight on psycopg, inside the SQLAlchemy transaction.

A statement still comes from SQLAlchemy Core (tables, columns, bound parameters): it is compiled once, for the
PostgreSQL psycopg dialect, to SQL text with `%(name)s` placeholders, then each execution hands that text and the
parameters to the transaction's own psycopg connection (which prepares it server-side after a few uses). That skips
SQLAlchemy's per-execution work (cache key, parameter processing, result wrapping): about 45 µs of CPU a statement
here, a fifth of a telephony command's server time (`benchmarks/acd.py`). Rows come back as named tuples, read by
attribute as SQLAlchemy rows are; errors are raised as SQLAlchemy's (`IntegrityError`…), and a connection found
dead is invalidated as SQLAlchemy would. Only for columns whose Python values psycopg converts as SQLAlchemy would
(strings, numbers, aware datetimes, UUIDs, arrays): no JSON, no custom types.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.base import Executable

_DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]
_compiled: dict[tuple[int, tuple[str, ...]], tuple[Executable, str, dict[str, Any]]] = {}
_lock = threading.Lock()


def _compile(statement: Executable, keys: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """SQL text and default parameters of `statement`, for an INSERT/UPDATE setting the columns `keys` (if any)."""
    found = _compiled.get((id(statement), keys))
    if found is None or found[0] is not statement:  # kept with its key, so that an id is never reused
        compiled = statement.compile(dialect=_DIALECT, column_keys=list(keys) or None)  # type: ignore[attr-defined]
        defaults = {k: v for k, v in compiled.params.items() if v is not None and k not in keys}
        found = (statement, str(compiled), defaults)
        with _lock:
            _compiled[(id(statement), keys)] = found
    return found[1], found[2]


def command(conn: Connection, sql: str) -> None:
    """Run a constant command without parameters (`SAVEPOINT x`…) on `conn`'s transaction, errors as `execute`."""
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.execute(sql)
    except psycopg.Error as exc:
        _fail(conn, driver, cursor, sql, {}, exc)


def execute(
    conn: Connection, statement: Executable, params: Mapping[str, Any], *, set_columns: Iterable[str] = ()
) -> Any:
    """Run `statement` (a module-level constant: it is compiled once) with `params` on `conn`'s transaction;
    `set_columns`: the columns an INSERT or UPDATE without `.values()` sets from `params`. Returns the cursor."""
    sql, defaults = _compile(statement, tuple(set_columns))
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor(row_factory=namedtuple_row)
    merged = {**defaults, **params}
    try:
        return cursor.execute(sql, merged)
    except psycopg.Error as exc:
        _fail(conn, driver, cursor, sql, merged, exc)


def _fail(
    conn: Connection,
    driver: psycopg.Connection[Any],
    cursor: psycopg.Cursor[Any],
    sql: str,
    params: Mapping[str, Any],
    exc: psycopg.Error,
) -> NoReturn:
    """The same exceptions as through SQLAlchemy, and a dead connection dropped."""
    disconnect = bool(conn.dialect.is_disconnect(exc, driver, cursor))  # type: ignore[arg-type]
    if disconnect:
        conn.invalidate(exc)
    raise DBAPIError.instance(
        sql, params, exc, psycopg.Error, connection_invalidated=disconnect, dialect=conn.dialect
    ) from exc
