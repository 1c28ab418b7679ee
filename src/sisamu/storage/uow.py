"""Unit of work: one transaction per use case; live events are queued inside it and delivered on commit."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, func, select

if TYPE_CHECKING:
    from types import TracebackType

    from sisamu.domain.events import LiveEvent

CHANNEL = "sisamu_events"


class UnitOfWork:
    """`with UnitOfWork(engine) as uow:` runs a transaction; leaving the block commits, an exception rolls back.

    `emit` uses `pg_notify` inside the transaction: PostgreSQL delivers the notification only if the
    transaction commits, so screens never show what was rolled back.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self.events: list[LiveEvent] = []

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn

    def __enter__(self) -> Self:
        self._conn = self._engine.connect()
        self._conn.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        try:
            if exc_type is None:
                conn.commit()
            else:
                conn.rollback()
        finally:
            conn.close()
            self._conn = None

    def emit(self, event: LiveEvent) -> None:
        self.events.append(event)
        self.conn.execute(select(func.pg_notify(CHANNEL, json.dumps(event.to_payload()))))

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self.conn.execute(*args, **kwargs)
