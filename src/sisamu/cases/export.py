"""A file as a Hub Santé RS-EDA message (`createCaseHealth`): the minimal export; the interop feature completes it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sisamu.cases.model import RegulationFile
from sisamu.cases.numbering import hub_note_id, hub_patient_id
from sisamu.domain.codes import code_list
from sisamu.domain.errors import DomainError
from sisamu.interop.hubsante.datetimes import format_hub_datetime
from sisamu.interop.hubsante.envelope import new_message
from sisamu.interop.hubsante.identifiers import samu_org_id
from sisamu.interop.hubsante.validation import validate_envelope, validate_message

_HUB_INSEE = re.compile(r"^[0-9]{5}$")
_OPERATOR_ROLES = {"arm": "ARM", "regulator": "MEDECIN"}


def _operator(role: str, name: str) -> dict[str, str]:
    return {"role": _OPERATOR_ROLES.get(role, "AUTRE"), "label": name}


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, {}, [], "")}


def _location(file: RegulationFile) -> dict[str, Any]:
    loc = file.qualification.location
    city = _drop_empty(
        {
            "name": loc.commune_name,
            "inseeCode": loc.commune_insee
            if loc.commune_insee and _HUB_INSEE.match(loc.commune_insee)
            else None,
        }
    )
    geometry = None
    if loc.lat is not None and loc.lon is not None:
        coord = {"lat": loc.lat, "lon": loc.lon, "precision": loc.precision or "INCONNUE"}
        geometry = {
            "datetime": format_hub_datetime(file.created_at),
            "point": {"coord": coord, "isAml": loc.aml},
        }
    return _drop_empty(
        {
            "detailedAddress": {"complete": loc.address} if loc.address else None,
            "city": city,
            "geometry": geometry,
        }
    )


def _qualification(file: RegulationFile) -> dict[str, Any]:
    q = file.qualification
    level = file.highest_care_level()
    details = _drop_empty(
        {
            "status": str(file.state),
            "attribution": str(q.attribution) if q.attribution else None,
            "priority": str(q.priority),
            "careLevel": str(level) if level else None,
        }
    )
    return _drop_empty(
        {
            "healthMotive": {"code": q.motif, "label": code_list("motif").label(q.motif)}
            if q.motif
            else None,
            "locationKind": {"code": q.lieu, "label": code_list("lieu").label(q.lieu)} if q.lieu else None,
            "details": details,
        }
    )


def _alert(file: RegulationFile) -> dict[str, Any] | None:
    q = file.qualification
    if q.caller_phone is None:
        return None
    caller: dict[str, Any] = {
        "callerContact": {"channel": "PERSONNE", "type": "TEL", "detail": q.caller_phone}
    }
    if q.callback_phone:
        caller["callbackContact"] = {"channel": "PERSONNE", "type": "TEL", "detail": q.callback_phone}
    if q.caller_name:
        caller["detailedName"] = {"complete": q.caller_name}
    return {"reception": format_hub_datetime(file.created_at), "caller": caller}


def _patients(file: RegulationFile) -> list[dict[str, Any]]:
    patients = []
    for p in file.patients:
        complete = " ".join(n for n in (p.first_name, p.last_name) if n)
        identity = _drop_empty(
            {
                "strictFeatures": _drop_empty(
                    {
                        "birthName": p.birth_name,
                        "birthDate": p.birth_date.isoformat() if p.birth_date else None,
                        "sex": p.sex,
                    }
                ),
                "nonStrictFeatures": _drop_empty(
                    {"complete": complete, "lastName": p.last_name, "firstName": p.first_name}
                )
                if complete
                else None,
            }
        )
        detail = _drop_empty({"age": p.age, "careLevel": str(p.care_level) if p.care_level else None})
        patients.append(
            _drop_empty(
                {
                    "patientId": hub_patient_id(file.samu_id, file.number, p.patient_no),
                    "identity": identity,
                    "detail": detail,
                }
            )
        )
    return patients


def _patient_ref(file: RegulationFile, patient_no: int | None) -> str | None:
    return hub_patient_id(file.samu_id, file.number, patient_no) if patient_no is not None else None


def rs_eda_body(file: RegulationFile) -> dict[str, Any]:
    """The `createCaseHealth` body of the file."""
    notes = [
        _drop_empty(
            {
                "patientId": _patient_ref(file, n.patient_no),
                "operator": _operator(n.role, n.author),
                "medicalNoteId": hub_note_id(file.samu_id, file.number, n.note_no),
                "creation": format_hub_datetime(n.created_at),
                "freetext": f"[correction de la note {n.corrects}] {n.body}" if n.corrects else n.body,
            }
        )
        for n in file.notes
    ]
    decisions = [
        _drop_empty(
            {
                "patientId": _patient_ref(file, d.patient_no),
                "creation": format_hub_datetime(d.created_at),
                "operator": _operator(d.role, d.author),
                "decisionType": str(d.kind),
                "resourceType": str(d.resource_type) if d.resource_type else None,
                "medicalTransport": d.medical_transport,
                "orientationType": d.orientation,
                "destination": {"freetext": d.destination} if d.destination else None,
            }
        )
        for d in file.decisions
    ]
    body = {
        "caseId": file.case_id,
        "senderCaseId": file.number,
        "creation": format_hub_datetime(file.created_at),
        "perimeter": "AMU",
        "qualification": _qualification(file),
        "location": _location(file),
        "initialAlert": _alert(file),
        "owner": samu_org_id(file.samu_id),
        "patient": _patients(file),
        "medicalNote": notes,
        "decision": decisions,
    }
    return {k: v for k, v in body.items() if v is not None and v != []}


def rs_eda_envelope(file: RegulationFile, now: datetime, recipient_id: str | None = None) -> dict[str, Any]:
    """The whole EDXL-DE message, checked against the official schemas (a failure is a bug, not input)."""
    body = rs_eda_body(file)
    issues = validate_message("RS-EDA", body)
    sender = samu_org_id(file.samu_id)
    envelope = new_message("RS-EDA", body, sender_id=sender, recipient_id=recipient_id or sender, sent_at=now)
    document = envelope.to_envelope()
    issues += validate_envelope(document)
    if issues:
        raise DomainError(f"RS-EDA export of {file.number} does not validate: {'; '.join(map(str, issues))}")
    return document
