"""Request and response bodies of the AML routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

    @classmethod
    def of(cls, location: Any, call_id: str | None) -> AmlOut:
        """A location as parsed (`AmlLocation`) or as kept (a row): the same fields."""
        method = location.method
        return cls(
            lat=location.lat,
            lon=location.lon,
            radius_m=location.radius_m,
            positioned_at=location.positioned_at,
            method=getattr(method, "value", method),
            call_id=call_id,
        )
