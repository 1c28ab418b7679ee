"""Queries of AML locations: kept as received, attached to a call when one matches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from sisamu.calls.aml.model import AmlLocation
from sisamu.calls.tables import aml_location


def add_location(
    conn: Connection, samu_id: str, location: AmlLocation, *, call_id: str | None, received_at: datetime
) -> int:
    return int(
        conn.execute(
            aml_location.insert()
            .values(
                samu_id=samu_id,
                call_id=call_id,
                msisdn=location.msisdn,
                lat=location.lat,
                lon=location.lon,
                radius_m=location.radius_m,
                confidence_pct=location.confidence_pct,
                method=location.method.value,
                transport=location.transport,
                positioned_at=location.positioned_at,
                received_at=received_at,
                raw=location.raw,
            )
            .returning(aml_location.c.location_id)
        ).scalar_one()
    )


def locations_of_call(conn: Connection, samu_id: str, call_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(aml_location)
            .where(aml_location.c.samu_id == samu_id, aml_location.c.call_id == call_id)
            .order_by(aml_location.c.positioned_at.desc())
        )
    )
