"""A file as a Hub Santé RS-EDA message (`createCaseHealth`); the interop feature adapts it to each link.

A code's label is the wording it was given with (a partner's, kept), else the nomenclature's; `isAml` is written
only when the point's origin is known; a note a partner sent keeps the partner's `medicalNoteId`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sisamu.cases.details import Access, Diagnosis, Hypothesis
from sisamu.cases.model import RegulationFile
from sisamu.cases.numbering import hub_note_id, hub_patient_id
from sisamu.cases.qualification import Location
from sisamu.domain.codes import code_list
from sisamu.domain.errors import DomainError
from sisamu.hubsante.datetimes import format_hub_datetime
from sisamu.hubsante.envelope import new_message
from sisamu.hubsante.identifiers import samu_org_id
from sisamu.hubsante.validation import validate_envelope, validate_message

_HUB_INSEE = re.compile(r"^[0-9]{5}$")
_OPERATOR_ROLES = {"arm": "ARM", "regulator": "MEDECIN"}


def _operator(role: str, name: str) -> dict[str, str]:
    return {"role": _OPERATOR_ROLES.get(role, "AUTRE"), "label": name}


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, {}, [], "")}


def _address(loc: Location) -> dict[str, Any] | None:
    street = (
        _drop_empty({"complete": loc.street.complete, "type": loc.street.type, "name": loc.street.name})
        if loc.street
        else None
    )
    complete = loc.address or " ".join(p for p in (loc.number, loc.street and loc.street.complete) if p)
    if not complete:
        return None
    return _drop_empty({"complete": complete, "number": loc.number, "wayName": street})


def _access(access: Access | None) -> dict[str, Any] | None:
    if access is None:
        return None
    return _drop_empty(
        {
            "floor": access.floor,
            "roomNumber": access.room_number,
            "interphone": access.interphone,
            "accessCode": list(access.access_codes),
            "elevator": access.elevator,
            "buildingName": access.building_name,
            "entrance": access.entrance,
            "entity": access.entity,
            "phoneNumber": access.phone,
        }
    )


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
        point: dict[str, Any] = {"coord": coord}
        if loc.aml is not None:
            point["isAml"] = loc.aml
        geometry = {"datetime": format_hub_datetime(loc.point_at or file.created_at), "point": point}
    return _drop_empty(
        {
            "name": loc.name,
            "externalLocationId": [{"source": i.source, "value": i.value} for i in loc.external_ids],
            "detailedAddress": _address(loc),
            "city": city,
            "access": _access(loc.access),
            "geometry": geometry,
            "freetext": loc.directions,
        }
    )


def _coded(file: RegulationFile, list_name: str, code: str | None) -> dict[str, str] | None:
    """A nomenclature code with its label: the wording it was given with, else the nomenclature's."""
    if code is None:
        return None
    return {"code": code, "label": file.qualification.labels.get(code) or code_list(list_name).label(code)}


def _qualification(file: RegulationFile) -> dict[str, Any]:
    q = file.qualification
    level = file.highest_care_level()
    details = _drop_empty(
        {
            "status": str(file.state),
            "attribution": str(q.attribution) if q.attribution else None,
            "priority": str(q.priority) if q.priority is not None else None,
            "careLevel": str(level) if level else None,
        }
    )
    return _drop_empty(
        {
            "origin": q.origine,
            "whatsHappen": _coded(file, "fait", q.fait),
            "riskThreat": [_coded(file, "risque", r) for r in q.risques],
            "healthMotive": _coded(file, "motif", q.motif),
            "locationKind": _coded(file, "lieu", q.lieu),
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
    complete = q.caller_name or " ".join(n for n in (q.caller_first_name, q.caller_last_name) if n)
    if complete:
        caller["detailedName"] = _drop_empty(
            {"complete": complete, "lastName": q.caller_last_name, "firstName": q.caller_first_name}
        )
    caller |= _drop_empty(
        {
            "language": q.caller_language,
            "type": q.caller_type,
            "communication": q.caller_communication,
            "freetext": q.caller_note,
        }
    )
    notes = [
        _drop_empty({"freetext": n.text, "creation": format_hub_datetime(n.at) if n.at else None})
        for n in q.alert_notes
    ]
    return _drop_empty(
        {
            "reception": format_hub_datetime(q.received_at or file.created_at),
            "caller": caller,
            "notes": notes,
        }
    )


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
        detail = _drop_empty(
            {
                "weight": p.weight,
                "height": p.height,
                "age": p.age,
                "careLevel": str(p.care_level) if p.care_level else None,
            }
        )
        patients.append(
            _drop_empty(
                {
                    "patientId": hub_patient_id(file.samu_id, file.number, p.patient_no),
                    "identity": identity,
                    "detail": detail,
                    "hypothesis": _hypothesis(p.hypothesis),
                }
            )
        )
    return patients


def _diagnosis(d: Diagnosis) -> dict[str, str]:
    return {"code": d.code, "label": d.label}


def _hypothesis(h: Hypothesis | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return _drop_empty(
        {
            "mainDiagnosis": _diagnosis(h.main) if h.main else None,
            "otherDiagnosis": [_diagnosis(d) for d in h.others],
        }
    )


def _patient_ref(file: RegulationFile, patient_no: int | None) -> str | None:
    return hub_patient_id(file.samu_id, file.number, patient_no) if patient_no is not None else None


def rs_eda_body(file: RegulationFile) -> dict[str, Any]:
    """The `createCaseHealth` body of the file."""
    notes = [
        _drop_empty(
            {
                "patientId": _patient_ref(file, n.patient_no),
                "operator": _operator(n.role, n.author),
                "medicalNoteId": n.hub_id or hub_note_id(file.samu_id, file.number, n.note_no),
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
    q = file.qualification
    additional = [
        _drop_empty({"key": e.key, "label": e.label, "value": e.value, "freetext": e.freetext})
        for e in q.additional
    ]
    body = {
        "caseId": file.case_id,
        "senderCaseId": file.number,
        "creation": format_hub_datetime(file.created_at),
        "perimeter": "AMU",
        "interventionType": q.intervention,
        "qualification": _qualification(file),
        "location": _location(file),
        "initialAlert": _alert(file),
        "owner": samu_org_id(file.samu_id),
        "patient": _patients(file),
        "medicalNote": notes,
        "decision": decisions,
        "additionalInformation": {"customMap": additional} if additional else None,
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
