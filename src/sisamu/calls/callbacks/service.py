"""Use cases of the callback list: each inside the caller's unit of work.

A lost call with a number joins its SAMU's callback list (merged with an open entry for the same number); an
answered call from that number closes the entry; an ARM calls back and records the outcome. The pure rules are in
`model.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sisamu.calls.aml import model as aml_parser
from sisamu.calls.callbacks import store as callback_store
from sisamu.calls.callbacks.model import (
    Callback,
    CallbackOutcome,
    close_called_back,
    merge_abandoned,
    new_callback,
    record_outcome,
    start_callback,
)
from sisamu.calls.errors import NotFoundError
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import LiveEvent
from sisamu.security import audit

if TYPE_CHECKING:
    from uuid import UUID

    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork


def close_for_number(uow: UnitOfWork, samu_id: str, caller_number: str, now: datetime) -> None:
    """A call from this number was answered: its open callback entry, if any, is done."""
    found = callback_store.open_callback_for_number(
        uow.conn, samu_id, aml_parser.normalise_number(caller_number)
    )
    if found is not None:
        _save_callback(uow, close_called_back(found[0], now), found[1])


def _save_callback(uow: UnitOfWork, item: Callback, version: int, *, account_id: UUID | None = None) -> int:
    new_version = callback_store.update_callback(uow.conn, item, version, account_id=account_id)
    uow.emit(LiveEvent(item.samu_id, "callback.changed", str(item.callback_id), new_version))
    return new_version


def add_lost_call(
    uow: UnitOfWork, *, samu_id: str, call_id: str, caller_number: str, waited_s: float, now: datetime
) -> None:
    """A lost call with a number: merged into the open entry for that number, else a new entry."""
    number = aml_parser.normalise_number(caller_number)
    for _ in range(2):  # a concurrent hang-up from the same number may open the entry between our two queries
        found = callback_store.open_callback_for_number(uow.conn, samu_id, number)
        if found is not None:
            _save_callback(uow, merge_abandoned(found[0], call_id, waited_s, now), found[1])
            return
        fresh = new_callback(samu_id, 0, number, call_id, waited_s, now)
        inserted = callback_store.insert_callback_if_none_open(uow.conn, fresh)
        if inserted is not None:
            uow.emit(LiveEvent(samu_id, "callback.changed", str(inserted[0].callback_id), inserted[1]))
            return
    raise TransitionRefused(f"call {call_id}: could not add the callback")


def _callback(uow: UnitOfWork, samu_id: str, callback_id: int) -> tuple[Callback, int]:
    found = callback_store.get_callback(uow.conn, samu_id, callback_id, lock=True)
    if found is None:
        raise NotFoundError(f"callback {callback_id} of samu {samu_id} not found")
    return found


def start_callback_attempt(
    uow: UnitOfWork,
    *,
    samu_id: str,
    callback_id: int,
    seat_id: str,
    now: datetime,
    account_id: UUID | None = None,
) -> Callback:
    item, version = _callback(uow, samu_id, callback_id)
    started = start_callback(item, seat_id, now)
    _save_callback(uow, started, version, account_id=account_id)
    return started


def record_callback_outcome(
    uow: UnitOfWork,
    *,
    samu_id: str,
    callback_id: int,
    outcome: CallbackOutcome,
    now: datetime,
    note: str | None,
    principal: Principal | None = None,
) -> Callback:
    """The attempt's outcome (and the ARM's note), audited: who called back, what came of it — the note's text
    stays in the callback, the entry says only that there is one."""
    item, version = _callback(uow, samu_id, callback_id)
    done = record_outcome(item, outcome, now)
    _save_callback(uow, done, version)
    if note:
        callback_store.set_callback_note(uow.conn, samu_id, callback_id, note)
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="callback.outcome",
        object_type="callback",
        object_id=str(callback_id),
        at=now,
        detail={"outcome": str(outcome), "note": bool(note)},
    )
    return done
