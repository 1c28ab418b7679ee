"""Request and response bodies of the overflow routes (agreements, national pooling)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

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


class PoolingIn(BaseModel):
    national_pooling: bool
    pooling_wait_s: float = Field(default=0.0, ge=0, le=3600, description="wait before any SAMU may answer")


class PoolingOut(PoolingIn):
    pass
