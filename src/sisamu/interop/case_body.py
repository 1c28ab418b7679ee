"""The RS-EDA body of a file as this SAMU shares it, and the RS-EDA-MAJ update between two such bodies.

`case_body` starts from `sisamu.cases.export.rs_eda_body` (the regulation feature's mapping) and adapts it to the
link: the shared case id and owner the partner knows, the partner's patient ids for patients it sent us, and an
operator written without `label` when sisamu has no name for the author. `update_body` is what changed since the
last body sent: new or changed patients (with their `patientId`), new notes and decisions, changed leaves of the
other objects. A property removed locally is not expressed (RS-EDA-MAJ cannot remove).
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sisamu.cases.export import rs_eda_body
from sisamu.cases.numbering import hub_patient_id
from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime

if TYPE_CHECKING:
    from sisamu.cases.model import RegulationFile

DEFAULT_TIMEZONE = "Europe/Paris"
HUB_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[-+]\d{2}:\d{2}$")
UNCHANGING = frozenset({"caseId", "senderCaseId", "creation", "perimeter"})
IDENTIFIED_LISTS = {"patient": "patientId", "medicalNote": "medicalNoteId"}
APPEND_ONLY_LISTS = frozenset({"medicalNote", "decision"})


def _local_times(data: Any, zone: ZoneInfo) -> Any:
    """Datetimes written in the SAMU's local time with its offset, as the Hub's examples do (same instants)."""
    if isinstance(data, dict):
        return {k: _local_times(v, zone) for k, v in data.items()}
    if isinstance(data, list):
        return [_local_times(v, zone) for v in data]
    if isinstance(data, str) and HUB_DATETIME.fullmatch(data):
        return format_hub_datetime(parse_hub_datetime(data).astimezone(zone))
    return data


def case_body(
    file: RegulationFile,
    *,
    case_id: str,
    owner: str,
    patient_map: dict[str, int] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """The `createCaseHealth` of `file` under the shared id `case_id`, in charge of `owner`."""
    body: dict[str, Any] = _local_times(rs_eda_body(file), ZoneInfo(timezone))
    body["caseId"] = case_id
    body["senderCaseId"] = case_id.rsplit(".", 1)[-1]
    body["owner"] = owner
    local_to_hub = {
        hub_patient_id(file.samu_id, file.number, number): hub_id
        for hub_id, number in (patient_map or {}).items()
    }
    for item in [*body.get("patient", []), *body.get("medicalNote", []), *body.get("decision", [])]:
        if item.get("patientId") in local_to_hub:
            item["patientId"] = local_to_hub[item["patientId"]]
        operator = item.get("operator")
        if isinstance(operator, dict) and not operator.get("label"):
            operator.pop("label", None)
    return body


def announced(body: dict[str, Any]) -> dict[str, Any]:
    """The RS-EDA as announced: a file starts ACTIF, so the status is left out then (the examples' form); the
    body kept as last sent still holds it, so a later change of status goes in the next RS-EDA-MAJ."""
    details = body.get("qualification", {}).get("details", {})
    if details.get("status") != "ACTIF":
        return body
    sent = copy.deepcopy(body)
    del sent["qualification"]["details"]["status"]
    if not sent["qualification"]["details"]:
        del sent["qualification"]["details"]
    return sent


def decision_comments(file: RegulationFile, decisions: list[dict[str, Any]], timezone: str) -> list[str]:
    """The physician's comments on the decisions of an update (they go in the RS-EDA-MAJ `freetext`)."""
    zone = ZoneInfo(timezone)
    sent = {(d.get("creation"), d.get("decisionType")) for d in decisions}
    return [
        d.comment
        for d in file.decisions
        if d.comment and (format_hub_datetime(d.created_at.astimezone(zone)), str(d.kind)) in sent
    ]


# What an RS-EDA-MAJ structures (its schema): the rest of a change goes, as text, in its `freetext`.
UPDATE_SHAPE: dict[str, Any] = {
    "caseId": True,
    "senderCaseId": True,
    "perimeter": True,
    "owner": True,
    "patient": True,
    "medicalNote": True,
    "decision": True,
    "additionalInformation": True,
    "qualification": {"riskThreat": True, "details": {"status": True, "priority": True, "careLevel": True}},
    "location": {"externalInfo": True},
    "initialAlert": {"notes": True},
}


def fit_update(
    changes: dict[str, Any], shape: Any = None, path: str = ""
) -> tuple[dict[str, Any], list[str]]:
    """`changes` split into what the RS-EDA-MAJ schema structures and the other changed values, written
    `path : value` (the schema's `freetext`: "concatenate in one note every other value changed")."""
    shape = UPDATE_SHAPE if shape is None else shape
    fitted: dict[str, Any] = {}
    others: list[str] = []
    for key, value in changes.items():
        allowed = shape.get(key) if isinstance(shape, dict) else None
        where = f"{path}.{key}" if path else key
        if allowed is True:
            fitted[key] = value
        elif isinstance(allowed, dict) and isinstance(value, dict):
            sub, more = fit_update(value, allowed, where)
            if sub:
                fitted[key] = sub
            others += more
        else:
            others += _leaves(value, where)
    return fitted, others


def _leaves(value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        return [line for key, sub in value.items() for line in _leaves(sub, f"{path}.{key}")]
    if isinstance(value, list):
        return [line for i, sub in enumerate(value) for line in _leaves(sub, f"{path}[{i}]")]
    return [f"{path} : {value}"]


def _leaf_diff(before: Any, after: Any) -> Any:
    """`after` where it differs from `before` (dicts compared key by key); None when equal."""
    if isinstance(before, dict) and isinstance(after, dict):
        changed = {}
        for key, value in after.items():
            sub = _leaf_diff(before.get(key), value)
            if sub is not None:
                changed[key] = sub
        return changed or None
    return None if before == after else copy.deepcopy(after)


def _decision_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item.get("creation"), item.get("decisionType"), item.get("patientId"))


def _list_diff(key: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if key == "decision":
        known = {_decision_key(d) for d in before}
        return [copy.deepcopy(d) for d in after if _decision_key(d) not in known]
    id_key = IDENTIFIED_LISTS[key]
    previous = {item.get(id_key): item for item in before}
    changed = []
    for item in after:
        old = previous.get(item.get(id_key))
        if old is None:
            changed.append(copy.deepcopy(item))
        elif key not in APPEND_ONLY_LISTS:
            sub = _leaf_diff(old, item)
            if sub:
                changed.append({**sub, id_key: item[id_key]})
    return changed


def update_body(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any] | None:
    """The `createCaseHealthUpdate` taking a partner from `before` to `after`; None when nothing changed."""
    before = before or {}
    update: dict[str, Any] = {}
    for key, value in after.items():
        if key in UNCHANGING:
            continue
        if key in IDENTIFIED_LISTS or key == "decision":
            items = _list_diff(key, before.get(key, []), value)
            if items:
                update[key] = items
        else:
            sub = _leaf_diff(before.get(key), value)
            if sub is not None:
                update[key] = sub
    if not update:
        return None
    return {"caseId": after["caseId"], **update}
