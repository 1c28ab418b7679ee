"""Queries of the telephony brain: rows ↔ the pure models (`Call`, `Agent`, `Callback`), locks, overflow rules."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, and_, case, func, or_, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.calls.agent import Agent, AgentState, PauseReason, Skills
from sisamu.calls.aml import AmlLocation
from sisamu.calls.call import Call, CallState, TransferTarget
from sisamu.calls.callback import Callback, CallbackOutcome, CallbackState
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.policy import HourRange, OverflowAgreement, OverflowRules
from sisamu.calls.tables import (
    aml_location,
    arm_seat,
    call_grant,
    call_presentation,
    callback,
    overflow_agreement,
    overflow_pooling,
    phone_call,
)

NATIONAL = "*"
_CALL_TS = ("queued_at", "presented_at", "answered_at", "transferred_at", "ended_at", "abandoned_at")


@dataclass(frozen=True, slots=True)
class CallRecord:
    call: Call
    version: int
    presented_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SeatRecord:
    agent: Agent
    version: int
    account_id: UUID | None
    id_nat_ps: str | None
    call_samu_id: str | None


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
    conn.execute(
        phone_call.insert().values(
            samu_id=call.samu_id,
            call_id=call.call_id,
            offered_at=call.offered_at,
            **_call_values(call),
            **timestamps,
        )
    )


def update_call(conn: Connection, record: CallRecord, call: Call, **timestamps: datetime) -> int:
    """Write the new state; returns the new version (the row must be locked by the caller)."""
    unknown = set(timestamps) - set(_CALL_TS) - {"overflowed_at"}
    if unknown:
        raise ValueError(f"unknown call timestamps {unknown}")
    version = record.version + 1
    conn.execute(
        phone_call.update()
        .where(phone_call.c.samu_id == call.samu_id, phone_call.c.call_id == call.call_id)
        .values(**_call_values(call), **timestamps, version=version)
    )
    return version


def get_call(conn: Connection, samu_id: str, call_id: str, *, lock: bool = False) -> CallRecord | None:
    query = select(phone_call).where(phone_call.c.samu_id == samu_id, phone_call.c.call_id == call_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _call(row) if row is not None else None


def owner_of_granted(conn: Connection, grantee_samu_id: str, call_id: str) -> str | None:
    """The owner SAMU of `call_id` if it was granted to `grantee_samu_id` (overflow), else None."""
    owner = conn.execute(
        select(call_grant.c.samu_id).where(
            call_grant.c.grantee_samu_id == grantee_samu_id, call_grant.c.call_id == call_id
        )
    ).scalar()
    return str(owner) if owner is not None else None


def grantees(conn: Connection, samu_id: str, call_id: str) -> list[str]:
    rows = conn.execute(
        select(call_grant.c.grantee_samu_id).where(
            call_grant.c.samu_id == samu_id, call_grant.c.call_id == call_id
        )
    )
    return [str(r[0]) for r in rows]


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
    rank = case((phone_call.c.priority == PrioritySignal.UV.value, 0), else_=1)
    query = select(phone_call).where(phone_call.c.state == CallState.QUEUED.value)
    if samu_ids is not None:
        query = query.where(phone_call.c.handling_samu_id.in_(sorted(samu_ids)))
    query = (
        query.order_by(rank, phone_call.c.offered_at, phone_call.c.call_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_call(r) for r in conn.execute(query)]


def queue_lengths(conn: Connection, samu_ids: Collection[str]) -> dict[str, int]:
    rows = conn.execute(
        select(phone_call.c.handling_samu_id, func.count())
        .where(
            phone_call.c.state == CallState.QUEUED.value, phone_call.c.handling_samu_id.in_(sorted(samu_ids))
        )
        .group_by(phone_call.c.handling_samu_id)
    )
    return {str(r[0]): int(r[1]) for r in rows}


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
    conn.execute(
        call_presentation.insert().values(
            samu_id=call.samu_id,
            call_id=call.call_id,
            presentation=call.presentations,
            seat_samu_id=call.handling_samu_id,
            seat_id=call.agent_id,
            presented_at=at,
        )
    )


def close_presentation(conn: Connection, call: Call, outcome: str, at: datetime) -> None:
    conn.execute(
        call_presentation.update()
        .where(
            call_presentation.c.samu_id == call.samu_id,
            call_presentation.c.call_id == call.call_id,
            call_presentation.c.presentation == call.presentations,
        )
        .values(outcome=outcome, closed_at=at)
    )


# ---- seats -----------------------------------------------------------------------------------------------------


def _seat(row: Any) -> SeatRecord:
    agent = Agent(
        agent_id=row.seat_id,
        samu_id=row.samu_id,
        skills=Skills(frozenset(Flux(f) for f in row.fluxes), frozenset(row.languages)),
        state=AgentState(row.state),
        since=row.since,
        after_call_work_s=row.after_call_work_s,
        call_id=row.call_id,
        pause_reason=PauseReason(row.pause_reason) if row.pause_reason else None,
        missed_presentations=row.missed_presentations,
        after_call_work_until=row.after_call_work_until,
    )
    return SeatRecord(agent, row.version, row.account_id, row.id_nat_ps, row.call_samu_id)


def _seat_values(agent: Agent) -> dict[str, Any]:
    return {
        "state": agent.state.value,
        "since": agent.since,
        "idle_since": agent.since if agent.state is AgentState.AVAILABLE else None,
        "fluxes": sorted(f.value for f in agent.skills.fluxes),
        "languages": sorted(agent.skills.languages),
        "call_id": agent.call_id,
        "pause_reason": agent.pause_reason.value if agent.pause_reason else None,
        "missed_presentations": agent.missed_presentations,
        "after_call_work_s": agent.after_call_work_s,
        "after_call_work_until": agent.after_call_work_until,
    }


def get_seat(conn: Connection, samu_id: str, seat_id: str, *, lock: bool = False) -> SeatRecord | None:
    query = select(arm_seat).where(arm_seat.c.samu_id == samu_id, arm_seat.c.seat_id == seat_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _seat(row) if row is not None else None


def seat_of_account(conn: Connection, samu_id: str, account_id: UUID) -> str | None:
    found = conn.execute(
        select(arm_seat.c.seat_id).where(
            arm_seat.c.samu_id == samu_id,
            arm_seat.c.account_id == account_id,
            arm_seat.c.state != AgentState.LOGGED_OUT.value,
        )
    ).scalar()
    return str(found) if found is not None else None


def seat_of_id_nat_ps(conn: Connection, samu_id: str, id_nat_ps: str) -> str | None:
    found = conn.execute(
        select(arm_seat.c.seat_id).where(
            arm_seat.c.samu_id == samu_id,
            arm_seat.c.id_nat_ps == id_nat_ps,
            arm_seat.c.state != AgentState.LOGGED_OUT.value,
        )
    ).scalar()
    return str(found) if found is not None else None


def save_seat(
    conn: Connection,
    agent: Agent,
    record: SeatRecord | None,
    *,
    account_id: UUID | None = None,
    id_nat_ps: str | None = None,
    call_samu_id: str | None = None,
    keep_identity: bool = True,
) -> int:
    """Insert or update the seat; returns its new version. `keep_identity` keeps who is logged in."""
    values = _seat_values(agent)
    values["call_samu_id"] = call_samu_id if agent.call_id else None
    if record is None:
        conn.execute(
            arm_seat.insert().values(
                samu_id=agent.samu_id,
                seat_id=agent.agent_id,
                account_id=account_id,
                id_nat_ps=id_nat_ps,
                **values,
            )
        )
        return 1
    if not keep_identity:
        values.update(account_id=account_id, id_nat_ps=id_nat_ps)
    version = record.version + 1
    conn.execute(
        arm_seat.update()
        .where(arm_seat.c.samu_id == agent.samu_id, arm_seat.c.seat_id == agent.agent_id)
        .values(**values, version=version)
    )
    return version


def available_seats_for_update(conn: Connection, samu_ids: Collection[str] | None) -> list[SeatRecord]:
    query = select(arm_seat).where(arm_seat.c.state == AgentState.AVAILABLE.value)
    if samu_ids is not None:
        query = query.where(arm_seat.c.samu_id.in_(sorted(samu_ids)))
    query = query.order_by(arm_seat.c.samu_id, arm_seat.c.seat_id).with_for_update(skip_locked=True)
    return [_seat(r) for r in conn.execute(query)]


def after_call_work_due_for_update(conn: Connection, now: datetime, limit: int = 200) -> list[SeatRecord]:
    query = (
        select(arm_seat)
        .where(
            arm_seat.c.state == AgentState.AFTER_CALL_WORK.value,
            arm_seat.c.after_call_work_until <= now,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_seat(r) for r in conn.execute(query)]


def seats(conn: Connection, samu_id: str) -> list[SeatRecord]:
    rows = conn.execute(select(arm_seat).where(arm_seat.c.samu_id == samu_id).order_by(arm_seat.c.seat_id))
    return [_seat(r) for r in rows]


# ---- overflow rules -------------------------------------------------------------------------------------------


def load_rules(conn: Connection) -> OverflowRules:
    agreements = {
        str(r.samu_id): OverflowAgreement(
            from_samu=str(r.samu_id),
            partners=tuple(r.partners),
            wait_threshold_s=float(r.wait_threshold_s),
            queue_threshold=r.queue_threshold,
            hours=tuple(HourRange(int(a), int(b)) for a, b in r.hours),
        )
        for r in conn.execute(select(overflow_agreement).where(overflow_agreement.c.active))
    }
    pooling = conn.execute(select(overflow_pooling).where(overflow_pooling.c.samu_id == NATIONAL)).first()
    return OverflowRules(
        agreements=agreements,
        national_pooling=bool(pooling and pooling.national_pooling),
        pooling_wait_s=float(pooling.pooling_wait_s) if pooling else 0.0,
    )


_RULES_TTL_S = 2.0
_rules_cache: dict[str, tuple[float, OverflowRules, dict[str, str]]] = {}


def cached_rules(conn: Connection) -> tuple[OverflowRules, dict[str, str]]:
    """Overflow rules and SAMU timezones, re-read at most every 2 s per database (agreements change rarely; a
    change made through this process is seen at once, by another instance within 2 s)."""
    key = conn.engine.url.render_as_string(hide_password=True)
    hit = _rules_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _RULES_TTL_S:
        return hit[1], hit[2]
    rules, zones = load_rules(conn), timezones(conn)
    _rules_cache[key] = (time.monotonic(), rules, zones)
    return rules, zones


def forget_cached_rules() -> None:
    _rules_cache.clear()


def save_agreement(conn: Connection, agreement: OverflowAgreement, *, active: bool, at: datetime) -> None:
    values = {
        "partners": list(agreement.partners),
        "wait_threshold_s": agreement.wait_threshold_s,
        "queue_threshold": agreement.queue_threshold,
        "hours": [[h.start, h.end] for h in agreement.hours],
        "active": active,
        "updated_at": at,
    }
    forget_cached_rules()
    conn.execute(
        insert(overflow_agreement)
        .values(samu_id=agreement.from_samu, **values)
        .on_conflict_do_update(index_elements=["samu_id"], set_=values)
    )


def save_pooling(conn: Connection, *, national_pooling: bool, pooling_wait_s: float, at: datetime) -> None:
    values = {"national_pooling": national_pooling, "pooling_wait_s": pooling_wait_s, "updated_at": at}
    forget_cached_rules()
    conn.execute(
        insert(overflow_pooling)
        .values(samu_id=NATIONAL, **values)
        .on_conflict_do_update(index_elements=["samu_id"], set_=values)
    )


def timezones(conn: Connection) -> dict[str, str]:
    from sisamu.storage.tables import samu

    return {str(r.samu_id): str(r.timezone) for r in conn.execute(select(samu.c.samu_id, samu.c.timezone))}


# ---- callbacks -------------------------------------------------------------------------------------------------


def _callback(row: Any) -> tuple[Callback, int]:
    item = Callback(
        samu_id=row.samu_id,
        callback_id=int(row.callback_id),
        caller_number=row.caller_number,
        call_ids=tuple(row.call_ids),
        first_abandoned_at=row.first_abandoned_at,
        last_abandoned_at=row.last_abandoned_at,
        longest_wait_s=float(row.longest_wait_s),
        state=CallbackState(row.state),
        attempts=row.attempts,
        outcome=CallbackOutcome(row.outcome) if row.outcome else None,
        seat_id=row.seat_id,
        started_at=row.started_at,
        done_at=row.done_at,
    )
    return item, int(row.version)


def _callback_values(item: Callback) -> dict[str, Any]:
    return {
        "caller_number": item.caller_number,
        "call_ids": list(item.call_ids),
        "first_abandoned_at": item.first_abandoned_at,
        "last_abandoned_at": item.last_abandoned_at,
        "longest_wait_s": item.longest_wait_s,
        "state": item.state.value,
        "attempts": item.attempts,
        "outcome": item.outcome.value if item.outcome else None,
        "seat_id": item.seat_id,
        "started_at": item.started_at,
        "done_at": item.done_at,
    }


def open_callback_for_number(conn: Connection, samu_id: str, number: str) -> tuple[Callback, int] | None:
    row = conn.execute(
        select(callback)
        .where(
            callback.c.samu_id == samu_id,
            callback.c.caller_number == number,
            callback.c.state != CallbackState.DONE.value,
        )
        .with_for_update()
    ).first()
    return _callback(row) if row is not None else None


def insert_callback_if_none_open(conn: Connection, item: Callback) -> tuple[Callback, int] | None:
    """Insert a new open entry; None if another transaction opened one for this number meanwhile."""
    values = _callback_values(item)
    row = conn.execute(
        insert(callback)
        .values(samu_id=item.samu_id, **values)
        .on_conflict_do_nothing(
            index_elements=["samu_id", "caller_number"],
            index_where=callback.c.state != CallbackState.DONE.value,
        )
        .returning(callback)
    ).first()
    return _callback(row) if row is not None else None


def get_callback(
    conn: Connection, samu_id: str, callback_id: int, *, lock: bool = False
) -> tuple[Callback, int] | None:
    query = select(callback).where(callback.c.samu_id == samu_id, callback.c.callback_id == callback_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _callback(row) if row is not None else None


def update_callback(conn: Connection, item: Callback, version: int, *, account_id: UUID | None = None) -> int:
    values = _callback_values(item)
    if account_id is not None:
        values["account_id"] = account_id
    conn.execute(
        callback.update()
        .where(callback.c.samu_id == item.samu_id, callback.c.callback_id == item.callback_id)
        .values(**values, version=version + 1)
    )
    return version + 1


def callbacks(
    conn: Connection, samu_id: str, *, open_only: bool, limit: int = 200
) -> list[tuple[Callback, int]]:
    query = select(callback).where(callback.c.samu_id == samu_id)
    if open_only:
        query = query.where(callback.c.state != CallbackState.DONE.value)
        query = query.order_by(callback.c.first_abandoned_at)
    else:
        query = query.order_by(callback.c.last_abandoned_at.desc())
    return [_callback(r) for r in conn.execute(query.limit(limit))]


def set_callback_note(conn: Connection, samu_id: str, callback_id: int, note: str) -> None:
    conn.execute(
        callback.update()
        .where(callback.c.samu_id == samu_id, callback.c.callback_id == callback_id)
        .values(note=note)
    )


# ---- AML ------------------------------------------------------------------------------------------------------


def add_location(
    conn: Connection, samu_id: str, location: AmlLocation, *, call_id: str | None, received_at: datetime
) -> int:
    return int(
        conn.execute(
            aml_location.insert()
            .values(
                samu_id=samu_id,
                call_id=call_id,
                msisdn=location.msisdn,
                lat=location.lat,
                lon=location.lon,
                radius_m=location.radius_m,
                confidence_pct=location.confidence_pct,
                method=location.method.value,
                transport=location.transport,
                positioned_at=location.positioned_at,
                received_at=received_at,
                raw=location.raw,
            )
            .returning(aml_location.c.location_id)
        ).scalar_one()
    )


def locations_of_call(conn: Connection, samu_id: str, call_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(aml_location)
            .where(aml_location.c.samu_id == samu_id, aml_location.c.call_id == call_id)
            .order_by(aml_location.c.positioned_at.desc())
        )
    )


def abandoned_waits(conn: Connection, samu_id: str, since: datetime) -> list[float]:
    rows = conn.execute(
        select(phone_call.c.waited_s).where(
            and_(phone_call.c.samu_id == samu_id, phone_call.c.offered_at >= since),
            phone_call.c.state == CallState.ABANDONED.value,
        )
    )
    return [float(r[0] or 0.0) for r in rows]
