"""Request and response bodies of the AML routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


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
