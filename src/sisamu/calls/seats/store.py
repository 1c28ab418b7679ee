"""Queries of ARM seats: rows ↔ the pure seat model, with locks."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from sisamu.calls.flux import Flux
from sisamu.calls.seats.model import Agent, AgentState, PauseReason, Skills
from sisamu.calls.tables import arm_seat
from sisamu.storage import direct

# Built once, like the distribution's statements (`distribution/store.py`).
_SAMU_IDS = bindparam("k_samu_ids", type_=ARRAY(String(8)))
_SEAT_KEY = (arm_seat.c.samu_id == bindparam("k_samu_id")) & (arm_seat.c.seat_id == bindparam("k_seat_id"))
_GET_SEAT = select(arm_seat).where(_SEAT_KEY)
_GET_SEAT_LOCKED = _GET_SEAT.with_for_update()
_UPDATE_SEAT = arm_seat.update().where(_SEAT_KEY)


def _available_seats(scoped: bool) -> Any:
    query = select(arm_seat).where(arm_seat.c.state == AgentState.AVAILABLE.value)
    if scoped:
        query = query.where(arm_seat.c.samu_id == any_(_SAMU_IDS))
    return query.order_by(arm_seat.c.samu_id, arm_seat.c.seat_id).with_for_update(skip_locked=True)


_AVAILABLE_SEATS = {scoped: _available_seats(scoped) for scoped in (False, True)}


@dataclass(frozen=True, slots=True)
class SeatRecord:
    agent: Agent
    version: int
    account_id: UUID | None
    id_nat_ps: str | None
    call_samu_id: str | None


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


def seat_values(agent: Agent, call_samu_id: str | None) -> dict[str, Any]:
    """The columns a change of the seat's state writes (`call_samu_id`: owner of the call at the seat, if any)."""
    return _seat_values(agent) | {"call_samu_id": call_samu_id if agent.call_id else None}


def get_seat(conn: Connection, samu_id: str, seat_id: str, *, lock: bool = False) -> SeatRecord | None:
    query = _GET_SEAT_LOCKED if lock else _GET_SEAT
    row = direct.execute(conn, query, {"k_samu_id": samu_id, "k_seat_id": seat_id}).fetchone()
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
    values = seat_values(agent, call_samu_id)
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
    values["version"] = version
    keys = {"k_samu_id": agent.samu_id, "k_seat_id": agent.agent_id}
    direct.execute(conn, _UPDATE_SEAT, values | keys, set_columns=values)
    return version


def available_seats_for_update(conn: Connection, samu_ids: Collection[str] | None) -> list[SeatRecord]:
    params = {"k_samu_ids": sorted(samu_ids)} if samu_ids is not None else {}
    return [_seat(r) for r in direct.execute(conn, _AVAILABLE_SEATS[samu_ids is not None], params)]


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
