"""Unit of work: one transaction per use case; the domain events it records reach the message bus, its live events
reach the consoles on commit."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from sisamu.storage import direct

if TYPE_CHECKING:
    from types import TracebackType

    from sisamu.domain.events import DomainEvent, LiveEvent
    from sisamu.storage.bus import MessageBus

log = logging.getLogger(__name__)
CHANNEL = "sisamu_events"
# One statement of constant text for any number of events: PostgreSQL prepares it once per connection.
_NOTIFY = text("SELECT pg_notify(:channel, payload) FROM unnest(:payloads) AS payload").bindparams(
    bindparam("payloads", type_=ARRAY(Text))
)


class UnitOfWork:
    """`with platform.uow() as uow:` runs a transaction; leaving the block commits, an exception rolls back.

    `record(event)` hands a domain event to the bus at once: its in-transaction handlers run inside this
    transaction (and the current savepoint); its after-commit handlers run once the transaction has committed.
    `emit(live_event)` queues a `pg_notify`; all of a transaction's notifications are sent in one statement just
    before the commit (one round trip, whatever their number). PostgreSQL delivers them only if the transaction
    commits, so screens never show what was rolled back. `savepoint()` undoes both, with the writes, when the
    block inside it fails.
    """

    def __init__(self, engine: Engine, bus: MessageBus) -> None:
        self._engine = engine
        self._bus = bus
        self._conn: Connection | None = None
        self.live_events: list[LiveEvent] = []
        self.recorded: list[DomainEvent] = []
        self._unsent: list[str] = []
        self._savepoints = 0  # savepoints opened in this transaction (their names)
        self._depth = 0  # savepoint blocks open now
        self._unreleased: str | None = None  # an outermost savepoint that succeeded, released at commit

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
        committed = False
        try:
            if exc_type is None:
                self._notify()
                conn.commit()
                committed = True
            else:
                conn.rollback()
        finally:
            conn.close()
            self._conn = None
            self._unsent = []
            self._savepoints, self._depth, self._unreleased = 0, 0, None
        if committed:
            self._after_commit()

    def record(self, *events: DomainEvent) -> None:
        """Record what happened; the bus's in-transaction handlers run now, in this transaction."""
        self.conn  # noqa: B018 - inside the `with` block only
        for event in events:
            self.recorded.append(event)
            for handler in self._bus.in_transaction(event):
                handler(self, event)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: if the block fails, its writes, recorded events and live events are undone.

        A savepoint that succeeds is not released at once: the commit releases it, which saves a round trip on
        the hottest paths (a command and its distribution pass). Only one is ever left so: the next outermost
        savepoint releases the previous one first, and savepoints inside another one are released as they end
        (a transaction never piles up subtransactions)."""
        marks = len(self.recorded), len(self.live_events), len(self._unsent)
        conn = self.conn
        outermost = self._depth == 0
        if outermost and self._unreleased is not None:
            direct.command(conn, f"RELEASE SAVEPOINT {self._unreleased}")
            self._unreleased = None
        self._savepoints += 1
        name = f"sisamu_sp_{self._savepoints}"
        direct.command(conn, f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
        except BaseException as exc:
            del self.recorded[marks[0] :]
            del self.live_events[marks[1] :]
            del self._unsent[marks[2] :]
            self._depth -= 1
            if self._rollback_to(name, exc) and outermost:
                self._unreleased = name  # rolled back to, still open: the next one releases it
            raise
        self._depth -= 1
        if outermost:
            self._unreleased = name
        else:
            direct.command(conn, f"RELEASE SAVEPOINT {name}")

    def _rollback_to(self, name: str, failure: BaseException) -> bool:
        """Undo a failed savepoint's writes; if even that fails (a lost connection), the block's own error is the
        one raised, and the whole transaction rolls back."""
        conn = self._conn
        if conn is None or conn.invalidated:
            return False
        try:
            direct.command(conn, f"ROLLBACK TO SAVEPOINT {name}")
        except Exception:
            log.warning("rolling back to savepoint %s after %r failed", name, failure, exc_info=True)
            return False
        return True

    def _after_commit(self) -> None:
        for event in self.recorded:
            for handler in self._bus.after_commit(event):
                try:
                    handler(event)
                except Exception:
                    log.exception("after-commit handler %r failed on %s", handler, type(event).__name__)

    def emit(self, event: LiveEvent) -> None:
        self.conn  # noqa: B018 - inside the `with` block only
        self.live_events.append(event)
        self._unsent.append(json.dumps(event.to_payload()))

    def _notify(self) -> None:
        unsent, self._unsent = self._unsent, []
        if unsent:
            # Each payload carries the moment it was sent ("t", epoch seconds): the live feed measures its lag.
            stamp = '{"t":%.6f,' % time.time()  # noqa: UP031 - prefixed to JSON objects already written
            stamped = [stamp + payload[1:] for payload in unsent]
            direct.execute(self.conn, _NOTIFY, {"channel": CHANNEL, "payloads": stamped})

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self.conn.execute(*args, **kwargs)
