"""HTTP routes of a room's files, `/api/samus/{samu_id}/files…`: open a file, the regulation queue, the room board,
search and the caller's history. Access: role × tenant on `samu_id`; the services check again and audit."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from sisamu.calls.queries import overflowed_call_owner
from sisamu.cases import reads, service
from sisamu.cases.room_schemas import BoardEntryOut, FileSummaryOut, MyFileOut, QueueEntryOut
from sisamu.cases.schemas import FileOut, OpenFileIn
from sisamu.domain.codes import code_list
from sisamu.platform.http import PlatformDep, require
from sisamu.security.roles import Permission, Principal

room = APIRouter(prefix="/api/samus/{samu_id}/files", tags=["files"])


def _waiting(platform: PlatformDep, since: Any) -> float | None:
    return (platform.clock.now() - since).total_seconds() if since is not None else None


# --- a room's files --------------------------------------------------------------------------------------------


@room.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Open a file (answered call, by hand, or PROGRAM); an overflowed call's file is its caller's SAMU's",
)
def open_file(
    samu_id: str,
    payload: OpenFileIn,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.PATIENT_WRITE))],
) -> FileOut:
    with platform.uow() as uow:
        # The ARM answered a call another SAMU overflowed to this one: the file is the caller's SAMU's.
        owner = overflowed_call_owner(uow.conn, samu_id, payload.call_id) if payload.call_id else None
        file = service.open_file(
            uow,
            principal=principal,
            samu_id=owner or samu_id,
            partner_samu_id=samu_id if owner else None,
            now=platform.clock.now(),
            call_id=payload.call_id,
            program=payload.program,
            planned_at=payload.planned_at,
            qualification=payload.qualification.changes(),
            patients=[p.model_dump(exclude_unset=True) for p in payload.patients],
        )
    return FileOut.of(file)


@room.get("/queue", summary="Regulation queue: P0 handed over first, then by priority, then waiting time")
def regulation_queue(
    samu_id: str,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.PATIENT_READ))],
) -> list[QueueEntryOut]:
    with platform.uow() as uow:
        entries = reads.regulation_queue(uow, principal=principal, samu_id=samu_id, now=platform.clock.now())
    motifs = code_list("motif")
    return [
        QueueEntryOut(
            number=e.number,
            state=e.state,
            step=str(e.step),
            priority=e.priority,
            motif=e.motif,
            motif_label=motifs.label(e.motif) if e.motif else None,
            commune_name=e.commune_name,
            queued_at=e.queued_at,
            waiting_s=_waiting(platform, e.queued_at) or 0.0,
            patients=e.patients,
        )
        for e in entries
    ]


@room.get(
    "/mine", summary="My files: those I hold, and the file of my call in hand (restored after a reload)"
)
def my_files(
    samu_id: str,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.PATIENT_READ))],
    call_id: Annotated[str | None, Query(max_length=120)] = None,
) -> list[MyFileOut]:
    with platform.uow() as uow:
        found = reads.my_files(
            uow, principal=principal, samu_id=samu_id, now=platform.clock.now(), call_id=call_id
        )
    motifs = code_list("motif")
    return [
        MyFileOut(
            number=f.number,
            state=f.state,
            step=str(f.step),
            priority=f.priority,
            motif=f.motif,
            motif_label=motifs.label(f.motif) if f.motif else None,
            commune_name=f.commune_name,
            call_id=f.call_id,
            created_at=f.created_at,
            held_since=f.held_since,
            held_by_me=f.held_by_me,
        )
        for f in found
    ]


@room.get(
    "/board", summary="Room view: open files by state and priority, waiting times, holders (no identity)"
)
def room_board(
    samu_id: str,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.ROOM_READ))],
) -> list[BoardEntryOut]:
    with platform.uow() as uow:
        rows = reads.room_board(principal, uow, samu_id)
    return [
        BoardEntryOut(
            number=r.number,
            state=r.state,
            step=r.step,
            priority=r.priority,
            created_at=r.created_at,
            queued_at=r.queued_at,
            waiting_s=_waiting(platform, r.queued_at) if r.holder_name is None else None,
            holder_name=r.holder_name,
            held_since=r.held_since,
            version=r.version,
        )
        for r in rows
    ]


@room.get("/search", summary="Search files by phone, patient name (fuzzy), commune, day, number")
def search_files(
    samu_id: str,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.PATIENT_READ))],
    phone: Annotated[str | None, Query(max_length=30)] = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    commune: Annotated[str | None, Query(max_length=5, description="INSEE code")] = None,
    day: date | None = None,
    number: Annotated[str | None, Query(max_length=19)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[FileSummaryOut]:
    with platform.uow() as uow:
        found = reads.search_files(
            uow,
            principal=principal,
            samu_id=samu_id,
            now=platform.clock.now(),
            phone=phone,
            name=name,
            commune_insee=commune,
            day=day,
            number=number,
            limit=limit,
        )
    return [FileSummaryOut.model_validate(f, from_attributes=True) for f in found]


@room.get("/history", summary="The caller's files of the last 90 days (shown on pick-up)")
def caller_history(
    samu_id: str,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.PATIENT_READ))],
    phone: Annotated[str, Query(min_length=2, max_length=30)],
) -> list[FileSummaryOut]:
    with platform.uow() as uow:
        found = reads.caller_history(
            uow, principal=principal, samu_id=samu_id, phone=phone, now=platform.clock.now()
        )
    return [FileSummaryOut.model_validate(f, from_attributes=True) for f in found]
