# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""HTTP routes of the crew's reports and of the SMUR software's setting.

- `POST /api/samus/{samu_id}/missions/{mission_id}/bilans|rpis|documents`: the crew terminal (its own unit's
  mission) or room staff record a bilan, an RPIS, document links; when the file came from an LRM to the SAMU's
  SMUR client, the report leaves for the LRM (RS-BPV, RS-RPIS, RS-URL) in the same transaction (the Hub flows
  handle `SmurReportRecorded`; the answer's `sent` is the message's distribution id);
- `GET /api/samus/{samu_id}/missions/{mission_id}/reports`: what the crew recorded on its mission (audited read);
- `GET /api/files/{file_number}/smur-reports`: the file's reports, recorded or received (audited read);
- `PUT /api/samus/{samu_id}/smur-client`: the SMUR software's Hub client id and FINESS (supervisor).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from sisamu.cases.api_deps import FileReader
from sisamu.platform.events import SmurReport, SmurReportSent
from sisamu.platform.http import PlatformDep, PrincipalDep, require
from sisamu.resources import access
from sisamu.security.roles import Permission, Principal
from sisamu.smur import service
from sisamu.smur.schemas import BilanIn, DocumentsIn, FileReportsOut, RecordedOut, RpisIn, SmurClientIn
from sisamu.storage.uow import UnitOfWork

router = APIRouter()
missions = APIRouter(prefix="/api/samus/{samu_id}/missions/{mission_id}", tags=["smur"])
files = APIRouter(prefix="/api/files/{file_number}", tags=["smur"])
samus = APIRouter(prefix="/api/samus/{samu_id}", tags=["smur"])


def _room_or_crew(request: Request, principal: PrincipalDep) -> Principal:
    access.room_or_crew(principal, request.path_params["samu_id"])
    return principal


def _room_or_crew_reader(request: Request, principal: PrincipalDep) -> Principal:
    access.room_or_crew_reader(principal, request.path_params["samu_id"])
    return principal


Reporter = Annotated[Principal, Depends(_room_or_crew)]
MissionReader = Annotated[Principal, Depends(_room_or_crew_reader)]
RoomWriter = Annotated[Principal, Depends(require(Permission.ROOM_WRITE))]


def _recorded(uow: UnitOfWork, report: SmurReport, record_id: int) -> RecordedOut:
    """The recorded report, with the Hub message it left in when it left (`SmurReportSent`, from the Hub flows)."""
    sent = next(
        (
            e.distribution_id
            for e in uow.recorded
            if isinstance(e, SmurReportSent) and e.report is report and e.report_id == record_id
        ),
        None,
    )
    return RecordedOut(id=record_id, sent=sent)


@missions.post(
    "/bilans", status_code=status.HTTP_201_CREATED, summary="The crew's bilan of a patient (RS-BPV)"
)
def post_bilan(
    samu_id: str, mission_id: int, payload: BilanIn, platform: PlatformDep, principal: Reporter
) -> RecordedOut:
    now = platform.clock.now()
    with platform.uow() as uow:
        bilan_id = service.record_bilan(
            uow,
            principal=principal,
            samu_id=samu_id,
            mission_id=mission_id,
            patient_no=payload.patient_no,
            bilan=payload.to_model(now),
            now=now,
        )
    return _recorded(uow, SmurReport.BILAN, bilan_id)


@missions.post(
    "/rpis", status_code=status.HTTP_201_CREATED, summary="The RPIS summary of a patient (RS-RPIS)"
)
def post_rpis(
    samu_id: str, mission_id: int, payload: RpisIn, platform: PlatformDep, principal: Reporter
) -> RecordedOut:
    now = platform.clock.now()
    with platform.uow() as uow:
        rpis_id = service.record_rpis(
            uow,
            principal=principal,
            samu_id=samu_id,
            mission_id=mission_id,
            patient_no=payload.patient_no,
            rpis=payload.to_model(),
            now=now,
        )
    return _recorded(uow, SmurReport.RPIS, rpis_id)


@missions.post(
    "/documents", status_code=status.HTTP_201_CREATED, summary="Links to the crew's documents (RS-URL)"
)
def post_documents(
    samu_id: str, mission_id: int, payload: DocumentsIn, platform: PlatformDep, principal: Reporter
) -> RecordedOut:
    now = platform.clock.now()
    with platform.uow() as uow:
        link_id = service.record_documents(
            uow,
            principal=principal,
            samu_id=samu_id,
            mission_id=mission_id,
            documents=[(d.document_type, d.url) for d in payload.documents],
            patient_no=payload.patient_no,
            code=payload.code,
            now=now,
        )
    return _recorded(uow, SmurReport.DOCUMENTS, link_id)


@missions.get("/reports", summary="The reports recorded on the mission (crew terminal)")
def get_mission_reports(
    samu_id: str, mission_id: int, platform: PlatformDep, principal: MissionReader
) -> FileReportsOut:
    with platform.uow() as uow:
        found = service.mission_reports(
            uow, principal=principal, samu_id=samu_id, mission_id=mission_id, now=platform.clock.now()
        )
    return FileReportsOut.of(found.bilans, found.rpis, found.documents)


@files.get("/smur-reports", summary="The file's bilans, RPIS and document links (recorded or received)")
def get_reports(file_number: str, platform: PlatformDep, principal: FileReader) -> FileReportsOut:
    with platform.uow() as uow:
        found = service.file_reports(uow, principal=principal, number=file_number, now=platform.clock.now())
    return FileReportsOut.of(found.bilans, found.rpis, found.documents)


@samus.put("/smur-client", summary="The SAMU's SMUR software on Hub Santé: client id, RPIS recipient, FINESS")
def put_smur_client(
    samu_id: str, payload: SmurClientIn, platform: PlatformDep, principal: RoomWriter
) -> SmurClientIn:
    with platform.uow() as uow:
        service.configure_client(
            uow, principal=principal, samu_id=samu_id, now=platform.clock.now(), **payload.model_dump()
        )
    return payload


for _sub in (missions, files, samus):
    router.include_router(_sub)
