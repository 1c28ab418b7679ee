"""Request and response bodies of the callback routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sisamu.calls.callbacks.model import Callback, CallbackOutcome


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
