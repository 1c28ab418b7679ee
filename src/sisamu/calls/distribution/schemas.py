"""Request and response bodies of the call routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sisamu.calls.distribution import store
from sisamu.calls.distribution.model import CallState, TransferTarget
from sisamu.calls.flux import Flux, PrioritySignal


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
