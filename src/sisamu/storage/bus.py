"""The message bus: what a use case records on its unit of work reaches the handlers registered in `bootstrap`.

A service records domain events (`uow.record(FileUpdated(…))`). Handlers subscribed with `subscribe` run at once,
inside the same transaction and savepoint as the service: an audit entry, a Hub outbox row, a telephony request
are written if and only if the change commits. Handlers subscribed with `on_commit` run after the commit, never
for a rolled-back change; they must not fail the use case (an exception is logged). A handler may record further
events. Handlers of an event's base classes run too, so a subscriber may take a whole family of events.

Features never import one another to react: they subscribe to the shared events of `sisamu.domain.events`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sisamu.domain.events import DomainEvent

if TYPE_CHECKING:
    from sisamu.storage.uow import UnitOfWork

E = TypeVar("E", bound=DomainEvent)
InTransaction = Callable[["UnitOfWork", E], None]
AfterCommit = Callable[[E], None]


class MessageBus:
    """Which handlers take which events; built once by `bootstrap.build_platform`."""

    def __init__(self) -> None:
        self._in_transaction: dict[type[DomainEvent], list[InTransaction[Any]]] = defaultdict(list)
        self._after_commit: dict[type[DomainEvent], list[AfterCommit[Any]]] = defaultdict(list)

    def subscribe(self, event_type: type[E], handler: InTransaction[E]) -> None:
        """`handler(uow, event)` runs in the transaction that records `event_type` (or a subclass)."""
        self._in_transaction[event_type].append(handler)

    def on_commit(self, event_type: type[E], handler: AfterCommit[E]) -> None:
        """`handler(event)` runs once the transaction that recorded `event_type` (or a subclass) has committed."""
        self._after_commit[event_type].append(handler)

    def in_transaction(self, event: DomainEvent) -> list[InTransaction[Any]]:
        return [h for kind in type(event).__mro__ for h in self._in_transaction.get(kind, ())]

    def after_commit(self, event: DomainEvent) -> list[AfterCommit[Any]]:
        return [h for kind in type(event).__mro__ for h in self._after_commit.get(kind, ())]

    def subscribers(self) -> dict[str, list[str]]:
        """Event name → handler names, for the documentation and the tests of the wiring."""
        names: dict[str, list[str]] = defaultdict(list)
        for table, when in ((self._in_transaction, "in transaction"), (self._after_commit, "after commit")):
            for kind, handlers in table.items():
                names[kind.__name__].extend(f"{_name(h)} ({when})" for h in handlers)
        return dict(names)


def _name(handler: Callable[..., object]) -> str:
    module = getattr(handler, "__module__", "?")
    return f"{module}.{getattr(handler, '__qualname__', repr(handler))}"
