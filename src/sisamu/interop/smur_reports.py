"""The SMUR crew's reports over Hub Santé: bilan (RS-BPV), RPIS summary (RS-RPIS), document links (RS-URL).

Sending (the SMUR software's side): built from what the crew recorded (`sisamu.smur`) and from sisamu's state —
the file received from the LRM and its link (case id, Hub patient ids, the LRM's own body), the mission's
statuses, the unit, the SMUR's settings (`smur_client`) — and sent from our SMUR client id to the LRM (RPIS: to
the RPIS data hub the platform's settings name, `SISAMU_HUB_RPIS_RECIPIENT`, when there is one). For a file that
did not come from an LRM to our SMUR client the report stays in sisamu, on the file — except the RPIS, sent to the
configured RPIS recipient when there is one.

- RS-BPV `interventionReport`: `reportId` (kept by the patient's later bilans), `redactor`, `creation`, the patient
  as the crew identified them (names from the file when the crew gave none) with the Hub `patientId`, the
  evaluation;
- RS-URL `documentLink`: the case, the patient when named, the `code` and the documents;
- RS-RPIS `rpis`: `context` (the LRM's org and case number, the case's creation at the LRM, the engagement, the
  SMUR's FINESS and structure), `regulation` (what happened and the reason, as the LRM qualified them; the unit's
  crew level), `patient` (birth date and sex from the latest bilan, else the file; residence entered by the crew),
  `intervention` (place and its kind from the file, team, the mission's times as corrected by the crew, the main
  diagnosis: the crew's, else the latest bilan's), `orientation` (entered by the crew).

What an LRM does with them when it receives them: `smur_received`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sisamu.cases import service as cases
from sisamu.cases.export import rs_eda_body
from sisamu.cases.numbering import hub_patient_id as our_patient_id
from sisamu.domain.codes import code_list
from sisamu.domain.errors import DomainError
from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime
from sisamu.interop.common import CaseLink, hub_id_of, record, send, timezone_of
from sisamu.interop.smur_role import Intervention, intervention_of
from sisamu.platform.events import SmurReport
from sisamu.resources import queries as fleet
from sisamu.smur import exchange
from sisamu.smur import queries as smur
from sisamu.smur.model import SMUR_STATUS, missing_times, rpis_from_json, rpis_times

if TYPE_CHECKING:
    from sqlalchemy import Row

    from sisamu.hubsante.envelope import HubMessage
    from sisamu.storage.uow import UnitOfWork

RS_BPV = "RS-BPV"
RS_RPIS = "RS-RPIS"
RS_URL = "RS-URL"


class RpisIncomplete(DomainError):
    """The RPIS cannot be sent yet: a time the Hub requires is not known (status not reported, not entered)."""

    code = "RPIS_INCOMPLET"
    summary_fr = "Le résumé d'intervention (RPIS) ne peut pas encore être envoyé : une heure manque."


def _at(moment: datetime, timezone: str) -> str:
    return format_hub_datetime(moment.astimezone(ZoneInfo(timezone)))


def hub_patient_id(link: CaseLink, number: str, patient_no: int) -> str:
    """The patient's Hub id: the one the LRM gave, else ours (`{our org}.patient.{number}.{n}`)."""
    given = next((hub for hub, no in link.patient_map.items() if no == patient_no), None)
    return given or our_patient_id(link.samu_id, number, patient_no)


def patient_no_of(link: CaseLink, hub_patient: object) -> int | None:
    """Our patient number for a Hub patient id: one the partner gave us, or one of ours."""
    if not isinstance(hub_patient, str):
        return None
    if hub_patient in link.patient_map:
        return link.patient_map[hub_patient]
    head, _, tail = hub_patient.rpartition(".")
    return int(tail) if head.endswith(f".patient.{link.number}") and tail.isdigit() else None


def _sent(
    uow: UnitOfWork, found: Intervention, action: str, number: str, now: datetime, **detail: Any
) -> None:
    record(
        uow, None, found.samu_id, action, number, now, {"to": found.lrm, "case_id": found.case_id, **detail}
    )


# --- builders --------------------------------------------------------------------------------------------------


def bilan_body(row: Row[Any], link: CaseLink, timezone: str) -> dict[str, Any]:
    """`interventionReport` from a recorded bilan."""
    body: dict[str, Any] = {
        "caseId": link.case_id,
        "reportId": row.report_id,
        "redactor": {"role": row.redactor_role},
        "creation": _at(row.written_at, timezone),
        "patient": {"patientId": hub_patient_id(link, row.number, row.patient_no), **row.patient},
    }
    if row.redactor_label:
        body["redactor"]["label"] = row.redactor_label
    if row.evaluation:
        body["evaluation"] = dict(row.evaluation)
    return body


def documents_body(row: Row[Any], link: CaseLink) -> dict[str, Any]:
    """`documentLink` from recorded document links."""
    body: dict[str, Any] = {"caseId": link.case_id, "document": list(row.documents)}
    if row.patient_no is not None:
        body["patientId"] = hub_patient_id(link, row.number, row.patient_no)
    if row.code:
        body["code"] = row.code
    return body


def rpis_body(uow: UnitOfWork, row: Row[Any], found: Intervention) -> dict[str, Any]:
    """`rpis` from what the crew entered and sisamu's state (file, link, mission, unit, bilan, settings)."""
    samu_id, number = found.samu_id, found.number
    timezone = timezone_of(uow.conn, samu_id)
    entered = rpis_from_json(row.entered)
    item = fleet.mission(uow.conn, samu_id, row.mission_id)
    assert item is not None  # a recorded RPIS names a mission of ours
    unit = fleet.unit(uow.conn, samu_id, item.resource_id)
    assert unit is not None
    settings = smur.client_of(uow.conn, samu_id)
    file = cases.load_file(uow, samu_id, number, lock=False)
    patient = next(p for p in file.patients if p.patient_no == row.patient_no)
    bilan = smur.latest_bilan(uow.conn, samu_id, number, row.patient_no)
    seen = dict(bilan.patient) if bilan is not None else {}
    lrm_body = found.link.received or {}
    qualification = lrm_body.get("qualification") or {}
    times = rpis_times(item, entered.times)
    missing = missing_times(times)
    if missing:
        raise RpisIncomplete(f"mission {item.mission_id}: {', '.join(missing)} not known yet")
    diagnosis = entered.main_diagnosis or ((bilan.evaluation or {}).get("mainDiagnosis") if bilan else None)
    birth_date = seen.get("birthDate") or (patient.birth_date.isoformat() if patient.birth_date else None)
    sex = seen.get("sex") or patient.sex
    if not (diagnosis and birth_date and sex):
        raise RpisIncomplete("the RPIS needs the main diagnosis, the patient's birth date and sex")
    location = file.qualification.location
    if not (location.commune_insee and location.commune_name):
        raise RpisIncomplete("the RPIS needs the commune of the intervention (its INSEE code)")
    intervention: dict[str, Any] = {
        "location": {"detailedAddress": {"inseeCode": location.commune_insee, "city": location.commune_name}},
        "team": {"doctor": entered.doctor, "nurse": entered.nurse, "driver": entered.driver},
        "smurStatus": {key: _at(times[name], timezone) for key, name in SMUR_STATUS.items() if name in times},
        "mainDiagnosis": diagnosis,
    }
    if file.qualification.lieu:
        intervention["location"]["type"] = file.qualification.lieu
    if entered.procedures:
        intervention["procedure"] = list(entered.procedures)
    if entered.associated_diagnosis:
        intervention["associatedDiagnosis"] = entered.associated_diagnosis
    orientation: dict[str, Any] = {"type": entered.orientation}
    if entered.destination is not None:
        orientation["destination"] = {
            "destinationCountry": entered.destination.country,
            "destinationCategory": entered.destination.category,
            "healthcareType": entered.destination.healthcare_type,
            "finess": entered.destination.finess,
        }
    if entered.transport is not None:
        orientation["decision"] = {
            "resourceType": entered.transport.resource_type,
            "vehicleType": entered.transport.vehicle_type,
            "medicalLevel": entered.transport.medical_level,
        }
    patient_part: dict[str, Any] = {
        "patientId": hub_patient_id(found.link, number, row.patient_no),
        "birthDate": birth_date,
        "sex": sex,
    }
    if entered.residence_insee:
        patient_part["residentialAddress"] = {
            "inseeCode": entered.residence_insee,
            "city": entered.residence_city,
        }
    return {
        "context": {
            "orgId": str(lrm_body.get("owner") or found.lrm),
            "senderCaseId": str(lrm_body.get("senderCaseId") or found.case_id.rsplit(".", 1)[-1]),
            "creationDate": _at(_created(lrm_body, file.created_at), timezone),
            "decisionDate": _at(times["engagement"], timezone),
            "ressourceFinessLegal": (settings.finess_legal if settings else None) or "",
            "ressourceFinessGeo": (settings.finess_geo if settings else None) or "",
            "ressourceStructure": settings.structure if settings else "0",
        },
        "regulation": _regulation(qualification, file.qualification.motif, unit.crew_level),
        "patient": patient_part,
        "intervention": intervention,
        "orientation": orientation,
    }


def _created(lrm_body: dict[str, Any], default: datetime) -> datetime:
    try:
        return parse_hub_datetime(lrm_body["creation"])
    except (KeyError, TypeError, ValueError):
        return default


def _regulation(qualification: dict[str, Any], motif: str | None, crew_level: str) -> dict[str, Any]:
    """What happened and why, in the LRM's words; the reason from our file when the LRM named none."""
    motive = dict(qualification.get("healthMotive") or {})
    if motif and motive.get("code") != motif:
        motive = {"code": motif, "label": code_list("motif")[motif].label}
    happened = qualification.get("whatsHappen") or {"code": "C11.00.00", "label": "Autre"}
    return {"whatsHappen": happened, "healthMotive": motive, "medicalLevel": crew_level}


# --- sending ---------------------------------------------------------------------------------------------------


def send_bilan(uow: UnitOfWork, *, samu_id: str, bilan_id: int, now: datetime) -> HubMessage | None:
    """RS-BPV of a recorded bilan to the LRM (None when the file is not an intervention from an LRM)."""
    row = smur.bilan(uow.conn, samu_id, bilan_id)
    found = intervention_of(uow.conn, samu_id, row.number)
    if found is None:
        return None
    body = bilan_body(row, found.link, timezone_of(uow.conn, samu_id))
    message = send(
        uow, RS_BPV, {"interventionReport": body}, sender=found.client_id, recipient=found.lrm, now=now
    )
    exchange.report_sent(uow, samu_id=samu_id, report=SmurReport.BILAN, report_id=bilan_id, to=found.lrm)
    _sent(uow, found, "file.hub.smur_bilan", row.number, now, report_id=row.report_id)
    return message


def send_documents(uow: UnitOfWork, *, samu_id: str, link_id: int, now: datetime) -> HubMessage | None:
    """RS-URL of recorded document links to the LRM."""
    row = smur.document_link(uow.conn, samu_id, link_id)
    found = intervention_of(uow.conn, samu_id, row.number)
    if found is None:
        return None
    body = documents_body(row, found.link)
    message = send(uow, RS_URL, {"documentLink": body}, sender=found.client_id, recipient=found.lrm, now=now)
    exchange.report_sent(uow, samu_id=samu_id, report=SmurReport.DOCUMENTS, report_id=link_id, to=found.lrm)
    _sent(uow, found, "file.hub.smur_documents", row.number, now, documents=len(row.documents))
    return message


def _own_file(uow: UnitOfWork, samu_id: str, number: str, recipient: str | None) -> Intervention | None:
    """A file of the SAMU's own, regulated here: its SMUR's RPIS still goes to the RPIS recipient when one is
    configured (the regulation part from our own RS-EDA body); None when the SAMU has no SMUR client or no RPIS
    recipient."""
    settings = smur.client_of(uow.conn, samu_id)
    if settings is None or recipient is None:
        return None
    file = cases.load_file(uow, samu_id, number, lock=False)
    us = hub_id_of(uow.conn, samu_id)
    link = CaseLink(samu_id, file.case_id, recipient, number, "shared", us, None, rs_eda_body(file), {})
    return Intervention(samu_id, number, file.case_id, us, settings.client_id, link)


def send_rpis(
    uow: UnitOfWork, *, samu_id: str, rpis_id: int, now: datetime, recipient: str | None = None
) -> HubMessage | None:
    """RS-RPIS of a recorded RPIS to `recipient`, the SAMU's configured RPIS recipient (`SISAMU_HUB_RPIS_RECIPIENT`;
    without one: the LRM of the file, and nothing for a file of our own); `RpisIncomplete` when it cannot be
    built yet. No address typed by a user is ever a recipient."""
    row = smur.rpis(uow.conn, samu_id, rpis_id)
    found = intervention_of(uow.conn, samu_id, row.number) or _own_file(uow, samu_id, row.number, recipient)
    if found is None:
        return None
    body = rpis_body(uow, row, found)
    recipient = recipient or found.lrm
    message = send(uow, RS_RPIS, {"rpis": body}, sender=found.client_id, recipient=recipient, now=now)
    exchange.report_sent(
        uow, samu_id=samu_id, report=SmurReport.RPIS, report_id=rpis_id, to=recipient, rpis=body
    )
    _sent(uow, found, "file.hub.smur_rpis", row.number, now, recipient=recipient)
    return message
