"""Use cases of ARM seats: log in with the shift's skills, pause, resume, end after-call work, log out.

Each takes the `principal` acting (None: the platform itself — timers, simulator, tests of the rules) and checks
it: `call.handle` on the SAMU, and a seat someone is logged in at is commanded by that person only. Each records
the seat's events (`AgentLoggedIn`, `AgentResumed`, `AgentAfterCallWorkEnded`…) on the unit of work: a seat made
available gets a distribution pass through the bus (`sisamu.calls.distribution.handlers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sisamu.calls.errors import NotFoundError
from sisamu.calls.flux import Flux
from sisamu.calls.seats import store
from sisamu.calls.seats.model import (
    DEFAULT_AFTER_CALL_WORK_S,
    PauseReason,
    Skills,
    agent_end_after_call_work,
    agent_log_in,
    agent_log_out,
    agent_pause,
    agent_resume,
    new_agent,
)
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import LiveEvent
from sisamu.security.access import authorize
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from sisamu.calls.seats.model import Agent, AgentEvent
    from sisamu.storage.uow import UnitOfWork

DEFAULT_LANGUAGES = frozenset({"fr"})


def emit_seat(uow: UnitOfWork, samu_id: str, seat_id: str, version: int) -> None:
    uow.emit(LiveEvent(samu_id, "seat.changed", seat_id, version))


def locked_seat(uow: UnitOfWork, samu_id: str, seat_id: str) -> store.SeatRecord:
    record = store.get_seat(uow.conn, samu_id, seat_id, lock=True)
    if record is None:
        raise NotFoundError(f"seat {seat_id} of samu {samu_id} not found")
    return record


def may_handle(principal: Principal | None, samu_id: str) -> None:
    """Work at a seat of `samu_id`: `call.handle` there (ARM, regulator)."""
    if principal is not None:
        authorize(principal, Permission.CALL_HANDLE, samu_id)


def check_at_seat(principal: Principal | None, seat: store.SeatRecord) -> None:
    """A seat someone is logged in at is commanded by that person only (a free seat by any call handler)."""
    if principal is not None and seat.account_id is not None and seat.account_id != principal.account_id:
        raise Forbidden(f"{principal.username} is not logged in at seat {seat.agent.agent_id}")


def log_in(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    seat_id: str,
    now: datetime,
    id_nat_ps: str | None = None,
    fluxes: frozenset[Flux] = frozenset({Flux.CENTRE_15}),
    languages: frozenset[str] = DEFAULT_LANGUAGES,
    after_call_work_s: int = DEFAULT_AFTER_CALL_WORK_S,
) -> store.SeatRecord:
    """Log in at a seat (created on first use) with the skills and after-call work of this shift, as `principal`
    (the seat is then theirs until they log out)."""
    may_handle(principal, samu_id)
    account_id = principal.account_id if principal is not None else None
    if account_id is not None:
        other = store.seat_of_account(uow.conn, samu_id, account_id)
        if other is not None and other != seat_id:
            raise TransitionRefused(f"account already logged in at seat {other}")
    seat = store.get_seat(uow.conn, samu_id, seat_id, lock=True)
    skills = Skills(frozenset(fluxes), frozenset(languages))
    base = (
        new_agent(seat_id, samu_id, now, skills=skills, after_call_work_s=after_call_work_s)
        if seat is None
        else replace(seat.agent, skills=skills, after_call_work_s=after_call_work_s)
    )
    agent, events = agent_log_in(base, now)
    version = store.save_seat(
        uow.conn, agent, seat, account_id=account_id, id_nat_ps=id_nat_ps, keep_identity=False
    )
    emit_seat(uow, samu_id, seat_id, version)
    uow.record(*events)
    return store.SeatRecord(agent, version, account_id, id_nat_ps, None)


def _seat_command(
    uow: UnitOfWork,
    principal: Principal | None,
    samu_id: str,
    seat_id: str,
    transition: Callable[[Agent], tuple[Agent, list[AgentEvent]]],
    *,
    log_out: bool = False,
) -> store.SeatRecord:
    may_handle(principal, samu_id)
    seat = locked_seat(uow, samu_id, seat_id)
    check_at_seat(principal, seat)
    agent, events = transition(seat.agent)
    version = store.save_seat(uow.conn, agent, seat, keep_identity=not log_out)
    emit_seat(uow, samu_id, seat_id, version)
    uow.record(*events)
    identity = (None, None) if log_out else (seat.account_id, seat.id_nat_ps)
    return store.SeatRecord(agent, version, *identity, None)


def log_out(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, seat_id: str, now: datetime
) -> store.SeatRecord:
    return _seat_command(
        uow, principal, samu_id, seat_id, lambda agent: agent_log_out(agent, now), log_out=True
    )


def pause(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    seat_id: str,
    reason: PauseReason,
    now: datetime,
) -> store.SeatRecord:
    return _seat_command(uow, principal, samu_id, seat_id, lambda agent: agent_pause(agent, reason, now))


def resume(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, seat_id: str, now: datetime
) -> store.SeatRecord:
    return _seat_command(uow, principal, samu_id, seat_id, lambda agent: agent_resume(agent, now))


def ready(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, seat_id: str, now: datetime
) -> store.SeatRecord:
    """End after-call work early: the ARM is available again."""
    return _seat_command(
        uow, principal, samu_id, seat_id, lambda agent: agent_end_after_call_work(agent, now)
    )
