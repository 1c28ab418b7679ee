"""Queries of calls, presentations (the assignment log) and grants: rows ↔ the pure models, with locks."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, any_, bindparam, case, or_, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY, insert

from sisamu.calls.distribution.model import Call, CallState, TransferTarget
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.tables import call_grant, call_presentation, phone_call
from sisamu.storage import direct

NATIONAL = "*"
_CALL_TS = ("queued_at", "presented_at", "answered_at", "transferred_at", "ended_at", "abandoned_at")

# The statements of the distribution path are built once: building and hashing a statement per execution costs
# more CPU than PostgreSQL spends running it. Keys go in `k_*` parameters; other parameters name the columns set.
_SAMU_IDS = bindparam("k_samu_ids", type_=ARRAY(String(8)))
_CALL_KEY = (phone_call.c.samu_id == bindparam("k_samu_id")) & (
    phone_call.c.call_id == bindparam("k_call_id")
)
_GET_CALL = select(phone_call).where(_CALL_KEY)
_GET_CALL_LOCKED = _GET_CALL.with_for_update()
_UPDATE_CALL = phone_call.update().where(_CALL_KEY)
_INSERT_CALL = phone_call.insert()
_INSERT_PRESENTATION = call_presentation.insert()
_CLOSE_PRESENTATION = call_presentation.update().where(
    call_presentation.c.samu_id == bindparam("k_samu_id"),
    call_presentation.c.call_id == bindparam("k_call_id"),
    call_presentation.c.presentation == bindparam("k_presentation"),
)


def _waiting_calls(scoped: bool) -> Any:
    rank = case((phone_call.c.priority == PrioritySignal.UV.value, 0), else_=1)
    query = select(phone_call).where(phone_call.c.state == CallState.QUEUED.value)
    if scoped:
        query = query.where(phone_call.c.handling_samu_id == any_(_SAMU_IDS))
    return (
        query.order_by(rank, phone_call.c.offered_at, phone_call.c.call_id)
        .limit(bindparam("k_limit"))
        .with_for_update(skip_locked=True)
    )


_WAITING_CALLS = {scoped: _waiting_calls(scoped) for scoped in (False, True)}


@dataclass(frozen=True, slots=True)
class CallRecord:
    call: Call
    version: int
    presented_at: datetime | None = None


# ---- calls -------------------------------------------------------------------------------------------------


def _call(row: Any) -> CallRecord:
    call = Call(
        call_id=row.call_id,
        samu_id=row.samu_id,
        flux=Flux(row.flux),
        priority=PrioritySignal(row.priority),
        caller_number=row.caller_number,
        state=CallState(row.state),
        offered_at=row.offered_at,
        updated_at=row.updated_at,
        handling_samu_id=row.handling_samu_id,
        agent_id=row.seat_id,
        presentations=row.presentations,
        answered_at=row.answered_at,
        finished_at=row.ended_at or row.abandoned_at,
        waited_s=row.waited_s,
        transferred_to=row.transferred_to,
        transfer_target=TransferTarget(row.transfer_target) if row.transfer_target else None,
    )
    return CallRecord(call, row.version, row.presented_at)


def _call_values(call: Call) -> dict[str, Any]:
    return {
        "handling_samu_id": call.handling_samu_id,
        "flux": call.flux.value,
        "priority": call.priority.value,
        "caller_number": call.caller_number,
        "state": call.state.value,
        "seat_id": call.agent_id,
        "presentations": call.presentations,
        "waited_s": call.waited_s,
        "transfer_target": call.transfer_target.value if call.transfer_target else None,
        "transferred_to": call.transferred_to,
        "updated_at": call.updated_at,
    }


def insert_call(conn: Connection, call: Call, **timestamps: datetime) -> None:
    values = dict.fromkeys(_CALL_TS) | _call_values(call) | timestamps
    values.update(samu_id=call.samu_id, call_id=call.call_id, offered_at=call.offered_at)
    direct.execute(conn, _INSERT_CALL, values, set_columns=values)


def call_values(call: Call, timestamps: dict[str, datetime]) -> dict[str, Any]:
    """The columns a change of state writes, with the instants it records (`queued_at`, … `overflowed_at`)."""
    unknown = set(timestamps) - set(_CALL_TS) - {"overflowed_at"}
    if unknown:
        raise ValueError(f"unknown call timestamps {unknown}")
    return _call_values(call) | timestamps


def update_call(conn: Connection, record: CallRecord, call: Call, **timestamps: datetime) -> int:
    """Write the new state; returns the new version (the row must be locked by the caller)."""
    version = record.version + 1
    values = call_values(call, timestamps) | {"version": version}
    keys = {"k_samu_id": call.samu_id, "k_call_id": call.call_id}
    direct.execute(conn, _UPDATE_CALL, values | keys, set_columns=values)
    return version


def get_call(conn: Connection, samu_id: str, call_id: str, *, lock: bool = False) -> CallRecord | None:
    query = _GET_CALL_LOCKED if lock else _GET_CALL
    row = direct.execute(conn, query, {"k_samu_id": samu_id, "k_call_id": call_id}).fetchone()
    return _call(row) if row is not None else None


def owner_of_granted(conn: Connection, grantee_samu_id: str, call_id: str) -> str | None:
    """The owner SAMU of `call_id` if it was granted to `grantee_samu_id` (overflow), else None."""
    owner = conn.execute(
        select(call_grant.c.samu_id).where(
            call_grant.c.grantee_samu_id == grantee_samu_id, call_grant.c.call_id == call_id
        )
    ).scalar()
    return str(owner) if owner is not None else None


def add_grant(conn: Connection, samu_id: str, call_id: str, grantee: str, reason: str, at: datetime) -> bool:
    result = conn.execute(
        insert(call_grant)
        .values(samu_id=samu_id, call_id=call_id, grantee_samu_id=grantee, reason=reason, granted_at=at)
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


def waiting_calls_for_update(
    conn: Connection, samu_ids: Collection[str] | None, limit: int
) -> list[CallRecord]:
    """Queued calls of these SAMUs' queues (None: all), in distribution order, locked; rows locked by another
    distributor are skipped (`FOR UPDATE SKIP LOCKED`)."""
    params: dict[str, Any] = {"k_limit": limit}
    if samu_ids is not None:
        params["k_samu_ids"] = sorted(samu_ids)
    return [_call(r) for r in direct.execute(conn, _WAITING_CALLS[samu_ids is not None], params)]


def ring_timeouts_for_update(conn: Connection, before: datetime, limit: int = 200) -> list[CallRecord]:
    query = (
        select(phone_call)
        .where(phone_call.c.state == CallState.PRESENTED.value, phone_call.c.presented_at <= before)
        .order_by(phone_call.c.presented_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_call(r) for r in conn.execute(query)]


def calls_between(conn: Connection, samu_id: str, start: datetime, end: datetime) -> list[CallRecord]:
    rows = conn.execute(
        select(phone_call)
        .where(phone_call.c.samu_id == samu_id, phone_call.c.offered_at.between(start, end))
        .order_by(phone_call.c.offered_at)
        .limit(5000)
    )
    return [_call(r) for r in rows]


def calls_by_key(
    conn: Connection, keys: Collection[tuple[str, str]], *, lock: bool = False
) -> list[CallRecord]:
    """The calls of these (owner SAMU, call id) keys that exist, in one statement (locked in key order)."""
    if not keys:
        return []
    query = select(phone_call).where(tuple_(phone_call.c.samu_id, phone_call.c.call_id).in_(sorted(keys)))
    if lock:
        query = query.order_by(phone_call.c.samu_id, phone_call.c.call_id).with_for_update()
    return [_call(r) for r in conn.execute(query)]


def open_calls_with_prefix(conn: Connection, prefix: str, limit: int = 5000) -> list[CallRecord]:
    """Calls not over whose id starts with `prefix` (a voice node's calls; a scan, run once at its start)."""
    query = (
        select(phone_call)
        .where(
            phone_call.c.call_id.startswith(prefix, autoescape=True),
            phone_call.c.state.notin_([CallState.ENDED.value, CallState.ABANDONED.value]),
        )
        .limit(limit)
    )
    return [_call(r) for r in conn.execute(query)]


def recent_calls(
    conn: Connection, samu_id: str, *, states: Sequence[str] | None, limit: int
) -> list[CallRecord]:
    """Calls owned by or handled for `samu_id`, newest first."""
    query = select(phone_call).where(
        or_(phone_call.c.samu_id == samu_id, phone_call.c.handling_samu_id == samu_id)
    )
    if states:
        query = query.where(phone_call.c.state.in_(list(states)))
    query = query.order_by(phone_call.c.offered_at.desc()).limit(limit)
    return [_call(r) for r in conn.execute(query)]


# ---- presentations (the assignment log) ---------------------------------------------------------------------


def add_presentation(conn: Connection, call: Call, at: datetime) -> None:
    assert call.agent_id is not None
    values = {
        "samu_id": call.samu_id,
        "call_id": call.call_id,
        "presentation": call.presentations,
        "seat_samu_id": call.handling_samu_id,
        "seat_id": call.agent_id,
        "presented_at": at,
    }
    direct.execute(conn, _INSERT_PRESENTATION, values, set_columns=values)


def close_presentation(conn: Connection, call: Call, outcome: str, at: datetime) -> None:
    key = {"k_samu_id": call.samu_id, "k_call_id": call.call_id, "k_presentation": call.presentations}
    values = {"outcome": outcome, "closed_at": at}
    direct.execute(conn, _CLOSE_PRESENTATION, key | values, set_columns=values)
