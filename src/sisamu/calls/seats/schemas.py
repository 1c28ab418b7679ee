"""Request and response bodies of the seat routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sisamu.calls.flux import Flux
from sisamu.calls.seats import store
from sisamu.calls.seats.model import DEFAULT_AFTER_CALL_WORK_S, PauseReason
from sisamu.security.roles import Principal


class SeatOut(BaseModel):
    seat_id: str
    state: str
    since: datetime
    fluxes: list[str]
    languages: list[str]
    call_id: str | None
    call_samu_id: str | None
    pause_reason: PauseReason | None
    pause_reason_label: str | None  # the reason as the room says it (French)
    missed_presentations: int
    after_call_work_s: int
    mine: bool
    version: int

    @classmethod
    def of(cls, record: store.SeatRecord, principal: Principal) -> SeatOut:
        a = record.agent
        return cls(
            seat_id=a.agent_id,
            state=a.state.value,
            since=a.since,
            fluxes=sorted(f.value for f in a.skills.fluxes),
            languages=sorted(a.skills.languages),
            call_id=a.call_id,
            call_samu_id=record.call_samu_id,
            pause_reason=a.pause_reason,
            pause_reason_label=a.pause_reason.label if a.pause_reason else None,
            missed_presentations=a.missed_presentations,
            after_call_work_s=a.after_call_work_s,
            mine=record.account_id == principal.account_id,
            version=record.version,
        )


class LogInIn(BaseModel):
    fluxes: list[Flux] = Field(default_factory=lambda: [Flux.CENTRE_15], min_length=1)
    languages: list[str] = Field(default_factory=lambda: ["fr"], min_length=1)
    after_call_work_s: int = Field(default=DEFAULT_AFTER_CALL_WORK_S, ge=0, le=600)
    id_nat_ps: str | None = Field(default=None, min_length=1, max_length=32)


class PauseIn(BaseModel):
    reason: PauseReason
