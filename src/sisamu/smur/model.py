# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""The crew's reports, pure: bilan (field assessment), RPIS summary, document links; checked, in the Hub's words.

A bilan is what the crew observed of one patient: who wrote it, the patient as identified on the scene (names,
birth date, age in years, sex, height, weight), the evaluation (history, treatment, main and associated
diagnoses — SFMU-FEDORU codes —, acts, vital signs). The RPIS (résumé de prise en charge SMUR) is the summary of
the SMUR's care for a patient: team composition, the times of the intervention (prefilled from the mission's
statuses, which the crew may correct), the patient's residence, the orientation (transport or not, destination,
the vector that carried the patient). Stored as JSON in the Hub's words (`patient`, `evaluation`…), so what is
sent is what was recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sisamu.domain.codes import TypeRessource, TypeVecteur
from sisamu.domain.errors import DomainError
from sisamu.resources.mission import RPIS_TIMES, Mission

REDACTOR_ROLES = frozenset(
    {"AMBULANCIER", "ARM", "INFIRMIER", "MEDECIN", "PILOTE", "TCM", "AUTRE", "INCONNU"}
)
VITAL_SIGNS = frozenset(
    {
        "FREQUENCE_CARDIAQUE",
        "PRESSION_ARTERIELLE",
        "SATURATION_OXYGENE",
        "FREQUENCE_RESPIRATOIRE",
        "TEMPERATURE",
        "HEMOGLOCOTEST",
        "GLASGOW",
    }
)
SEXES = frozenset({"M", "F", "O", "UN"})
CREW_LEVELS = frozenset({"MED", "PARAMED", "SECOURS", "SANS"})
# RS-RPIS `context.ressourceStructure`: 0 SMUR général, 1 pédiatrique, 2 néonatal, 9 antenne SMUR.
STRUCTURES_CODES = frozenset({"0", "1", "2", "9"})
EXTERNAL_IDS = frozenset({"NIR", "SINUS", "DOSSARD", "PLACE", "AUTRE"})
# RS-RPIS `intervention.smurStatus` key → the RPIS time (`resources.mission.RPIS_TIMES`) that gives it.
SMUR_STATUS = {
    "departSmur": "left_base",
    "arrivedSmur": "on_scene",
    "departLocation": "left_scene",
    "arrivedDestination": "at_destination",
    "teamAvailable": "team_available",
    "returnSmur": "back_at_base",
}
RPIS_TIME_NAMES = frozenset(RPIS_TIMES)
_INSEE = re.compile(r"^[0-9]{5}$")
_FINESS = re.compile(r"^[0-9A-Z]{9}$")


class InvalidReport(DomainError):
    """A crew report refused (unknown code, missing field, value out of range)."""

    code = "BILAN_INVALIDE"
    summary_fr = "Bilan refusé : une valeur est inconnue, manquante ou hors limites."


def _text(value: Any, name: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidReport(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidReport(f"{name} must be text")
    return value.strip()


def _code(value: Any, allowed: frozenset[str], name: str) -> str | None:
    text = _text(value, name)
    if text is not None and text not in allowed:
        raise InvalidReport(f"{name} {text!r} is not one of {', '.join(sorted(allowed))}")
    return text


def _cleaned(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, [], {})}


@dataclass(frozen=True, slots=True)
class BilanPatient:
    """The patient as the crew identified them (may differ from the regulation file's identity)."""

    last_name: str | None = None
    first_name: str | None = None
    birth_name: str | None = None
    birth_date: str | None = None  # YYYY-MM-DD
    age: int | None = None  # whole years, when the birth date is not known
    sex: str | None = None
    height_cm: int | None = None
    weight_kg: int | None = None
    external_ids: tuple[tuple[str, str], ...] = ()

    def checked(self) -> BilanPatient:
        _code(self.sex, SEXES, "sex")
        if self.birth_date is not None:
            try:
                date.fromisoformat(self.birth_date)
            except ValueError:
                raise InvalidReport(f"birth date {self.birth_date!r} is not YYYY-MM-DD") from None
        for name, value, top in (
            ("age", self.age, 130),
            ("height", self.height_cm, 260),
            ("weight", self.weight_kg, 400),
        ):
            if value is not None and not 0 <= value <= top:
                raise InvalidReport(f"{name} {value} out of range")
        for source, _ in self.external_ids:
            _code(source, EXTERNAL_IDS, "external id source")
        return self

    def to_hub(self, fallback_last: str | None, fallback_first: str | None) -> dict[str, Any]:
        """`interventionReport.patient` without its id; names from the file when the crew gave none."""
        return _cleaned(
            {
                "lastName": self.last_name or fallback_last or "INCONNU",
                "firstName": self.first_name or fallback_first or "INCONNU",
                "birthName": self.birth_name,
                "birthDate": self.birth_date,
                "age": str(self.age) if self.age is not None else None,
                "sex": self.sex,
                "height": self.height_cm,
                "weight": self.weight_kg,
                "externalId": [{"source": s, "value": v} for s, v in self.external_ids],
            }
        )


@dataclass(frozen=True, slots=True)
class VitalSign:
    kind: str  # FREQUENCE_CARDIAQUE, PRESSION_ARTERIELLE…
    value: str
    precision: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    medical_history: str | None = None
    treatment: str | None = None
    main_diagnosis: str | None = None  # SFMU-FEDORU thesaurus (CIM-10 based: T58, O20…)
    associated_diagnoses: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    vital_signs: tuple[VitalSign, ...] = ()
    freetext: tuple[str, ...] = ()

    def checked(self) -> Evaluation:
        for sign in self.vital_signs:
            _code(sign.kind, VITAL_SIGNS, "vital sign")
            _text(sign.value, f"value of {sign.kind}", required=True)
        return self

    def to_hub(self) -> dict[str, Any]:
        return _cleaned(
            {
                "medicalHistory": self.medical_history,
                "treatment": self.treatment,
                "mainDiagnosis": self.main_diagnosis,
                "associatedDiagnosis": list(self.associated_diagnoses),
                "procedure": list(self.procedures),
                "parameter": [
                    _cleaned({"type": s.kind, "value": s.value, "precision": s.precision})
                    for s in self.vital_signs
                ],
                "freetext": list(self.freetext),
            }
        )


@dataclass(frozen=True, slots=True)
class Bilan:
    """One revision of a crew's bilan of one patient (its `report_id` is kept from revision to revision)."""

    redactor_role: str
    written_at: datetime
    patient: BilanPatient = field(default_factory=BilanPatient)
    evaluation: Evaluation = field(default_factory=Evaluation)
    redactor_label: str | None = None
    report_id: str | None = None  # given by the service: the patient's earlier bilan's, else a new one

    def checked(self) -> Bilan:
        _text(self.report_id, "report id")
        _code(self.redactor_role, REDACTOR_ROLES, "redactor role")
        self.patient.checked()
        self.evaluation.checked()
        return self


@dataclass(frozen=True, slots=True)
class Destination:
    finess: str  # FINESS géographique of the destination
    healthcare_type: str  # the destination's operational activity (ActiviteOperationnelle)
    category: str = "ES"  # établissement de santé
    country: str = "FR"


@dataclass(frozen=True, slots=True)
class Transport:
    """The vector that carried the patient (a VSAV, the SMUR itself…)."""

    resource_type: str
    vehicle_type: str
    medical_level: str


@dataclass(frozen=True, slots=True)
class Rpis:
    """What the crew enters for an RPIS; everything else comes from the file, the mission and the bilan."""

    orientation: str  # SI-SAMU NOMENC_DEVENIR_PAT: transported or not (OK, TEMP…)
    doctor: bool = True
    nurse: bool = True
    driver: bool = True
    residence_insee: str | None = None
    residence_city: str | None = None
    destination: Destination | None = None
    transport: Transport | None = None
    main_diagnosis: str | None = None  # default: the patient's latest bilan
    associated_diagnosis: str | None = None
    procedures: tuple[str, ...] = ()
    times: Mapping[str, datetime] = field(default_factory=dict)  # corrections, by RPIS time name

    def checked(self) -> Rpis:
        _text(self.orientation, "orientation", required=True)
        if (self.residence_insee is None) != (self.residence_city is None):
            raise InvalidReport("the residence needs both its INSEE code and its commune")
        if self.residence_insee is not None and not _INSEE.match(self.residence_insee):
            raise InvalidReport(f"INSEE code {self.residence_insee!r} is not five digits")
        if self.destination is not None and not _FINESS.match(self.destination.finess):
            raise InvalidReport(f"FINESS {self.destination.finess!r} is not nine characters")
        if self.transport is not None:
            try:
                TypeRessource(self.transport.resource_type)
                TypeVecteur(self.transport.vehicle_type)
            except ValueError as exc:
                raise InvalidReport(str(exc)) from None
            _code(self.transport.medical_level, CREW_LEVELS, "medical level")
        unknown = set(self.times) - RPIS_TIME_NAMES
        if unknown:
            raise InvalidReport(f"unknown RPIS times {sorted(unknown)}; known: {sorted(RPIS_TIME_NAMES)}")
        return self


def rpis_times(mission: Mission, corrections: Mapping[str, datetime]) -> dict[str, datetime]:
    """The RPIS times: each from the mission's status (`RPIS_TIMES`), unless the crew corrected it."""
    times = {name: mission.time_of(status) for name, status in RPIS_TIMES.items()}
    times.update(corrections)
    return {name: at for name, at in times.items() if at is not None}


def missing_times(times: Mapping[str, datetime]) -> list[str]:
    """RPIS times the Hub requires (engagement, left base, team available, back at base) still unknown."""
    return [n for n in ("engagement", "left_base", "team_available", "back_at_base") if n not in times]


def rpis_to_json(rpis: Rpis) -> dict[str, Any]:
    """What the crew entered, as stored (`smur_rpis.entered`)."""
    return _cleaned(
        {
            "orientation": rpis.orientation,
            "team": {"doctor": rpis.doctor, "nurse": rpis.nurse, "driver": rpis.driver},
            "residence": {"inseeCode": rpis.residence_insee, "city": rpis.residence_city}
            if rpis.residence_insee
            else None,
            "destination": _cleaned(
                {
                    "finess": rpis.destination.finess,
                    "healthcareType": rpis.destination.healthcare_type,
                    "destinationCategory": rpis.destination.category,
                    "destinationCountry": rpis.destination.country,
                }
            )
            if rpis.destination
            else None,
            "transport": {
                "resourceType": rpis.transport.resource_type,
                "vehicleType": rpis.transport.vehicle_type,
                "medicalLevel": rpis.transport.medical_level,
            }
            if rpis.transport
            else None,
            "mainDiagnosis": rpis.main_diagnosis,
            "associatedDiagnosis": rpis.associated_diagnosis,
            "procedure": list(rpis.procedures),
            "times": {name: at.isoformat() for name, at in rpis.times.items()},
        }
    )


def rpis_from_json(data: Mapping[str, Any]) -> Rpis:
    team = data.get("team") or {}
    residence = data.get("residence") or {}
    destination = data.get("destination")
    transport = data.get("transport")
    return Rpis(
        orientation=str(data["orientation"]),
        doctor=bool(team.get("doctor", True)),
        nurse=bool(team.get("nurse", True)),
        driver=bool(team.get("driver", True)),
        residence_insee=residence.get("inseeCode"),
        residence_city=residence.get("city"),
        destination=Destination(
            destination["finess"],
            destination["healthcareType"],
            destination.get("destinationCategory", "ES"),
            destination.get("destinationCountry", "FR"),
        )
        if destination
        else None,
        transport=Transport(transport["resourceType"], transport["vehicleType"], transport["medicalLevel"])
        if transport
        else None,
        main_diagnosis=data.get("mainDiagnosis"),
        associated_diagnosis=data.get("associatedDiagnosis"),
        procedures=tuple(data.get("procedure") or ()),
        times={name: datetime.fromisoformat(at) for name, at in (data.get("times") or {}).items()},
    )
