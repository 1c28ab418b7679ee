"""Receiving a shared file: RS-EDA opens a local file carrying the sender's shared case id, RS-EDA-MAJ updates it.

The partner's body is mapped onto sisamu's file where sisamu has a place for it (qualification codes, location,
caller, patients, notes; a partner's decision becomes a note). Values sisamu refuses (a code outside the lists, a
malformed phone number, an unknown INSEE code) are left out of the local file; the whole body as received, merged
with its updates, stays in `hub_case_link.received`, so nothing the partner sent is lost.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update

from sisamu.cases import regulation, service, store
from sisamu.cases.details import Diagnosis, Hypothesis
from sisamu.cases.location import with_commune
from sisamu.cases.model import Actor, InvalidFile, Patient
from sisamu.cases.qualification import Qualification
from sisamu.interop.hubsante.datetimes import parse_hub_datetime
from sisamu.interop.hubsante.flows.case_body import case_body
from sisamu.interop.hubsante.flows.common import CaseLink, link_of_case, record, timezone_of
from sisamu.interop.hubsante.inbox import RejectMessageError
from sisamu.interop.hubsante.outbox import samu_of_client
from sisamu.interop.hubsante.replies import ErrorCode
from sisamu.interop.hubsante.tables import hub_case_link

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.cases.model import RegulationFile
    from sisamu.interop.hubsante.envelope import HubMessage
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
PARTNER_ROLE = "partner"
# What an update about an unknown case must carry to start a shared file (`update_case`).
OPENS_A_FILE = ("patient", "medicalNote", "decision")
_NOTE_ID = re.compile(r"^([a-zA-Z0-9_-]+\.){3,8}medicalNote(\.[a-zA-Z0-9_-]+){1,2}$")  # the schema's pattern


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _accepted(candidates: Mapping[str, Any], check: Any) -> dict[str, Any]:
    """Keep each value `check` accepts on its own (InvalidFile → left out, logged)."""
    kept = {}
    for key, value in candidates.items():
        if value is None:
            continue
        try:
            check({key: value})
        except (InvalidFile, ValueError, TypeError) as exc:
            log.info("hub flows: partner value %s left out: %s", key, exc)
            continue
        kept[key] = value
    return kept


_ACCESS_KEYS = {
    "floor": "floor",
    "roomNumber": "room_number",
    "interphone": "interphone",
    "accessCode": "access_codes",
    "elevator": "elevator",
    "buildingName": "building_name",
    "entrance": "entrance",
    "entity": "entity",
    "phoneNumber": "phone",
}


def _checks_as_location(values: Mapping[str, Any]) -> None:
    Qualification().with_changes({"location": dict(values)})


def _location(body: Mapping[str, Any]) -> dict[str, Any] | None:
    loc = body.get("location")
    if not isinstance(loc, Mapping):
        return None
    coord = _get(loc, "geometry", "point", "coord") or {}
    address = _get(loc, "detailedAddress") or {}
    way = _get(address, "wayName")
    access = _get(loc, "access")
    values: dict[str, Any] = {
        "address": _get(address, "complete"),
        "commune_insee": _get(loc, "city", "inseeCode"),
        "commune_name": _get(loc, "city", "name"),
    }
    if values["commune_insee"]:
        try:
            with_commune({"location": values})
        except InvalidFile:
            values["commune_insee"] = None
    point = {
        "lat": coord.get("lat"),
        "lon": coord.get("lon"),
        "precision": coord.get("precision"),
        "aml": _get(loc, "geometry", "point", "isAml"),
        "point_at": _when(_get(loc, "geometry", "datetime"), None),
    }
    try:
        _checks_as_location(point)
        values |= point
    except (InvalidFile, ValueError, TypeError):
        log.info("hub flows: partner point left out")
    details = {
        "number": address.get("number"),
        "street": {k: way.get(k) for k in ("complete", "type", "name")} if isinstance(way, Mapping) else None,
        "name": loc.get("name"),
        "directions": loc.get("freetext"),
        "access": {ours: access.get(hub) for hub, ours in _ACCESS_KEYS.items() if hub in access}
        if isinstance(access, Mapping)
        else None,
        "external_ids": [
            {"source": i.get("source"), "value": i.get("value")}
            for i in loc.get("externalLocationId") or []
            if isinstance(i, Mapping)
        ]
        or None,
    }
    values |= _accepted(details, lambda one: _checks_as_location({**values, **one}))
    # `aml` None: the partner did not say where its point comes from (kept as such)
    return {k: v for k, v in values.items() if v is not None or (k == "aml" and "lat" in values)}


def _labels(q: Mapping[str, Any]) -> dict[str, str]:
    """The partner's wording of its codes (kept: it is what the partner wrote)."""
    coded = [q.get(key) for key in ("whatsHappen", "healthMotive", "locationKind")] + list(
        q.get("riskThreat") or []
    )
    return {
        str(c["code"]): str(c["label"])
        for c in coded
        if isinstance(c, Mapping) and c.get("code") and c.get("label")
    }


def qualification_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The qualification fields of a `createCaseHealth`(`Update`) that sisamu accepts."""
    q = body.get("qualification") or {}
    alert = body.get("initialAlert") or {}
    caller = _get(alert, "caller") or {}
    candidates: dict[str, Any] = {
        "motif": _get(q, "healthMotive", "code"),
        "lieu": _get(q, "locationKind", "code"),
        "fait": _get(q, "whatsHappen", "code"),
        "risques": [r.get("code") for r in q.get("riskThreat") or [] if isinstance(r, Mapping)] or None,
        "origine": q.get("origin"),
        "intervention": body.get("interventionType"),
        "priority": _get(q, "details", "priority"),
        "attribution": _get(q, "details", "attribution"),
        "caller_name": _get(caller, "detailedName", "complete"),
        "caller_first_name": _get(caller, "detailedName", "firstName"),
        "caller_last_name": _get(caller, "detailedName", "lastName"),
        "caller_phone": _get(caller, "callerContact", "detail")
        if _get(caller, "callerContact", "type") == "TEL"
        else None,
        "callback_phone": _get(caller, "callbackContact", "detail")
        if _get(caller, "callbackContact", "type") == "TEL"
        else None,
        "caller_type": caller.get("type"),
        "caller_language": caller.get("language"),
        "caller_communication": caller.get("communication"),
        "caller_note": caller.get("freetext"),
        "received_at": _when(alert.get("reception"), None),
        "alert_notes": [
            {"text": n.get("freetext"), "at": _when(n.get("creation"), None)}
            for n in alert.get("notes") or []
            if isinstance(n, Mapping) and n.get("freetext")
        ]
        or None,
        "additional": [
            {k: e.get(k) for k in ("key", "value", "label", "freetext")}
            for e in _get(body, "additionalInformation", "customMap") or []
            if isinstance(e, Mapping)
        ]
        or None,
        "labels": _labels(q) or None,
    }
    kept = _accepted(candidates, Qualification().with_changes)
    location = _location(body)
    if location:
        kept["location"] = location
    return kept


def identity_of(patient: Mapping[str, Any], today: Any) -> dict[str, Any]:
    """A patient's identity traits, weight and height that sisamu accepts."""
    names = _get(patient, "identity", "nonStrictFeatures") or {}
    strict = _get(patient, "identity", "strictFeatures") or {}
    candidates = {
        "last_name": names.get("lastName"),
        "first_name": names.get("firstName"),
        "birth_name": strict.get("birthName"),
        "birth_date": strict.get("birthDate"),
        "age": _get(patient, "detail", "age"),
        "sex": strict.get("sex"),
        "weight": _get(patient, "detail", "weight"),
        "height": _get(patient, "detail", "height"),
    }
    if isinstance(candidates["birth_date"], str):
        try:
            candidates["birth_date"] = date.fromisoformat(candidates["birth_date"])
        except ValueError:
            candidates["birth_date"] = None
    return _accepted(candidates, lambda one: Patient(patient_no=1, **one).checked(today))


def hypothesis_in(patient: Mapping[str, Any]) -> Hypothesis | None:
    """A patient's diagnostic hypothesis (`hypothesis`), None when absent or not valid."""
    data = patient.get("hypothesis")
    if not isinstance(data, Mapping):
        return None
    try:
        main = data.get("mainDiagnosis")
        return Hypothesis(
            Diagnosis(str(main["code"]), str(main["label"])) if isinstance(main, Mapping) else None,
            tuple(
                Diagnosis(str(d["code"]), str(d["label"]))
                for d in data.get("otherDiagnosis") or []
                if isinstance(d, Mapping)
            ),
        ).checked()
    except (InvalidFile, KeyError) as exc:
        log.info("hub flows: partner hypothesis left out: %s", exc)
        return None


def _when(value: Any, default: datetime | None) -> datetime | None:
    try:
        return parse_hub_datetime(value) if isinstance(value, str) else default
    except ValueError:
        return default


def _at(value: Any, default: datetime) -> datetime:
    return _when(value, None) or default


def _partner_actor(item: Mapping[str, Any], sender: str) -> Actor:
    label = _get(item, "operator", "label")
    role = _get(item, "operator", "role") or "AUTRE"
    return Actor(account_id=None, name=f"{label or role} ({sender})", role=PARTNER_ROLE)


def _apply(
    file: RegulationFile, body: Mapping[str, Any], patient_map: dict[str, int], sender: str, now: datetime
) -> None:
    """Apply a partner's body (full or update) to the local file, in memory; `patient_map` is completed."""
    today = now.date()
    for patient in body.get("patient") or []:
        hub_id = patient.get("patientId")
        identity = identity_of(patient, today)
        if hub_id in patient_map:
            if identity:
                regulation.update_patient(file, now, patient_map[hub_id], identity)
        else:
            added = regulation.add_patient(file, now, identity)
            if hub_id:
                patient_map[hub_id] = added.patient_no
        hypothesis = hypothesis_in(patient)
        if hypothesis is not None and hub_id in patient_map:
            regulation.received_hypothesis(file, patient_map[hub_id], hypothesis)
    notes = [
        (_at(n.get("creation"), now), n.get("freetext"), n, n.get("patientId"), n.get("medicalNoteId"))
        for n in body.get("medicalNote") or []
    ] + [
        (_at(d.get("creation"), now), _decision_text(d), d, d.get("patientId"), None)
        for d in body.get("decision") or []
    ]
    if body.get("freetext"):
        latest = max((n[0] for n in notes), default=now)
        notes.append((latest, str(body["freetext"]), {}, None, None))
    for at, text, item, patient_ref, hub_id in sorted(notes, key=lambda n: n[0]):
        if text:
            regulation.add_note(
                file,
                _partner_actor(item, sender),
                at,
                text,
                patient_no=patient_map.get(patient_ref),
                hub_id=hub_id if _NOTE_ID.fullmatch(str(hub_id or "")) else None,
            )


def _decision_text(decision: Mapping[str, Any]) -> str:
    parts = [f"Décision du partenaire : {decision.get('decisionType')}"]
    parts.extend(str(decision[key]) for key in ("resourceType", "orientationType") if decision.get(key))
    if _get(decision, "destination", "freetext"):
        parts.append(f"vers {_get(decision, 'destination', 'freetext')}")
    return " ".join(parts)


def _merge(into: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(into)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def receive_case(uow: UnitOfWork, message: HubMessage, now: datetime) -> str:
    """RS-EDA: open (or, when the case id is already known, update) the local file; returns its number."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    body = message.body
    case_id = str(body["caseId"])
    known = link_of_case(uow.conn, samu_id, case_id, lock=True)
    if known is not None:
        update_case(uow, message, now, link=known)
        return known.number
    file = service.open_file(
        uow, principal=None, samu_id=samu_id, now=now, qualification=qualification_of(body)
    )
    file = service.load_file(uow, samu_id, file.number, lock=True)  # written: start from a clean change list
    patient_map: dict[str, int] = {}
    _apply(file, body, patient_map, message.sender_id, now)
    store.save(uow.conn, file, now)
    owner = str(body.get("owner") or message.sender_id)
    uow.execute(
        insert(hub_case_link).values(
            samu_id=samu_id,
            case_id=case_id,
            partner=message.sender_id,
            number=file.number,
            role="received",
            owner=owner,
            received=copy.deepcopy(body),
            last_sent=case_body(
                file,
                case_id=case_id,
                owner=owner,
                patient_map=patient_map,
                timezone=timezone_of(uow.conn, samu_id),
            ),
            patient_map=patient_map,
            created_at=now,
            updated_at=now,
        )
    )
    service.emit_file(uow, file, "case.shared", now)
    record(
        uow,
        None,
        samu_id,
        "file.hub.receive",
        file.number,
        now,
        {"from": message.sender_id, "case_id": case_id, "distribution_id": message.distribution_id},
    )
    return file.number


def update_case(uow: UnitOfWork, message: HubMessage, now: datetime, *, link: CaseLink | None = None) -> str:
    """RS-EDA-MAJ: apply the partner's update to the linked local file.

    An update about a case never shared with us (its RS-EDA went elsewhere or was never sent, e.g. the fire
    service's case) that carries something to regulate — a patient, a medical note or a decision — starts the
    shared file from that partner, as an RS-EDA would: medical information is never dropped. An update that
    carries nothing to keep (a status, an owner) on an unknown case is refused with 702."""
    samu_id = samu_of_client(uow.conn, message.recipient_id)
    body = message.body
    case_id = str(body["caseId"])
    link = link or link_of_case(uow.conn, samu_id, case_id, lock=True)
    if link is None:
        if any(body.get(key) for key in OPENS_A_FILE):
            return receive_case(uow, message, now)
        raise RejectMessageError(
            ErrorCode.WRONG_MESSAGE_SEQUENCE, f"unknown case {case_id}: no RS-EDA before, nothing to regulate"
        )
    file = service.load_file(uow, samu_id, link.number, lock=True)
    patient_map = dict(link.patient_map)
    before = case_body(
        file,
        case_id=case_id,
        owner=link.owner,
        patient_map=patient_map,
        timezone=timezone_of(uow.conn, samu_id),
    )
    changes = qualification_of(body)
    if changes and not file.closed:
        regulation.update_qualification(file, changes)
    if not file.closed:
        _apply(file, body, patient_map, message.sender_id, now)
    store.save(uow.conn, file, now)
    owner = str(body.get("owner") or link.owner)
    # What the partner told us is known to it: it is not sent back in our next update.
    after = case_body(
        file, case_id=case_id, owner=owner, patient_map=patient_map, timezone=timezone_of(uow.conn, samu_id)
    )
    last_sent = absorb(link.last_sent or before, before, after)
    uow.execute(
        update(hub_case_link)
        .where(
            (hub_case_link.c.samu_id == samu_id)
            & (hub_case_link.c.case_id == case_id)
            & (hub_case_link.c.partner == link.partner)
        )
        .values(
            owner=owner,
            patient_map=patient_map,
            received=_merge(link.received or {}, body),
            last_sent=last_sent,
            updated_at=now,
        )
    )
    service.emit_file(uow, file, "case.updated", now)
    record(
        uow,
        None,
        samu_id,
        "file.hub.receive_update",
        file.number,
        now,
        {"from": message.sender_id, "case_id": case_id, "fields": sorted(set(body) - {"caseId"})},
    )
    return link.number


def absorb(last_sent: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`last_sent` plus what changed between `before` and `after` (the partner's own changes)."""
    from sisamu.interop.hubsante.flows.case_body import update_body

    changes = update_body(before, after) or {}
    absorbed = _merge(last_sent, {k: v for k, v in changes.items() if k not in ("caseId", "patient")})
    if "patient" in changes:
        absorbed["patient"] = after.get("patient", [])
    return absorbed
