"""Response body of the wallboard."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


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
