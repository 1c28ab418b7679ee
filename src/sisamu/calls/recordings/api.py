"""HTTP route of the calls' recordings, under `/api/samus/{samu_id}/telephony`: the regulators and supervisors of a
SAMU the call is visible from listen to its recording (`GET /calls/{call_id}/recording`, a WAV; audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from sisamu.calls.recordings import service
from sisamu.platform.http import PlatformDep, require
from sisamu.platform.use_cases import run
from sisamu.security.roles import Permission, Principal

room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])
Listener = Annotated[Principal, Depends(require(Permission.RECORDING_LISTEN))]


@room.get(
    "/calls/{call_id}/recording",
    summary="The call's recording (WAV, both voices mixed); the listening is audited",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}}},
)
def call_recording(samu_id: str, call_id: str, platform: PlatformDep, principal: Listener) -> FileResponse:
    path = run(
        platform,
        service.listen,
        principal=principal,
        samu_id=samu_id,
        call_id=call_id,
        folder=service.folder_of(platform.settings),
    )
    return FileResponse(
        path,
        media_type="audio/wav",
        filename=f"{call_id}.wav",
        headers={"Cache-Control": "no-store"},
    )
