"""HTTP routes of crises: `/api/crises…` (events, log, reinforcements) and a room's banner
(`/api/samus/{samu_id}/crisis`). Access: the services check role × tenant over the SAMUs a crisis involves and
its reinforcements; a crisis one takes no part in answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from sisamu.crisis import queries, reinforcements, service
from sisamu.crisis.access import check_part
from sisamu.crisis.export import log_csv
from sisamu.crisis.model import Verification
from sisamu.crisis.schemas import (
    AttachIn,
    CrisisCloseIn,
    CrisisOpenIn,
    CrisisOut,
    EntryBody,
    EntryOut,
    HandoverOut,
    ReinforcementIn,
    ReinforcementOut,
    VerificationIn,
)
from sisamu.platform.http import PlatformDep, PrincipalDep, require
from sisamu.platform.use_cases import run
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import ROLE_PERMISSIONS, Permission, Principal

router = APIRouter(prefix="/api/crises", tags=["crisis"])
room = APIRouter(prefix="/api/samus/{samu_id}/crisis", tags=["crisis"])


async def _participant(principal: PrincipalDep) -> Principal:
    """The caller's role takes part in crises (which crisis: the service checks)."""
    if Permission.CRISIS not in ROLE_PERMISSIONS[principal.role]:
        raise Forbidden(f"{principal.username} ({principal.role}) takes part in no crisis")
    return principal


Participant = Annotated[Principal, Depends(_participant)]


def _in_crisis(crisis_id: int, platform: PlatformDep, principal: Participant) -> Principal:
    """The caller takes part in crisis `crisis_id` (else 404), checked before the body is read; the services check
    again, with what each command needs (managing it)."""
    with platform.engine.connect() as conn:
        found = queries.crisis(conn, crisis_id)
        if found is None:
            raise NotFound(f"no crisis {crisis_id}")
        check_part(conn, principal, found)
    return principal


InCrisis = Annotated[Principal, Depends(_in_crisis)]
Text = Annotated[str | None, Query(max_length=200)]


def _out(platform: PlatformDep, principal: Principal, crisis_id: int) -> CrisisOut:
    with platform.uow() as uow:
        c = service.get_crisis(uow, principal=principal, crisis_id=crisis_id)
    return CrisisOut.of(c, can_manage=service.manages(principal, c))


@router.get("", summary="The crises one takes part in (open first; every crisis for the national operator)")
def list_crises(platform: PlatformDep, principal: Participant, all: bool = False) -> list[CrisisOut]:  # noqa: A002
    with platform.uow() as uow:
        found = service.crises_of(uow, principal=principal, open_only=not all)
    return [CrisisOut.of(c, can_manage=service.manages(principal, c)) for c in found]


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Open a crisis (supervisor: their SAMU's; national)"
)
def open_crisis(payload: CrisisOpenIn, platform: PlatformDep, principal: PrincipalDep) -> CrisisOut:
    c = run(platform, service.open_crisis, principal=principal, **payload.model_dump())
    return CrisisOut.of(c, can_manage=True)


@router.get("/{crisis_id}", summary="One crisis")
def get_crisis(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> CrisisOut:
    return _out(platform, principal, crisis_id)


@router.post("/{crisis_id}/close", summary="Close a crisis with its summary (undoes the rooms' switches)")
def close_crisis(
    crisis_id: int, payload: CrisisCloseIn, platform: PlatformDep, principal: InCrisis
) -> CrisisOut:
    c = run(platform, service.close_crisis, principal=principal, crisis_id=crisis_id, summary=payload.summary)
    return CrisisOut.of(c, can_manage=True)


@router.post("/{crisis_id}/samus", summary="Attach one more SAMU to a regional or national crisis (national)")
def attach_samu(crisis_id: int, payload: AttachIn, platform: PlatformDep, principal: InCrisis) -> CrisisOut:
    c = run(platform, service.attach_samu, principal=principal, crisis_id=crisis_id, samu_id=payload.samu_id)
    return CrisisOut.of(c, can_manage=True)


@router.get(
    "/{crisis_id}/log", summary="The crisis log (main courante), newest first; search and filters (audited)"
)
def read_log(
    crisis_id: int,
    platform: PlatformDep,
    principal: InCrisis,
    q: Text = None,
    verification: Verification | None = None,
    source: Text = None,
) -> list[EntryOut]:
    _, entries = run(
        platform,
        service.read_log,
        principal=principal,
        crisis_id=crisis_id,
        text=q,
        verification=verification,
        source=source,
    )
    return [EntryOut.of(e) for e in entries]


@router.get(
    "/{crisis_id}/handover",
    summary="Handover summary (relève) of the last hours for the next shift (audited)",
)
def handover(
    crisis_id: int,
    platform: PlatformDep,
    principal: InCrisis,
    hours: Annotated[float, Query(gt=0, le=72)] = 8.0,
) -> HandoverOut:
    summary = run(platform, service.handover_summary, principal=principal, crisis_id=crisis_id, hours=hours)
    return HandoverOut.of(summary)


@router.get("/{crisis_id}/log.csv", summary="The crisis log as CSV (audited)", response_class=Response)
def export_log(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> Response:
    _, entries = run(
        platform, service.read_log, principal=principal, crisis_id=crisis_id, purpose="crisis.log.export"
    )
    return Response(
        log_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="main-courante-crise-{crisis_id}.csv"'},
    )


@router.post("/{crisis_id}/log", status_code=status.HTTP_201_CREATED, summary="Write in the crisis log")
def write_entry(crisis_id: int, payload: EntryBody, platform: PlatformDep, principal: InCrisis) -> EntryOut:
    written = run(
        platform, service.append_entry, principal=principal, crisis_id=crisis_id, entry=payload.entry()
    )
    return EntryOut.of(written)


@router.post(
    "/{crisis_id}/log/{seq}/verification",
    status_code=status.HTTP_201_CREATED,
    summary="Confirm or invalidate an information: a new entry referring to it",
)
def verify_entry(
    crisis_id: int, seq: int, payload: VerificationIn, platform: PlatformDep, principal: InCrisis
) -> EntryOut:
    written = run(
        platform,
        service.set_verification,
        principal=principal,
        crisis_id=crisis_id,
        seq=seq,
        verification=payload.verification,
        note=payload.note,
    )
    return EntryOut.of(written)


@router.get("/{crisis_id}/reinforcements", summary="Reinforcements of a crisis, active and past")
def list_reinforcements(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> list[ReinforcementOut]:
    with platform.uow() as uow:
        rows = reinforcements.listing(uow, principal=principal, crisis_id=crisis_id)
    return [ReinforcementOut.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/{crisis_id}/reinforcements", status_code=status.HTTP_201_CREATED, summary="Add a reinforcement"
)
def add_reinforcement(
    crisis_id: int, payload: ReinforcementIn, platform: PlatformDep, principal: InCrisis
) -> CrisisOut:
    c = run(
        platform,
        reinforcements.add_reinforcement,
        principal=principal,
        crisis_id=crisis_id,
        username=payload.username,
    )
    return CrisisOut.of(c, can_manage=True)


@router.delete(
    "/{crisis_id}/reinforcements/{username}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a reinforcement",
)
def revoke_reinforcement(crisis_id: int, username: str, platform: PlatformDep, principal: InCrisis) -> None:
    run(
        platform,
        reinforcements.revoke_reinforcement,
        principal=principal,
        crisis_id=crisis_id,
        username=username,
    )


@room.get("", summary="The crisis this room is in (its banner), or null")
def room_crisis(
    samu_id: str,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(require(Permission.ROOM_READ))],
) -> CrisisOut | None:
    with platform.uow() as uow:
        c = service.room_crisis(uow, principal=principal, samu_id=samu_id)
    return CrisisOut.of(c) if c is not None else None
