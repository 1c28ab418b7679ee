"""HTTP routes of the victims registry, under the crisis: `/api/crises/{crisis_id}/victims…`. Access: the caller's
role takes part in crises (else 403: analysts, partners, crews…) and the caller takes part in this one (else 404:
its SAMUs' staff, the national operator, its active reinforcements); the services check again."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from sisamu.crisis.api import InCrisis
from sisamu.crisis.victims import service
from sisamu.crisis.victims.export import information_cell_csv, sivic_csv
from sisamu.crisis.victims.schemas import (
    DestinationOut,
    DuplicateOut,
    PatientLinkIn,
    VictimChangeIn,
    VictimIn,
    VictimOut,
)
from sisamu.platform.http import PlatformDep
from sisamu.platform.use_cases import run

router = APIRouter(prefix="/api/crises/{crisis_id}/victims", tags=["crisis"])


@router.get("", summary="The crisis' victims, registration order (audited)")
def list_victims(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> list[VictimOut]:
    _, found = run(
        platform, service.victims, principal=principal, crisis_id=crisis_id, purpose="crisis.victims.read"
    )
    return [VictimOut.of(v) for v in found]


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Register a victim (bracelet number or QR payload)"
)
def register(crisis_id: int, payload: VictimIn, platform: PlatformDep, principal: InCrisis) -> VictimOut:
    v = run(
        platform,
        service.register,
        principal=principal,
        crisis_id=crisis_id,
        bracelet=payload.bracelet,
        triage=payload.triage,
        identity=payload.identity.identity() if payload.identity else None,
        site=payload.site,
        pma=payload.pma,
    )
    return VictimOut.of(v)


@router.get("/destinations", summary="Hospitals of the crisis' départements, for the destination field")
def destinations(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> list[DestinationOut]:
    with platform.uow() as uow:
        found = service.destinations(uow, principal=principal, crisis_id=crisis_id)
    return [DestinationOut(hospital_id=h.key, name=h.name, departement=h.departement) for h in found]


@router.get("/duplicates", summary="Pairs of victims that may be the same person, for review (audited)")
def duplicates(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> list[DuplicateOut]:
    pairs = run(platform, service.duplicates, principal=principal, crisis_id=crisis_id)
    return [DuplicateOut(first=VictimOut.of(a), second=VictimOut.of(b)) for a, b in pairs]


def _csv(body: str, name: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/sivic.csv", summary="The registry for SI-VIC (CSV, audited)", response_class=Response)
def export_sivic(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> Response:
    _, found = run(
        platform,
        service.victims,
        principal=principal,
        crisis_id=crisis_id,
        purpose="crisis.victims.export.sivic",
    )
    return _csv(sivic_csv(found), f"si-vic-crise-{crisis_id}.csv")


@router.get(
    "/information-cell.csv",
    summary="Identity-known victims with their status and destination, no clinical detail (CSV, audited)",
    response_class=Response,
)
def export_information_cell(crisis_id: int, platform: PlatformDep, principal: InCrisis) -> Response:
    _, found = run(
        platform,
        service.victims,
        principal=principal,
        crisis_id=crisis_id,
        purpose="crisis.victims.export.cell",
    )
    return _csv(information_cell_csv(found), f"cellule-information-crise-{crisis_id}.csv")


@router.get("/{number}", summary="One victim with its triage history (audited)")
def get_victim(crisis_id: int, number: str, platform: PlatformDep, principal: InCrisis) -> VictimOut:
    return VictimOut.of(
        run(platform, service.victim, principal=principal, crisis_id=crisis_id, number=number)
    )


@router.patch(
    "/{number}", summary="Change a victim (triage, status, identity, place, evacuation; optimistic version)"
)
def change(
    crisis_id: int, number: str, payload: VictimChangeIn, platform: PlatformDep, principal: InCrisis
) -> VictimOut:
    v = run(
        platform,
        service.update,
        principal=principal,
        crisis_id=crisis_id,
        number=number,
        version=payload.version,
        changes=payload.changes(),
    )
    return VictimOut.of(v)


@router.put("/{number}/patient", summary="Link the victim to a regulation file's patient")
def link_patient(
    crisis_id: int, number: str, payload: PatientLinkIn, platform: PlatformDep, principal: InCrisis
) -> VictimOut:
    v = run(
        platform,
        service.link_patient,
        principal=principal,
        crisis_id=crisis_id,
        number=number,
        version=payload.version,
        file_number=payload.file_number,
        patient_no=payload.patient_no,
    )
    return VictimOut.of(v)
