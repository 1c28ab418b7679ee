"""Liveness and readiness probes for load balancers and orchestrators (public, no data)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from sisamu.platform.http import PlatformDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and the schema is migrated", response_model=None)
def readyz(platform: PlatformDep) -> JSONResponse | dict[str, str]:
    try:
        with platform.engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except Exception as exc:  # noqa: BLE001 - readiness reports any database failure as "not ready"
        return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, status_code=503)
    if revision is None:
        return JSONResponse({"status": "unavailable", "reason": "not migrated"}, status_code=503)
    return {"status": "ready", "revision": str(revision)}
