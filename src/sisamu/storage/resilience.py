"""What a lost database connection means for the work in progress, and when that work may be done again.

A fail-over (Patroni promoting the synchronous standby) or a restart cuts every connection. Work that failed
before any commit was sent left nothing behind: PostgreSQL rolled its transaction back, and the platform's effects
outside the database (telephony requests, Hub messages) are outbox rows written in the same transaction. Such work
can be run again. Work whose commit was sent and whose answer never came may or may not have been committed: it is
never repeated silently — the caller is told the outcome is unknown.

`track()` follows one piece of work (an HTTP request): `commits_attempted` counts the commits sent on this
thread's and its copies' connections while it runs (an engine event, so every commit counts, through a unit of
work or not).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# A write reached a server in recovery: a connection to a former primary, demoted.
READ_ONLY_TRANSACTION = "25006"


@dataclass
class Trace:
    """The commits one piece of work has sent (shared by the threads it runs on: a mutable object in a
    context variable survives the copy of the context into a worker thread)."""

    commits_attempted: int = 0


_current: contextvars.ContextVar[Trace | None] = contextvars.ContextVar("sisamu_db_trace", default=None)


@contextmanager
def track() -> Iterator[Trace]:
    """Follow the commits of the work run inside this block (and the threads it hands work to)."""
    trace = Trace()
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def count_commits(engine: Engine) -> None:
    """Count every commit sent on `engine` into the current trace, before it is sent."""

    @event.listens_for(engine, "commit")
    def _committing(_conn: Any) -> None:
        trace = _current.get()
        if trace is not None:
            trace.commits_attempted += 1


def is_unavailable(exc: BaseException) -> bool:
    """`exc` (or what caused it) says the database could not be reached or the connection broke — not that it
    refused the statement (a constraint, a bad value: those are answered as such)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OperationalError, InterfaceError, PoolTimeout)):
            return True
        if isinstance(current, DBAPIError) and (
            current.connection_invalidated or getattr(current.orig, "sqlstate", None) == READ_ONLY_TRANSACTION
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
