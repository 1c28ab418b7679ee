"""Liveness and readiness probes for load balancers and orchestrators (public, no data).

`/readyz` says whether this instance can do its work: the database answers with the schema migrated, the live feed
listens (when this process serves one), and each background service it runs (telephony timers, file steps,
rollups, Hub workers, the MQTT adapter…) is doing its work. Any check failing answers 503 with the checks, so that
a balancer stops sending consoles to an instance whose live feed is down.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from sisamu.platform.http import PlatformDep
from sisamu.platform.services import health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers with the schema migrated, the live feed listens, the background services work",
    response_model=None,
)
def readyz(request: Request, platform: PlatformDep) -> JSONResponse | dict[str, Any]:
    checks: dict[str, str] = {}
    revision = None
    try:
        with platform.engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
        checks["database"] = "ok" if revision is not None else "not migrated"
    except Exception as exc:  # noqa: BLE001 - readiness reports any database failure as "not ready"
        checks["database"] = type(exc).__name__
    if getattr(request.app.state, "live", False):
        checks["live_feed"] = "ok" if request.app.state.live_hub.listening.is_set() else "not listening"
    for service in getattr(request.app.state, "services", []):
        name, ok = health(service)
        checks[name] = "ok" if ok else "failing"
    failing = {name: state for name, state in checks.items() if state != "ok"}
    if failing:
        reason = checks["database"] if checks["database"] != "ok" else ", ".join(sorted(failing))
        return JSONResponse({"status": "unavailable", "reason": reason, "checks": checks}, status_code=503)
    return {"status": "ready", "revision": str(revision), "checks": checks}
