"""Request and response bodies of the telephony routes (`sisamu.calls.api`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from sisamu.calls import store
from sisamu.calls.agent import DEFAULT_AFTER_CALL_WORK_S, PauseReason
from sisamu.calls.call import CallState, TransferTarget
from sisamu.calls.callback import Callback, CallbackOutcome
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.security.roles import Principal


class CallOut(BaseModel):
    call_id: str
    samu_id: str
    handling_samu_id: str
    flux: Flux
    priority: PrioritySignal
    caller_number: str | None
    state: CallState
    seat_id: str | None
    presentations: int
    waited_s: float | None
    offered_at: datetime
    answered_at: datetime | None
    finished_at: datetime | None
    transferred_to: str | None
    version: int

    @classmethod
    def of(cls, record: store.CallRecord) -> CallOut:
        c = record.call
        return cls(
            call_id=c.call_id,
            samu_id=c.samu_id,
            handling_samu_id=c.handling_samu_id,
            flux=c.flux,
            priority=c.priority,
            caller_number=c.caller_number,
            state=c.state,
            seat_id=c.agent_id,
            presentations=c.presentations,
            waited_s=c.waited_s,
            offered_at=c.offered_at,
            answered_at=c.answered_at,
            finished_at=c.finished_at,
            transferred_to=c.transferred_to,
            version=record.version,
        )


class OfferIn(BaseModel):
    call_id: str = Field(min_length=1, max_length=64)
    flux: Flux = Flux.CENTRE_15
    priority: PrioritySignal = PrioritySignal.PX
    caller_number: str | None = Field(default=None, max_length=32)


class TransferIn(BaseModel):
    target: TransferTarget
    target_id: str = Field(min_length=1, max_length=64)


class SeatOut(BaseModel):
    seat_id: str
    state: str
    since: datetime
    fluxes: list[str]
    languages: list[str]
    call_id: str | None
    call_samu_id: str | None
    pause_reason: PauseReason | None
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


class CallbackOut(BaseModel):
    callback_id: int
    caller_number: str
    call_ids: list[str]
    first_abandoned_at: datetime
    last_abandoned_at: datetime
    longest_wait_s: float
    state: str
    attempts: int
    outcome: CallbackOutcome | None
    seat_id: str | None

    @classmethod
    def of(cls, item: Callback) -> CallbackOut:
        return cls(
            callback_id=item.callback_id,
            caller_number=item.caller_number,
            call_ids=list(item.call_ids),
            first_abandoned_at=item.first_abandoned_at,
            last_abandoned_at=item.last_abandoned_at,
            longest_wait_s=item.longest_wait_s,
            state=item.state.value,
            attempts=item.attempts,
            outcome=item.outcome,
            seat_id=item.seat_id,
        )


class CallbackStartIn(BaseModel):
    seat_id: str = Field(min_length=1, max_length=32)


class CallbackStartOut(BaseModel):
    callback: CallbackOut
    dialled: bool  # the telephony was asked to place the call (DemandeAppelSortant); else the ARM dials


class OutcomeIn(BaseModel):
    outcome: CallbackOutcome
    note: str | None = Field(default=None, max_length=2000)


SamuId = Annotated[str, Field(min_length=1, max_length=8)]
Hour = Annotated[int, Field(ge=0, le=24)]


class HoursIn(BaseModel):
    """Local hours `[start, end)`; wraps past midnight when start > end (20 → 8)."""

    start: Hour
    end: Hour


class AgreementIn(BaseModel):
    partners: list[SamuId] = Field(min_length=1, max_length=20)
    wait_threshold_s: float = Field(ge=0, le=3600, allow_inf_nan=False)
    queue_threshold: int | None = Field(default=None, ge=1, le=10_000)
    hours: list[HoursIn] = Field(default_factory=list, max_length=24)
    active: bool = True


class AgreementOut(AgreementIn):
    samu_id: str


class AmlIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    msisdn: str | None = Field(default=None, max_length=32)


class AmlOut(BaseModel):
    lat: float | None
    lon: float | None
    radius_m: float | None
    positioned_at: datetime
    method: str
    call_id: str | None


class WallboardOut(BaseModel):
    samu_id: str
    at: datetime
    since: datetime
    waiting: int
    ringing: int
    longest_wait_s: float
    seats_by_state: dict[str, int]
    offered_today: int
    answered_today: int
    answered_within_60s: int
    answered_within_30s: int
    answered_within_60s_pct: float | None
    answered_within_30s_pct: float | None
    abandoned_today: int
    lost_today: int
    lost_pct: float | None
    lost_call_threshold_s: float
    callbacks_pending: int
    overflow_in_today: int
    overflow_out_today: int
