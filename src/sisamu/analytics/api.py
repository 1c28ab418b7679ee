"""`GET /api/indicators/calls` and `GET /api/indicators/activity`: the call indicators, and the regulation and SMUR
indicators, of a scope (SAMUs named, a region, or the nation) and period (`indicators.read`: supervisors for their
SAMU, national and analyst roles for every SAMU), as JSON, CSV or Parquet. `GET /api/indicators/regions`: the
regions and their SAMUs. No patient data: counts only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import Connection

from sisamu.analytics.indicators import ACTIVITY_INDICATORS, INDICATORS, Indicator
from sisamu.analytics.service import (
    Grain,
    Point,
    activity_indicators_of,
    call_indicators,
    check_only,
    region_samus,
)
from sisamu.geo.gazetteer import regions
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security.errors import Refused
from sisamu.security.roles import Principal

router = APIRouter(prefix="/api/indicators", tags=["indicators"])
MAX_DAYS = 400  # a year and a bit: a request's size stays bounded
Format = Literal["json", "csv", "parquet"]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused("FUSEAU_INCONNU", f"Fuseau horaire inconnu : {name}.", status=422) from None


@dataclass(frozen=True, slots=True)
class Asked:
    """A request's scope, period, grouping and format, checked."""

    start: date
    end: date
    samu_ids: list[str]
    by: Grain
    total: bool
    tz: str
    zone: ZoneInfo
    format: Format
    indicators: list[str]


def asked(
    start: date,
    end: date,
    samu: Annotated[list[str], Query(max_length=200)] = [],  # noqa: B006 - FastAPI reads the default
    region: Annotated[str | None, Query(max_length=3, description="INSEE region code: its SAMUs")] = None,
    by: Grain = Grain.DAY,
    total: bool = False,
    tz: str = "Europe/Paris",
    format: Format = "json",  # noqa: A002 - query name
    indicator: Annotated[
        list[str], Query(max_length=40, description="only these indicators (keys); none: all")
    ] = [],  # noqa: B006 - FastAPI reads the default
) -> Asked:
    if end < start or (end - start).days > MAX_DAYS:
        raise Refused(
            "PERIODE_INVALIDE",
            f"Période invalide : du {start} au {end} (au plus {MAX_DAYS} jours).",
            status=422,
        )
    if region is not None:
        if samu:
            raise Refused(
                "PERIMETRE_INVALIDE", "Choisissez des SAMU ou une région, pas les deux.", status=422
            )
        samu = region_samus(region)[1]
    return Asked(start, end, samu, by, total, tz, _zone(tz), format, indicator)


AskedDep = Annotated[Asked, Depends(asked)]
Reader = Callable[..., list[Point]]


def _answer(
    platform: PlatformDep,
    principal: Principal,
    ask: Asked,
    read: Reader,
    definitions: tuple[Indicator, ...],
    name: str,
    **extra: Any,
) -> Any:
    only = check_only(definitions, ask.indicators)
    if only is not None:
        definitions = tuple(i for i in definitions if i.key in only)
    conn: Connection
    with platform.engine.connect() as conn:
        points = read(
            conn, principal, samu_ids=ask.samu_ids, start=ask.start, end=ask.end, grain=ask.by, zone=ask.zone,
            total=ask.total, only=only,
        )  # fmt: skip
    if ask.format != "json":
        body, media_type = _csv(points, definitions) if ask.format == "csv" else _parquet(points, definitions)
        filename = f"indicateurs-{name}-{ask.start}-{ask.end}.{ask.format}"
        return Response(
            body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )
    return {
        "start": ask.start.isoformat(),
        "end": ask.end.isoformat(),
        "by": ask.by.value,
        "tz": ask.tz,
        **extra,
        "definitions": [
            {"key": i.key, "label": i.label_fr, "unit": i.unit, "formula": i.formula, "sources": i.sources}
            for i in definitions
        ],
        "series": [{"period": p.period, "samu_id": p.samu_id, **p.values} for p in points],
    }


@router.get(
    "/calls", summary="Call indicators by hour, day, week or month, per SAMU or summed (CSV, Parquet)"
)
def calls_indicators(platform: PlatformDep, principal: PrincipalDep, ask: AskedDep) -> Any:
    threshold = platform.settings.lost_call_threshold_s
    return _answer(
        platform, principal, ask, call_indicators, INDICATORS, "appels", lost_call_threshold_s=threshold
    )


@router.get(
    "/activity",
    summary="Regulation and SMUR indicators (files, priorities, DR/DRM, times to regulation and decision, SMUR "
    "times) by hour, day, week or month, per SAMU or summed (CSV, Parquet)",
)
def activity_indicators(platform: PlatformDep, principal: PrincipalDep, ask: AskedDep) -> Any:
    return _answer(platform, principal, ask, activity_indicators_of, ACTIVITY_INDICATORS, "activite")


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


def _csv(points: list[Point], definitions: tuple[Indicator, ...]) -> tuple[bytes, str]:
    keys = [i.key for i in definitions]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "samu_id", *keys])
    for point in points:
        writer.writerow([point.period, point.samu_id, *(point.values[key] for key in keys)])
    return out.getvalue().encode(), "text/csv; charset=utf-8"


_COUNT_UNITS = frozenset({"appels", "dossiers", "missions"})


def _parquet(points: list[Point], definitions: tuple[Indicator, ...]) -> tuple[bytes, str]:
    """One row per period and SAMU; counts as 64-bit integers, rates and times as doubles, units in the column
    metadata."""
    columns: dict[str, Any] = {
        "period": pa.array([p.period for p in points], pa.string()),
        "samu_id": pa.array([p.samu_id for p in points], pa.string()),
    }
    fields = [pa.field("period", pa.string()), pa.field("samu_id", pa.string())]
    for indicator in definitions:
        kind = pa.int64() if indicator.unit in _COUNT_UNITS else pa.float64()
        columns[indicator.key] = pa.array([p.values[indicator.key] for p in points], kind)
        fields.append(
            pa.field(indicator.key, kind, metadata={"unit": indicator.unit, "label": indicator.label_fr})
        )
    table = pa.Table.from_pydict(columns, schema=pa.schema(fields))
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue(), "application/vnd.apache.parquet"
