"""HTTP route of the wallboard, `GET /api/samus/{samu_id}/telephony/wallboard` (`room.read`)."""

from __future__ import annotations

from fastapi import APIRouter

from sisamu.calls.http import Reader
from sisamu.calls.wallboard.schemas import WallboardOut
from sisamu.calls.wallboard.store import wallboard
from sisamu.platform.http import PlatformDep

room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])


@room.get("/wallboard", summary="Supervisor wallboard: the room now and today's indicators")
def get_wallboard(samu_id: str, platform: PlatformDep, _: Reader) -> WallboardOut:
    with platform.engine.connect() as conn:
        board = wallboard(
            conn,
            samu_id,
            platform.clock.now(),
            lost_call_threshold_s=platform.settings.lost_call_threshold_s,
        )
    return WallboardOut(
        **{name: getattr(board, name) for name in WallboardOut.model_fields if hasattr(board, name)}
    )
