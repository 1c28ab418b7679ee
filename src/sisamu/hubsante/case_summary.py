"""Typed view of the core of a case message (RS-EDA `createCaseHealth`, RC-EDA `createCase`)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sisamu.hubsante.datetimes import format_hub_datetime, parse_hub_datetime
from sisamu.hubsante.message_types import RC_EDA, RS_EDA

if TYPE_CHECKING:
    from datetime import datetime

CASE_ROOT_KEYS = frozenset({RS_EDA.root_key, RC_EDA.root_key})
_Path = tuple[str, ...]


def _read(data: Mapping[str, Any], path: _Path) -> Any:
    node: Any = data
    for step in path:
        if not isinstance(node, Mapping) or step not in node:
            return None
        node = node[step]
    return node


def _write(data: dict[str, Any], path: _Path, value: Any) -> None:
    """Set `value` at `path`, creating objects on the way; `None` removes the leaf (and emptied parents)."""
    if value is None:
        parents: list[tuple[dict[str, Any], str]] = []
        node: Any = data
        for step in path[:-1]:
            if not isinstance(node.get(step), dict):
                return
            parents.append((node, step))
            node = node[step]
        node.pop(path[-1], None)
        for parent, step in reversed(parents):
            if parent[step]:
                break
            del parent[step]
        return
    node = data
    for step in path[:-1]:
        node = node.setdefault(step, {})
    node[path[-1]] = value


@dataclass(frozen=True, slots=True)
class Code:
    """A coded value of a nomenclature (`code`, `label`), e.g. whatsHappen `C01.01.04` / `2-roues`."""

    code: str
    label: str | None = None

    @classmethod
    def read(cls, data: Any) -> Code | None:
        if not isinstance(data, Mapping) or "code" not in data:
            return None
        return cls(code=data["code"], label=data.get("label"))

    def write(self, target: dict[str, Any]) -> None:
        target["code"] = self.code
        _write(target, ("label",), self.label)


@dataclass(frozen=True, slots=True)
class CaseLocation:
    name: str | None = None
    address: str | None = None
    city: str | None = None
    insee_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    precision: str | None = None


_LOCATION_PATHS: dict[str, _Path] = {
    "name": ("name",),
    "address": ("detailedAddress", "complete"),
    "city": ("city", "name"),
    "insee_code": ("city", "inseeCode"),
    "latitude": ("geometry", "point", "coord", "lat"),
    "longitude": ("geometry", "point", "coord", "lon"),
    "precision": ("geometry", "point", "coord", "precision"),
}


@dataclass(frozen=True, slots=True)
class PatientSummary:
    patient_id: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    birth_date: str | None = None
    sex: str | None = None


_PATIENT_PATHS: dict[str, _Path] = {
    "patient_id": ("patientId",),
    "last_name": ("identity", "nonStrictFeatures", "lastName"),
    "first_name": ("identity", "nonStrictFeatures", "firstName"),
    "birth_date": ("identity", "strictFeatures", "birthDate"),
    "sex": ("identity", "strictFeatures", "sex"),
}


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """The fields of a case message that sisamu maps to its own file; the rest of the body stays as JSON.

    `reference_version` exists in RC-EDA only; `priority` (qualification.details.priority) and `patients`
    in RS-EDA only.
    """

    case_id: str
    sender_case_id: str | None = None
    creation: datetime | None = None
    reference_version: str | None = None
    whats_happen: Code | None = None
    priority: str | None = None
    location: CaseLocation | None = None
    patients: tuple[PatientSummary, ...] = ()

    @classmethod
    def from_payload(cls, body: Mapping[str, Any]) -> CaseSummary:
        """Read the summary from a `createCaseHealth` or `createCase` body (the object under the root key)."""
        creation = body.get("creation")
        location = body.get("location")
        patients = body.get("patient") or []
        return cls(
            case_id=body["caseId"],
            sender_case_id=body.get("senderCaseId"),
            creation=parse_hub_datetime(creation) if isinstance(creation, str) else None,
            reference_version=body.get("referenceVersion"),
            whats_happen=Code.read(_read(body, ("qualification", "whatsHappen"))),
            priority=_read(body, ("qualification", "details", "priority")),
            location=(
                CaseLocation(**{name: _read(location, path) for name, path in _LOCATION_PATHS.items()})
                if isinstance(location, Mapping)
                else None
            ),
            patients=tuple(
                PatientSummary(**{name: _read(patient, path) for name, path in _PATIENT_PATHS.items()})
                for patient in patients
                if isinstance(patient, Mapping)
            ),
        )

    def apply_to_payload(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of `body` with the summary's fields written in (a `None` field removes the property).

        Patients are matched by position: extra summary patients are appended, extra body patients dropped.
        """
        result = copy.deepcopy(dict(body))
        _write(result, ("caseId",), self.case_id)
        _write(result, ("senderCaseId",), self.sender_case_id)
        _write(result, ("creation",), format_hub_datetime(self.creation) if self.creation else None)
        _write(result, ("referenceVersion",), self.reference_version)
        if self.whats_happen is None:
            _write(result, ("qualification", "whatsHappen"), None)
        else:
            qualification = result.setdefault("qualification", {})
            self.whats_happen.write(qualification.setdefault("whatsHappen", {}))
        _write(result, ("qualification", "details", "priority"), self.priority)
        if self.location is None:
            result.pop("location", None)
        else:
            location = result.setdefault("location", {})
            for name, path in _LOCATION_PATHS.items():
                _write(location, path, getattr(self.location, name))
        if self.patients or "patient" in result:
            existing = result.get("patient") or []
            patients = []
            for index, summary in enumerate(self.patients):
                patient = existing[index] if index < len(existing) else {}
                for name, path in _PATIENT_PATHS.items():
                    _write(patient, path, getattr(summary, name))
                patients.append(patient)
            _write(result, ("patient",), patients or None)
        return result
