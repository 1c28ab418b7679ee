"""Use cases of the callback list: each inside the caller's unit of work.

A lost call with a number joins its SAMU's callback list (merged with an open entry for the same number); an
answered call from that number closes the entry; an ARM calls back and records the outcome. The pure rules are in
`model.py`.

Starting a callback records `DialRequested` (reason `callback`, the seat's `idNatPs`): when a telephony executes
requests, it rings the ARM's seat and calls the number (`cti.handlers`); otherwise the ARM dials by hand. A use
case given a `principal` checks its permission itself (None: the platform itself).
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
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import AgentState
from sisamu.calls.seats.service import check_at_seat, may_handle
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import LiveEvent
from sisamu.platform.events import DialReason, DialRequested
from sisamu.security import audit
from sisamu.security.access import authorize, sees_callers
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission

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


def list_callbacks(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, open_only: bool, now: datetime
) -> tuple[list[Callback], bool]:
    """The callback list and whether its numbers may be shown (`sees_callers`); a list shown with its numbers is
    audited (`callback.list`, naming the entries, never a number)."""
    if principal is not None:
        authorize(principal, Permission.ROOM_READ, samu_id)
    items = [item for item, _version in callback_store.callbacks(uow.conn, samu_id, open_only=open_only)]
    shown = sees_callers(principal, samu_id)
    if shown:
        audit.record(
            uow.conn,
            principal=principal,
            samu_id=samu_id,
            action="callback.list",
            object_type="samu",
            object_id=samu_id,
            at=now,
            detail={"callbacks": [item.callback_id for item in items]},
        )
    return items, shown


def _callback(uow: UnitOfWork, samu_id: str, callback_id: int) -> tuple[Callback, int]:
    found = callback_store.get_callback(uow.conn, samu_id, callback_id, lock=True)
    if found is None:
        raise NotFoundError(f"callback {callback_id} of samu {samu_id} not found")
    return found


def _calling_seat(
    uow: UnitOfWork, principal: Principal | None, samu_id: str, seat_id: str
) -> seat_store.SeatRecord:
    """The seat the ARM calls back from: logged in, and theirs (a person calls back from their own seat only)."""
    seat = seat_store.get_seat(uow.conn, samu_id, seat_id)
    if seat is None:
        raise NotFoundError(f"seat {seat_id} of samu {samu_id} not found")
    check_at_seat(principal, seat)
    if seat.agent.state is AgentState.LOGGED_OUT:
        raise TransitionRefused(f"seat {seat_id}: nobody is logged in to call back from it")
    return seat


def start_callback_attempt(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    callback_id: int,
    seat_id: str,
    now: datetime,
) -> Callback:
    """One attempt from `seat_id`: the entry is in progress, and the telephony is asked to dial the number."""
    may_handle(principal, samu_id)
    seat = _calling_seat(uow, principal, samu_id, seat_id)
    item, version = _callback(uow, samu_id, callback_id)
    started = start_callback(item, seat_id, now)
    _save_callback(uow, started, version, account_id=principal.account_id if principal is not None else None)
    uow.record(
        DialRequested(
            samu_id=samu_id,
            seat_id=seat_id,
            id_nat_ps=seat.id_nat_ps,
            number=started.caller_number,
            reason=DialReason.CALLBACK,
            at=now,
            callback_id=callback_id,
        )
    )
    return started


class NotYourCallback(Forbidden):
    code = "RAPPEL_D_UN_AUTRE_POSTE"
    message_fr = "Seule la personne qui a lancé ce rappel en enregistre l'issue."


def _check_caller_back(uow: UnitOfWork, principal: Principal | None, item: Callback) -> None:
    if principal is None:
        return
    started_by = callback_store.attempt_account(uow.conn, item.samu_id, item.callback_id)
    if started_by is not None:
        if started_by != principal.account_id:
            raise NotYourCallback(f"{principal.username} did not start callback {item.callback_id}")
        return
    seat = seat_store.get_seat(uow.conn, item.samu_id, item.seat_id) if item.seat_id else None
    if seat is not None:
        try:
            check_at_seat(principal, seat)
        except Forbidden as exc:
            raise NotYourCallback(str(exc)) from exc


def record_callback_outcome(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    callback_id: int,
    outcome: CallbackOutcome,
    now: datetime,
    note: str | None,
) -> Callback:
    """The attempt's outcome (and the ARM's note), audited: who called back, what came of it — the note's text
    stays in the callback, the entry says only that there is one. Recorded by the person who started the attempt
    (or, for an attempt the platform started, whoever is logged in at its seat), not any call handler."""
    may_handle(principal, samu_id)
    item, version = _callback(uow, samu_id, callback_id)
    _check_caller_back(uow, principal, item)
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
