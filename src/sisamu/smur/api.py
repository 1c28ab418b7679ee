# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""HTTP routes of the crew's reports and of the SMUR software's setting.

- `POST /api/samus/{samu_id}/missions/{mission_id}/bilans|rpis|documents`: the crew terminal (its own unit's
  mission) or room staff record a bilan, an RPIS, document links; when the file came from an LRM to the SAMU's
  SMUR client, the report leaves for the LRM (RS-BPV, RS-RPIS, RS-URL) in the same transaction (the Hub flows
  handle `SmurReportRecorded`; the answer's `sent` is the message's distribution id);
- `GET /api/samus/{samu_id}/missions/{mission_id}/reports`: what the crew recorded on its mission (audited read);
- `GET /api/files/{file_number}/smur-reports`: the file's reports, recorded or received (audited read);
- `PUT /api/samus/{samu_id}/smur-client`: the SMUR software's Hub client id and FINESS (supervisor); where its RPIS
  go is the platform's setting (`SISAMU_HUB_RPIS_RECIPIENT`): a body naming another recipient is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from sisamu.cases.api_deps import FileReader
from sisamu.domain.errors import DomainError
from sisamu.platform.events import SmurReport, SmurReportSent
from sisamu.platform.http import PlatformDep, require
from sisamu.platform.use_cases import run
from sisamu.resources.api_deps import MissionReader, Reporter
from sisamu.security.roles import Permission, Principal
from sisamu.smur import service
from sisamu.smur.schemas import BilanIn, DocumentsIn, FileReportsOut, RecordedOut, RpisIn, SmurClientIn
from sisamu.storage.uow import UnitOfWork

router = APIRouter()
missions = APIRouter(prefix="/api/samus/{samu_id}/missions/{mission_id}", tags=["smur"])
files = APIRouter(prefix="/api/files/{file_number}", tags=["smur"])
samus = APIRouter(prefix="/api/samus/{samu_id}", tags=["smur"])


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


def _record(
    platform: PlatformDep,
    principal: Principal,
    samu_id: str,
    mission_id: int,
    report: SmurReport,
    use_case: Callable[..., int],
    **arguments: Any,
) -> RecordedOut:
    """Record one of the crew's reports on the mission, answered with its id and the Hub message it left in."""
    with platform.uow() as uow:
        record_id = use_case(uow, principal=principal, samu_id=samu_id, mission_id=mission_id, **arguments)
    return _recorded(uow, report, record_id)


@missions.post(
    "/bilans", status_code=status.HTTP_201_CREATED, summary="The crew's bilan of a patient (RS-BPV)"
)
def post_bilan(
    samu_id: str, mission_id: int, payload: BilanIn, platform: PlatformDep, principal: Reporter
) -> RecordedOut:
    now = platform.clock.now()
    bilan = payload.to_model(now)
    return _record(
        platform, principal, samu_id, mission_id, SmurReport.BILAN, service.record_bilan,
        patient_no=payload.patient_no, bilan=bilan, now=now,
    )  # fmt: skip


@missions.post(
    "/rpis", status_code=status.HTTP_201_CREATED, summary="The RPIS summary of a patient (RS-RPIS)"
)
def post_rpis(
    samu_id: str, mission_id: int, payload: RpisIn, platform: PlatformDep, principal: Reporter
) -> RecordedOut:
    rpis = payload.to_model()
    return _record(
        platform, principal, samu_id, mission_id, SmurReport.RPIS, service.record_rpis,
        patient_no=payload.patient_no, rpis=rpis, now=platform.clock.now(),
    )  # fmt: skip


@missions.post(
    "/documents", status_code=status.HTTP_201_CREATED, summary="Links to the crew's documents (RS-URL)"
)
def post_documents(
    samu_id: str, mission_id: int, payload: DocumentsIn, platform: PlatformDep, principal: Reporter
) -> RecordedOut:
    documents = [(d.document_type, d.url) for d in payload.documents]
    return _record(
        platform, principal, samu_id, mission_id, SmurReport.DOCUMENTS, service.record_documents,
        documents=documents, patient_no=payload.patient_no, code=payload.code, now=platform.clock.now(),
    )  # fmt: skip


@missions.get("/reports", summary="The reports recorded on the mission (crew terminal)")
def get_mission_reports(
    samu_id: str, mission_id: int, platform: PlatformDep, principal: MissionReader
) -> FileReportsOut:
    found = run(
        platform, service.mission_reports, principal=principal, samu_id=samu_id, mission_id=mission_id
    )
    return FileReportsOut.of(found.bilans, found.rpis, found.documents)


@files.get("/smur-reports", summary="The file's bilans, RPIS and document links (recorded or received)")
def get_reports(file_number: str, platform: PlatformDep, principal: FileReader) -> FileReportsOut:
    found = run(platform, service.file_reports, principal=principal, number=file_number)
    return FileReportsOut.of(found.bilans, found.rpis, found.documents)


class RpisRecipientImposed(DomainError):
    code = "DESTINATAIRE_RPIS_IMPOSE"
    message_fr = (
        "Le destinataire des RPIS est fixé par la configuration de la plateforme (SISAMU_HUB_RPIS_RECIPIENT), "
        "pas par la console."
    )


@samus.put("/smur-client", summary="The SAMU's SMUR software on Hub Santé: client id, RPIS recipient, FINESS")
def put_smur_client(
    samu_id: str, payload: SmurClientIn, platform: PlatformDep, principal: RoomWriter
) -> SmurClientIn:
    configured = platform.settings.rpis_recipient_for(samu_id)
    if payload.rpis_recipient is not None and payload.rpis_recipient != configured:
        raise RpisRecipientImposed(
            f"samu {samu_id}: RPIS recipient {payload.rpis_recipient!r} is not {configured!r}"
        )
    fields = payload.model_dump(exclude={"rpis_recipient"})
    run(platform, service.configure_client, principal=principal, samu_id=samu_id, **fields)
    return payload.model_copy(update={"rpis_recipient": configured})


for _sub in (missions, files, samus):
    router.include_router(_sub)
