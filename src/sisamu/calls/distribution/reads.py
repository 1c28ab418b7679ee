"""Reads of calls, audited: a caller's number is patient data, so every list or call read names its reader.

Each read writes its audit entries in the caller's unit of work, on the chain of each SAMU whose calls were read
(a partner's overflowed calls are read on the partner's chain too); an entry names the calls, never a number.
Who may not see numbers (`security.access.sees_callers`: crews, national operators, administrators) reads the
calls without them; the entry then says `numbers: false`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sisamu.calls.distribution import store
from sisamu.calls.distribution.access import visible_call
from sisamu.security import audit
from sisamu.security.access import authorize, sees_callers
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sisamu.calls.distribution.model import Call
    from sisamu.storage.uow import UnitOfWork


def recent_calls(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    now: datetime,
    states: Sequence[str] = (),
    limit: int = 100,
) -> list[store.CallRecord]:
    """Recent calls owned by or handled for this SAMU, newest first; one audit entry per SAMU owning some."""
    if principal is not None:
        authorize(principal, Permission.ROOM_READ, samu_id)
    records = store.recent_calls(uow.conn, samu_id, states=states, limit=limit)
    shown = sees_callers(principal, samu_id)
    by_owner: dict[str, list[str]] = {samu_id: []}
    for record in records:
        by_owner.setdefault(record.call.samu_id, []).append(record.call.call_id)
    for owner, call_ids in by_owner.items():
        audit.record(
            uow.conn,
            principal=principal,
            samu_id=owner,
            action="call.list",
            object_type="samu",
            object_id=samu_id,
            at=now,
            detail={"calls": call_ids} if shown else {"calls": call_ids, "numbers": False},
        )
    return records if shown else [_without_number(r) for r in records]


def _without_number(record: store.CallRecord) -> store.CallRecord:
    return replace(record, call=replace(record.call, caller_number=None))


def call(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, call_id: str, now: datetime
) -> store.CallRecord:
    """One call (own, or granted by an overflow); the read is audited on the call's owner SAMU."""
    record = visible_call(uow.conn, principal, samu_id, call_id, Permission.ROOM_READ)
    owner = record.call.samu_id
    shown = sees_callers(principal, samu_id)
    detail: dict[str, object] = {} if owner == samu_id else {"through": samu_id}
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=owner,
        action="call.read",
        object_type="call",
        object_id=call_id,
        at=now,
        detail=detail if shown else {**detail, "numbers": False},
    )
    return record if shown else _without_number(record)


def calls_progress(
    uow: UnitOfWork, *, principal: Principal | None, keys: Sequence[tuple[str, str]], lock: bool = False
) -> dict[tuple[str, str], Call]:
    """Where the calls of these (owner SAMU, call id) keys are — state, handling SAMU, seat — for the platform's
    own telephony (the voice node following the calls it carries; `principal` None only). The calls come back
    without their callers' numbers: nothing of a patient is read, so nothing is audited. `lock`: the rows
    are locked for the transaction (`FOR UPDATE`), before any seat."""
    if principal is not None:
        raise Forbidden("calls' progress is read by the platform's telephony only")
    return {
        (r.call.samu_id, r.call.call_id): replace(r.call, caller_number=None)
        for r in store.calls_by_key(uow.conn, keys, lock=lock)
    }


def calls_left_open(uow: UnitOfWork, *, principal: Principal | None, prefix: str) -> list[tuple[str, str]]:
    """The (owner SAMU, call id) of the calls not over whose id starts with `prefix`: those a voice node carried
    before it stopped, which it ends when it starts again (the platform's telephony only; no number read)."""
    if principal is not None:
        raise Forbidden("calls left open are read by the platform's telephony only")
    return [(r.call.samu_id, r.call.call_id) for r in store.open_calls_with_prefix(uow.conn, prefix)]
