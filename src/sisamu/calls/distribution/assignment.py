"""Distribution on PostgreSQL: waiting calls and available seats are locked `FOR UPDATE SKIP LOCKED`, the pure
policy (`sisamu.calls.distribution.policy.distribute`, the one the digital twin runs) decides, and the decisions are applied in
the same transaction.

Why no call ever rings at two seats and no seat ever gets two calls, with any number of instances distributing
at once: a distributor only assigns rows it has locked; rows another distributor holds are skipped, not waited
for; the lock is held until commit, and a row committed meanwhile is re-checked against `state = 'queued'` /
`state = 'available'` before it is returned (PostgreSQL re-evaluates the WHERE clause on the newest version of a
row it locks). The policy never gives one call or one seat twice within one snapshot. A partial unique index
(`uq_phone_call_busy_seat`: one presented or answered call per seat) backs this up in the schema.

`tick` runs the timers: presentations that rang out (back to the queue, a miss counted at the seat), and
after-call work that is over.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sisamu.calls.distribution import policy, store
from sisamu.calls.distribution.joint_write import write_call_and_seat
from sisamu.calls.distribution.model import overflow_call, present_call, ring_timeout_call
from sisamu.calls.distribution.service import emit_call
from sisamu.calls.overflow import store as overflow_store
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import (
    AgentState,
    agent_end_after_call_work,
    agent_miss_presentation,
    agent_present,
)
from sisamu.calls.seats.service import emit_seat
from sisamu.domain.events import DomainEvent
from sisamu.security import audit

if TYPE_CHECKING:
    from collections.abc import Collection

    from sisamu.storage.uow import UnitOfWork

DEFAULT_RING_TIMEOUT_S = 20.0
DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Assignment:
    call_samu_id: str  # owner of the call
    call_id: str
    seat_samu_id: str
    seat_id: str
    overflowed_from: str | None  # the queue the call left, when it went to a partner
    record: store.CallRecord  # the call as this pass left it (presented)


def _key(samu_id: str, item_id: str) -> str:
    return f"{samu_id}/{item_id}"


@functools.lru_cache(maxsize=8)
def _zoned(zones: tuple[tuple[str, str], ...]) -> policy.HourFn:
    return policy.zoned_hour(dict(zones))


def _hour_fn(zones: dict[str, str]) -> policy.HourFn:
    return _zoned(tuple(sorted(zones.items())))


def scope_of(samu_ids: Collection[str], rules: policy.OverflowRules) -> set[str] | None:
    """The SAMUs whose queues and seats one distribution pass must see for `samu_ids` (None: all of them)."""
    if rules.national_pooling:
        return None
    scope = set(samu_ids)
    for samu_id in samu_ids:
        agreement = rules.agreements.get(samu_id)
        if agreement is not None:
            scope.update(agreement.partners)
        scope.update(rules.helped_by.get(samu_id, ()))
    return scope


def distribute(
    uow: UnitOfWork,
    now: datetime,
    *,
    samu_ids: Collection[str] | None = None,
    rules: policy.OverflowRules | None = None,
    hour_of: policy.HourFn | None = None,
    batch: int = DEFAULT_BATCH,
) -> list[Assignment]:
    """Present waiting calls to available seats (own SAMU first, then overflow); returns what was assigned.

    `samu_ids` limits the pass to those SAMUs and the partners their agreements name (None: every SAMU).
    `rules` and `hour_of` default to the agreements in the database and each SAMU's timezone.
    """
    conn = uow.conn
    cached, zones = overflow_store.cached_rules(conn)
    rules = rules if rules is not None else cached
    scope = scope_of(samu_ids, rules) if samu_ids is not None else None
    if samu_ids is None:  # the timers' pass: most seconds no call waits, and then it locks no seat at all
        calls = store.waiting_calls_for_update(conn, scope, batch)
        seats = seat_store.available_seats_for_update(conn, scope) if calls else []
    else:  # after a command: seats first (an offer finds none free more often than it finds no call)
        seats = seat_store.available_seats_for_update(conn, scope)
        calls = store.waiting_calls_for_update(conn, scope, batch) if seats else []
    if not seats or not calls:
        return []
    hour_of = hour_of or _hour_fn(zones)
    # Instances' clocks differ slightly: never decide earlier than the last change of a row we hold.
    now = max([now, *(s.agent.since for s in seats), *(r.call.updated_at for r in calls)])
    by_call = {_key(r.call.handling_samu_id, r.call.call_id): r for r in calls}
    by_seat = {_key(s.agent.samu_id, s.agent.agent_id): s for s in seats}
    snapshot = policy.Snapshot(
        calls=tuple(
            policy.WaitingCall(
                call_id=key,
                samu=r.call.handling_samu_id,
                flux=r.call.flux.value,
                priority=policy.Priority(r.call.priority.value),
                arrived_at=r.call.offered_at.timestamp(),
            )
            for key, r in by_call.items()
        ),
        agents=tuple(
            policy.Agent(
                agent_id=key,
                samu=s.agent.samu_id,
                state=policy.AgentState.AVAILABLE,
                skills=frozenset(f.value for f in s.agent.skills.fluxes) | s.agent.skills.languages,
                idle_since=s.agent.since.timestamp(),
            )
            for key, s in by_seat.items()
        ),
        rules=rules,
    )
    made: list[Assignment] = []
    audits: list[tuple[str, str, dict[str, str]]] = []
    for decision in policy.distribute(snapshot, now.timestamp(), hour_of=hour_of):
        record, seat = by_call[decision.call_id], by_seat[decision.agent_id]
        call, timestamps = record.call, {"presented_at": now}
        events: list[DomainEvent] = []
        if decision.overflowed_from is not None:
            call, overflowed = overflow_call(call, seat.agent.samu_id, now)
            events.extend(overflowed)
            timestamps["overflowed_at"] = now
            if store.add_grant(conn, call.samu_id, call.call_id, seat.agent.samu_id, "overflow", now):
                detail = {
                    "from": decision.overflowed_from,
                    "to": seat.agent.samu_id,
                    "seat": seat.agent.agent_id,
                }
                audits.append((call.samu_id, call.call_id, detail))
        call, presented = present_call(call, seat.agent.agent_id, now)
        agent, rung = agent_present(seat.agent, call.call_id, call.flux, now)
        version, seat_version = write_call_and_seat(
            conn, record, call, seat, agent, presentation="add", at=now, timestamps=timestamps
        )
        if decision.overflowed_from is not None:
            emit_call(uow, call, version, "overflowed")
        emit_call(uow, call, version, "presented")
        emit_seat(uow, agent.samu_id, agent.agent_id, seat_version)
        uow.record(*events, *presented, *rung)
        made.append(
            Assignment(
                call.samu_id,
                call.call_id,
                agent.samu_id,
                agent.agent_id,
                decision.overflowed_from,
                store.CallRecord(call, version, now),
            )
        )
    for owner, call_id, detail in sorted(audits):  # one audit chain head per owner, always in the same order
        audit.record(
            conn,
            principal=None,
            samu_id=owner,
            action="call.overflow",
            object_type="call",
            object_id=call_id,
            at=now,
            detail=detail,
            actor="distribution",
        )
    return made


@dataclass(frozen=True, slots=True)
class TickResult:
    rang_out: int
    after_call_work_ended: int


def tick(
    uow: UnitOfWork, now: datetime, *, ring_timeout_s: float = DEFAULT_RING_TIMEOUT_S, max_missed: int = 2
) -> TickResult:
    """Timers: ring timeouts (call back to its queue, a miss at the seat), after-call work that is over."""
    conn = uow.conn
    rang_out = 0
    for record in store.ring_timeouts_for_update(conn, now - timedelta(seconds=ring_timeout_s)):
        before = record.call
        call, requeued = ring_timeout_call(before, now)
        version = store.update_call(conn, record, call, queued_at=now)
        store.close_presentation(conn, before, "ring_timeout", now)
        if before.agent_id is not None:
            seat = seat_store.get_seat(conn, before.handling_samu_id, before.agent_id, lock=True)
            if (
                seat is not None
                and seat.agent.state is AgentState.PRESENTED
                and seat.agent.call_id == call.call_id
            ):
                agent, missed = agent_miss_presentation(seat.agent, call.call_id, now, max_missed=max_missed)
                emit_seat(uow, agent.samu_id, agent.agent_id, seat_store.save_seat(conn, agent, seat))
                uow.record(*missed)
        emit_call(uow, call, version, "queued")
        uow.record(*requeued)
        rang_out += 1
    ended = 0
    for seat in seat_store.after_call_work_due_for_update(conn, now):
        agent, over = agent_end_after_call_work(seat.agent, now)
        emit_seat(uow, agent.samu_id, agent.agent_id, seat_store.save_seat(conn, agent, seat))
        uow.record(*over)
        ended += 1
    return TickResult(rang_out, ended)
