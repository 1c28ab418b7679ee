# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Use cases of the crew's reports: record a bilan, an RPIS, document links on a mission; read a file's reports.

A crew records on its own unit's mission (room staff may record for it, from the console); the report names a
patient of the mission's file. Every write and every read is audited (patient data) and announced on the live
feed (without the content). Sending them through Hub Santé, when the file came from an LRM to our SMUR client,
is `interop.smur_reports` (through `SmurReportRecorded`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sisamu.cases import service as cases
from sisamu.cases.access import check_file
from sisamu.domain.events import LiveEvent
from sisamu.platform.events import SmurReport, SmurReportRecorded
from sisamu.resources import access
from sisamu.resources import service as fleet
from sisamu.security import audit
from sisamu.security.access import authorize
from sisamu.security.errors import NotFound
from sisamu.security.roles import Permission
from sisamu.smur.model import STRUCTURES_CODES, Bilan, InvalidReport, Rpis, rpis_to_json
from sisamu.smur.tables import smur_bilan, smur_client, smur_document_link, smur_rpis

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Row

    from sisamu.resources.mission import Mission
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

OBJECT_FILE = "regulation_file"


def _actor(principal: Principal | None) -> str:
    return principal.username if principal is not None else "platform"


@dataclass(frozen=True, slots=True)
class OnMission:
    """The mission a report is recorded on, and the file's patient it is about."""

    mission: Mission
    patient_no: int | None


def _on_mission(
    uow: UnitOfWork, principal: Principal | None, samu_id: str, mission_id: int, patient_no: int | None
) -> OnMission:
    item = fleet.load_mission(uow, samu_id, mission_id, lock=False)
    unit = fleet.load_unit(uow, samu_id, item.resource_id, lock=False)
    if principal is not None:
        access.reporter(principal, samu_id, unit.crew_account_id)
    if patient_no is not None:
        file = cases.load_file(uow, samu_id, item.file_number, lock=False)
        if all(p.patient_no != patient_no for p in file.patients):
            raise NotFound(f"no patient {patient_no} on file {item.file_number}")
    return OnMission(item, patient_no)


def _recorded(
    uow: UnitOfWork,
    principal: Principal | None,
    on: OnMission,
    action: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    item = on.mission
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=item.samu_id,
        action=action,
        object_type=OBJECT_FILE,
        object_id=item.file_number,
        at=now,
        detail={"mission_id": item.mission_id, "patient_no": on.patient_no, **detail},
    )
    uow.emit(LiveEvent(item.samu_id, "file.smur_report", item.file_number, 0, {"report": action}))


def record_bilan(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    mission_id: int,
    patient_no: int,
    bilan: Bilan,
    now: datetime,
) -> int:
    """A bilan (or a new revision of the patient's bilan on this mission); returns its row id."""
    bilan.checked()
    on = _on_mission(uow, principal, samu_id, mission_id, patient_no)
    file = cases.load_file(uow, samu_id, on.mission.file_number, lock=False)
    patient = next(p for p in file.patients if p.patient_no == patient_no)
    earlier = uow.execute(
        select(smur_bilan.c.report_id)
        .where(
            (smur_bilan.c.samu_id == samu_id)
            & (smur_bilan.c.mission_id == mission_id)
            & (smur_bilan.c.patient_no == patient_no)
            & (smur_bilan.c.direction == "recorded")
        )
        .limit(1)
    ).scalar_one_or_none()
    report_id = bilan.report_id or earlier or f"{on.mission.file_number}.B{mission_id}.{patient_no}"
    bilan_id = uow.execute(
        insert(smur_bilan)
        .values(
            samu_id=samu_id,
            report_id=report_id,
            direction="recorded",
            number=on.mission.file_number,
            patient_no=patient_no,
            mission_id=mission_id,
            redactor_label=bilan.redactor_label,
            redactor_role=bilan.redactor_role,
            written_at=bilan.written_at,
            patient=bilan.patient.to_hub(patient.last_name, patient.first_name),
            evaluation=bilan.evaluation.to_hub(),
            recorded_by=_actor(principal),
            recorded_at=now,
        )
        .returning(smur_bilan.c.bilan_id)
    ).scalar_one()
    _recorded(
        uow, principal, on, "file.smur.bilan", now, {"report_id": report_id, "revision": earlier is not None}
    )
    uow.record(
        SmurReportRecorded(
            samu_id=samu_id, report=SmurReport.BILAN, report_id=int(bilan_id), at=now, actor=principal
        )
    )
    return int(bilan_id)


def record_rpis(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    mission_id: int,
    patient_no: int,
    rpis: Rpis,
    now: datetime,
) -> int:
    """What the crew enters for a patient's RPIS; the summary itself is built from the state when sent."""
    rpis.checked()
    on = _on_mission(uow, principal, samu_id, mission_id, patient_no)
    rpis_id = uow.execute(
        insert(smur_rpis)
        .values(
            samu_id=samu_id,
            direction="recorded",
            number=on.mission.file_number,
            patient_no=patient_no,
            mission_id=mission_id,
            entered=rpis_to_json(rpis),
            recorded_by=_actor(principal),
            recorded_at=now,
        )
        .returning(smur_rpis.c.rpis_id)
    ).scalar_one()
    _recorded(uow, principal, on, "file.smur.rpis", now, {"orientation": rpis.orientation})
    uow.record(
        SmurReportRecorded(
            samu_id=samu_id, report=SmurReport.RPIS, report_id=int(rpis_id), at=now, actor=principal
        )
    )
    return int(rpis_id)


def record_documents(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    mission_id: int,
    documents: list[tuple[str | None, str]],
    now: datetime,
    patient_no: int | None = None,
    code: str | None = None,
) -> int:
    """Links (type, URL) to documents the crew made (bilan, ECG, prescription, identity…), about a patient or not."""
    if not documents:
        raise InvalidReport("at least one document is needed")
    for _, url in documents:
        if not url.startswith(("https://", "http://")):
            raise InvalidReport(f"{url!r} is not an http(s) URL")
    on = _on_mission(uow, principal, samu_id, mission_id, patient_no)
    link_id = uow.execute(
        insert(smur_document_link)
        .values(
            samu_id=samu_id,
            direction="recorded",
            number=on.mission.file_number,
            patient_no=patient_no,
            mission_id=mission_id,
            code=code,
            documents=[
                {"documentType": kind, "url": url} if kind else {"url": url} for kind, url in documents
            ],
            recorded_by=_actor(principal),
            recorded_at=now,
        )
        .returning(smur_document_link.c.link_id)
    ).scalar_one()
    _recorded(uow, principal, on, "file.smur.documents", now, {"documents": len(documents)})
    uow.record(
        SmurReportRecorded(
            samu_id=samu_id, report=SmurReport.DOCUMENTS, report_id=int(link_id), at=now, actor=principal
        )
    )
    return int(link_id)


@dataclass(frozen=True, slots=True)
class FileReports:
    """A file's crew reports, recorded here or received from a SMUR, oldest first."""

    bilans: list[Row[Any]]
    rpis: list[Row[Any]]
    documents: list[Row[Any]]


def reports_of(uow: UnitOfWork, samu_id: str, number: str) -> FileReports:
    def rows(table: Any, key: Any) -> list[Row[Any]]:
        query = select(table).where((table.c.samu_id == samu_id) & (table.c.number == number)).order_by(key)
        return list(uow.execute(query))

    return FileReports(
        bilans=rows(smur_bilan, smur_bilan.c.bilan_id),
        rpis=rows(smur_rpis, smur_rpis.c.rpis_id),
        documents=rows(smur_document_link, smur_document_link.c.link_id),
    )


def file_reports(uow: UnitOfWork, *, principal: Principal, number: str, now: datetime) -> FileReports:
    """The reports on file `number`, for room staff who may read it (audited: patient data)."""
    owner = cases.file_owner(number)
    check_file(uow.conn, principal, Permission.PATIENT_READ, owner, number, now)
    found = reports_of(uow, owner, number)
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=owner,
        action="file.smur.read",
        object_type=OBJECT_FILE,
        object_id=number,
        at=now,
        detail={"bilans": len(found.bilans), "rpis": len(found.rpis), "documents": len(found.documents)},
    )
    return found


def mission_reports(
    uow: UnitOfWork, *, principal: Principal, samu_id: str, mission_id: int, now: datetime
) -> FileReports:
    """The reports recorded on one mission, for its crew (or room staff): what the terminal shows (audited)."""
    item = fleet.load_mission(uow, samu_id, mission_id, lock=False)
    unit = fleet.load_unit(uow, samu_id, item.resource_id, lock=False)
    access.reader(principal, samu_id, unit.crew_account_id)
    found = reports_of(uow, samu_id, item.file_number)
    mine = FileReports(
        bilans=[r for r in found.bilans if r.mission_id == mission_id],
        rpis=[r for r in found.rpis if r.mission_id == mission_id],
        documents=[r for r in found.documents if r.mission_id == mission_id],
    )
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="file.smur.read",
        object_type=OBJECT_FILE,
        object_id=item.file_number,
        at=now,
        detail={"mission_id": mission_id, "bilans": len(mine.bilans), "rpis": len(mine.rpis)},
    )
    return mine


def configure_client(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    client_id: str,
    now: datetime,
    finess_legal: str | None = None,
    finess_geo: str | None = None,
    structure: str = "0",
) -> None:
    """Give the SAMU's SMUR software its Hub client id and FINESS; the supervisor's setting. Where its RPIS go is
    the platform's setting (`SISAMU_HUB_RPIS_RECIPIENT`), never the supervisor's."""
    if principal is not None:
        authorize(principal, Permission.ROOM_WRITE, samu_id)
    if structure not in STRUCTURES_CODES:
        raise InvalidReport(f"structure {structure!r} is not one of {', '.join(sorted(STRUCTURES_CODES))}")
    if not client_id.startswith("fr.") or " " in client_id:
        raise InvalidReport(f"{client_id!r} is not a Hub client id")
    values = {
        "client_id": client_id,
        "finess_legal": finess_legal,
        "finess_geo": finess_geo,
        "structure": structure,
        "updated_at": now,
    }
    uow.execute(
        pg_insert(smur_client)
        .values(samu_id=samu_id, **values)
        .on_conflict_do_update(index_elements=[smur_client.c.samu_id], set_=values)
    )
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="smur.client.configure",
        object_type="smur_client",
        object_id=samu_id,
        at=now,
        detail={"client_id": client_id},
    )
