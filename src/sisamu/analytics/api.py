"""`GET /api/indicators/calls`: the call indicators of a scope and period (`indicators.read`: supervisors for
their SAMU, national and analyst roles for every SAMU), as JSON or CSV. No patient data: counts only."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sisamu.analytics.indicators import INDICATOR_KEYS, INDICATORS
from sisamu.analytics.service import Grain, call_indicators
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
    by: Grain = Grain.DAY,
    total: bool = False,
    tz: str = "Europe/Paris",
    format: Literal["json", "csv"] = "json",  # noqa: A002 - query name
) -> Any:
    if end < start or (end - start).days > MAX_DAYS:
        raise Refused(
            "PERIODE_INVALIDE",
            f"Période invalide : du {start} au {end} (au plus {MAX_DAYS} jours).",
            status=422,
        )
    zone = _zone(tz)
    with platform.engine.connect() as conn:
        points = call_indicators(
            conn, principal, samu_ids=samu, start=start, end=end, grain=by, zone=zone, total=total
        )
    threshold = platform.settings.lost_call_threshold_s
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["period", "samu_id", *INDICATOR_KEYS])
        for point in points:
            writer.writerow([point.period, point.samu_id, *(point.values[key] for key in INDICATOR_KEYS)])
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="indicateurs-appels-{start}-{end}.csv"'},
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
