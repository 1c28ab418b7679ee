"""Reading a partner's RS-EDA body in sisamu's terms: the qualification, the location, a patient's identity and
the physician's hypothesis. A value sisamu refuses (a code outside the lists, a malformed phone number, an unknown
INSEE code) is left out and logged; the body as received stays with the shared file (`case_receive`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sisamu.cases.details import Diagnosis, Hypothesis
from sisamu.cases.location import with_commune
from sisamu.cases.model import InvalidFile, Patient
from sisamu.cases.qualification import Qualification
from sisamu.hubsante.datetimes import parse_hub_datetime

log = logging.getLogger(__name__)


def when_of(value: Any, default: datetime | None) -> datetime | None:
    """A Hub datetime, or `default` when absent or malformed."""
    try:
        return parse_hub_datetime(value) if isinstance(value, str) else default
    except ValueError:
        return default


def get_path(data: Any, *path: str) -> Any:
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
    coord = get_path(loc, "geometry", "point", "coord") or {}
    address = get_path(loc, "detailedAddress") or {}
    way = get_path(address, "wayName")
    access = get_path(loc, "access")
    values: dict[str, Any] = {
        "address": get_path(address, "complete"),
        "commune_insee": get_path(loc, "city", "inseeCode"),
        "commune_name": get_path(loc, "city", "name"),
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
        "aml": get_path(loc, "geometry", "point", "isAml"),
        "point_at": when_of(get_path(loc, "geometry", "datetime"), None),
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
    caller = get_path(alert, "caller") or {}
    candidates: dict[str, Any] = {
        "motif": get_path(q, "healthMotive", "code"),
        "lieu": get_path(q, "locationKind", "code"),
        "fait": get_path(q, "whatsHappen", "code"),
        "risques": [r.get("code") for r in q.get("riskThreat") or [] if isinstance(r, Mapping)] or None,
        "origine": q.get("origin"),
        "intervention": body.get("interventionType"),
        "priority": get_path(q, "details", "priority"),
        "attribution": get_path(q, "details", "attribution"),
        "caller_name": get_path(caller, "detailedName", "complete"),
        "caller_first_name": get_path(caller, "detailedName", "firstName"),
        "caller_last_name": get_path(caller, "detailedName", "lastName"),
        "caller_phone": get_path(caller, "callerContact", "detail")
        if get_path(caller, "callerContact", "type") == "TEL"
        else None,
        "callback_phone": get_path(caller, "callbackContact", "detail")
        if get_path(caller, "callbackContact", "type") == "TEL"
        else None,
        "caller_type": caller.get("type"),
        "caller_language": caller.get("language"),
        "caller_communication": caller.get("communication"),
        "caller_note": caller.get("freetext"),
        "received_at": when_of(alert.get("reception"), None),
        "alert_notes": [
            {"text": n.get("freetext"), "at": when_of(n.get("creation"), None)}
            for n in alert.get("notes") or []
            if isinstance(n, Mapping) and n.get("freetext")
        ]
        or None,
        "additional": [
            {k: e.get(k) for k in ("key", "value", "label", "freetext")}
            for e in get_path(body, "additionalInformation", "customMap") or []
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
    names = get_path(patient, "identity", "nonStrictFeatures") or {}
    strict = get_path(patient, "identity", "strictFeatures") or {}
    candidates = {
        "last_name": names.get("lastName"),
        "first_name": names.get("firstName"),
        "birth_name": strict.get("birthName"),
        "birth_date": strict.get("birthDate"),
        "age": get_path(patient, "detail", "age"),
        "sex": strict.get("sex"),
        "weight": get_path(patient, "detail", "weight"),
        "height": get_path(patient, "detail", "height"),
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
