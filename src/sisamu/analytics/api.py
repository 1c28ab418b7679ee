"""`GET /api/indicators/calls`: the call indicators of a scope (SAMUs named, a region, or the nation) and period
(`indicators.read`: supervisors for their SAMU, national and analyst roles for every SAMU), as JSON, CSV or
Parquet. `GET /api/indicators/regions`: the regions and their SAMUs. No patient data: counts only."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Query
from fastapi.responses import Response

from sisamu.analytics.indicators import INDICATOR_KEYS, INDICATORS
from sisamu.analytics.service import Grain, Point, call_indicators, region_samus
from sisamu.geo.gazetteer import regions
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security.errors import Refused

router = APIRouter(prefix="/api/indicators", tags=["indicators"])
MAX_DAYS = 400  # a year and a bit: a request's size stays bounded


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused("FUSEAU_INCONNU", f"Fuseau horaire inconnu : {name}.", status=422) from None


@router.get(
    "/calls", summary="Call indicators by hour, day, week or month, per SAMU or summed (CSV with format=csv)"
)
def calls_indicators(
    platform: PlatformDep,
    principal: PrincipalDep,
    start: date,
    end: date,
    samu: Annotated[list[str], Query(max_length=200)] = [],  # noqa: B006 - FastAPI reads the default
    region: Annotated[str | None, Query(max_length=3, description="INSEE region code: its SAMUs")] = None,
    by: Grain = Grain.DAY,
    total: bool = False,
    tz: str = "Europe/Paris",
    format: Literal["json", "csv", "parquet"] = "json",  # noqa: A002 - query name
) -> Any:
    if end < start or (end - start).days > MAX_DAYS:
        raise Refused(
            "PERIODE_INVALIDE",
            f"Période invalide : du {start} au {end} (au plus {MAX_DAYS} jours).",
            status=422,
        )
    zone = _zone(tz)
    if region is not None:
        if samu:
            raise Refused(
                "PERIMETRE_INVALIDE", "Choisissez des SAMU ou une région, pas les deux.", status=422
            )
        samu = region_samus(region)[1]
    with platform.engine.connect() as conn:
        points = call_indicators(
            conn, principal, samu_ids=samu, start=start, end=end, grain=by, zone=zone, total=total
        )
    threshold = platform.settings.lost_call_threshold_s
    if format != "json":
        body, media_type = _csv(points) if format == "csv" else _parquet(points)
        return Response(
            body,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="indicateurs-appels-{start}-{end}.{format}"'
            },
        )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "by": by.value,
        "tz": tz,
        "lost_call_threshold_s": threshold,
        "definitions": [
            {"key": i.key, "label": i.label_fr, "unit": i.unit, "formula": i.formula, "sources": i.sources}
            for i in INDICATORS
        ],
        "series": [{"period": p.period, "samu_id": p.samu_id, **p.values} for p in points],
    }


@router.get("/regions", summary="France's regions (INSEE codes) and the SAMUs of each, for a regional scope")
def list_regions(principal: PrincipalDep) -> list[dict[str, Any]]:
    del principal  # any signed-in person: public reference data
    return [
        {
            "code": r.code,
            "name": r.name,
            "departements": list(r.departements),
            "samus": region_samus(r.code)[1],
        }
        for r in regions()
    ]


def _csv(points: list[Point]) -> tuple[bytes, str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "samu_id", *INDICATOR_KEYS])
    for point in points:
        writer.writerow([point.period, point.samu_id, *(point.values[key] for key in INDICATOR_KEYS)])
    return out.getvalue().encode(), "text/csv; charset=utf-8"


def _parquet(points: list[Point]) -> tuple[bytes, str]:
    """One row per period and SAMU; counts as 64-bit integers, rates and waits as doubles, units in the
    column metadata."""
    columns: dict[str, Any] = {
        "period": pa.array([p.period for p in points], pa.string()),
        "samu_id": pa.array([p.samu_id for p in points], pa.string()),
    }
    fields = [pa.field("period", pa.string()), pa.field("samu_id", pa.string())]
    for indicator in INDICATORS:
        kind = pa.int64() if indicator.unit == "appels" else pa.float64()
        columns[indicator.key] = pa.array([p.values[indicator.key] for p in points], kind)
        fields.append(
            pa.field(indicator.key, kind, metadata={"unit": indicator.unit, "label": indicator.label_fr})
        )
    table = pa.Table.from_pydict(columns, schema=pa.schema(fields))
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue(), "application/vnd.apache.parquet"
