"""Unit of work: one transaction per use case; live events are queued inside it and delivered on commit."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from sisamu.storage import direct

if TYPE_CHECKING:
    from types import TracebackType

    from sisamu.domain.events import LiveEvent

CHANNEL = "sisamu_events"
# One statement of constant text for any number of events: PostgreSQL prepares it once per connection.
_NOTIFY = text("SELECT pg_notify(:channel, payload) FROM unnest(:payloads) AS payload").bindparams(
    bindparam("payloads", type_=ARRAY(Text))
)


class UnitOfWork:
    """`with UnitOfWork(engine) as uow:` runs a transaction; leaving the block commits, an exception rolls back.

    `emit` queues a `pg_notify`; all of a transaction's notifications are sent in one statement just before the
    commit (one round trip, whatever their number). PostgreSQL delivers them only if the transaction commits, so
    screens never show what was rolled back.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self.events: list[LiveEvent] = []
        self._unsent: list[str] = []

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
                self._notify()
                conn.commit()
            else:
                conn.rollback()
        finally:
            conn.close()
            self._conn = None
            self._unsent = []

    def emit(self, event: LiveEvent) -> None:
        self.conn  # noqa: B018 - inside the `with` block only
        self.events.append(event)
        self._unsent.append(json.dumps(event.to_payload()))

    def _notify(self) -> None:
        unsent, self._unsent = self._unsent, []
        if unsent:
            direct.execute(self.conn, _NOTIFY, {"channel": CHANNEL, "payloads": unsent})

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self.conn.execute(*args, **kwargs)
