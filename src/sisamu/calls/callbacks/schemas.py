"""Request and response bodies of the callback routes."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, Field

from sisamu.calls.callbacks.model import Callback, CallbackOutcome


class CallbackOut(BaseModel):
    callback_id: int
    caller_number: str | None = Field(description="the number to call back; null for who may not see numbers")
    call_ids: list[str]
    first_abandoned_at: datetime
    last_abandoned_at: datetime
    longest_wait_s: float
    state: str
    attempts: int
    outcome: CallbackOutcome | None
    seat_id: str | None

    @classmethod
    def of(cls, item: Callback, *, number: bool = True) -> CallbackOut:
        return cls(
            callback_id=item.callback_id,
            caller_number=item.caller_number if number else None,
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


class DialMode(enum.StrEnum):
    REQUESTED = "requested"  # a telephony was asked to ring the seat and call the number
    MANUAL = "manual"  # no telephony executes requests: the ARM dials by hand


class CallbackStartOut(BaseModel):
    callback: CallbackOut
    dial: DialMode = Field(
        description="`requested`: the telephony will ring the seat, then call the number (a failure comes as the "
        "live event `telephony.failed`); `manual`: the ARM dials by hand"
    )


class OutcomeIn(BaseModel):
    outcome: CallbackOutcome
    note: str | None = Field(default=None, max_length=2000)
