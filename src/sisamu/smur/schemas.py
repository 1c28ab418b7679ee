# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Request and response bodies of the crew's reports and of the SMUR software's setting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from sisamu.smur.model import (
    Bilan,
    BilanPatient,
    Destination,
    Evaluation,
    Rpis,
    Transport,
    VitalSign,
)

_TEXT = Field(default=None, max_length=2000)
_CODE = Field(default=None, max_length=16, pattern=r"^[A-Z0-9.]+$")
RedactorRole = Literal["AMBULANCIER", "ARM", "INFIRMIER", "MEDECIN", "PILOTE", "TCM", "AUTRE", "INCONNU"]
VitalKind = Literal[
    "FREQUENCE_CARDIAQUE",
    "PRESSION_ARTERIELLE",
    "SATURATION_OXYGENE",
    "FREQUENCE_RESPIRATOIRE",
    "TEMPERATURE",
    "HEMOGLOCOTEST",
    "GLASGOW",
]
RpisTime = Literal[
    "engagement", "left_base", "on_scene", "left_scene", "at_destination", "team_available", "back_at_base"
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BilanPatientIn(_In):
    last_name: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=200)
    birth_name: str | None = Field(default=None, max_length=200)
    birth_date: date | None = None
    age: int | None = Field(
        default=None, ge=0, le=130, description="Whole years, when the birth date is unknown"
    )
    sex: Literal["M", "F", "O", "UN"] | None = None
    height_cm: int | None = Field(default=None, ge=0, le=260)
    weight_kg: int | None = Field(default=None, ge=0, le=400)


class VitalSignIn(_In):
    kind: VitalKind
    value: str = Field(min_length=1, max_length=40)
    precision: str | None = Field(default=None, max_length=200)


class BilanIn(_In):
    patient_no: int = Field(ge=1, description="The file's patient the bilan is about")
    redactor_role: RedactorRole
    redactor_label: str | None = Field(default=None, max_length=200)
    written_at: datetime | None = Field(default=None, description="When the crew wrote it; default now")
    patient: BilanPatientIn = Field(default_factory=BilanPatientIn)
    medical_history: str | None = _TEXT
    treatment: str | None = _TEXT
    main_diagnosis: str | None = _CODE
    associated_diagnoses: list[str] = Field(default_factory=list, max_length=20)
    procedures: list[str] = Field(default_factory=list, max_length=40)
    vital_signs: list[VitalSignIn] = Field(default_factory=list, max_length=40)
    freetext: list[str] = Field(default_factory=list, max_length=20)

    def to_model(self, now: datetime) -> Bilan:
        p = self.patient
        return Bilan(
            redactor_role=self.redactor_role,
            redactor_label=self.redactor_label,
            written_at=self.written_at or now,
            patient=BilanPatient(
                last_name=p.last_name,
                first_name=p.first_name,
                birth_name=p.birth_name,
                birth_date=p.birth_date.isoformat() if p.birth_date else None,
                age=p.age,
                sex=p.sex,
                height_cm=p.height_cm,
                weight_kg=p.weight_kg,
            ),
            evaluation=Evaluation(
                medical_history=self.medical_history,
                treatment=self.treatment,
                main_diagnosis=self.main_diagnosis,
                associated_diagnoses=tuple(self.associated_diagnoses),
                procedures=tuple(self.procedures),
                vital_signs=tuple(VitalSign(v.kind, v.value, v.precision) for v in self.vital_signs),
                freetext=tuple(self.freetext),
            ),
        )


class DestinationIn(_In):
    finess: str = Field(pattern=r"^[0-9A-Z]{9}$")
    healthcare_type: str = Field(min_length=1, max_length=16)
    category: str = Field(default="ES", max_length=8)
    country: str = Field(default="FR", pattern=r"^[A-Z]{2}$")


class TransportIn(_In):
    resource_type: str = Field(max_length=24, description="HubSante.typeRessource of the carrying vector")
    vehicle_type: str = Field(max_length=24, description="HubSante.typeVecteur")
    medical_level: Literal["MED", "PARAMED", "SECOURS", "SANS"]


class RpisIn(_In):
    patient_no: int = Field(ge=1)
    orientation: str = Field(min_length=1, max_length=16, description="NOMENC_DEVENIR_PAT (OK, TEMP…)")
    doctor: bool = True
    nurse: bool = True
    driver: bool = True
    residence_insee: str | None = Field(default=None, pattern=r"^[0-9]{5}$")
    residence_city: str | None = Field(default=None, max_length=200)
    destination: DestinationIn | None = None
    transport: TransportIn | None = None
    main_diagnosis: str | None = _CODE
    associated_diagnosis: str | None = _CODE
    procedures: list[str] = Field(default_factory=list, max_length=40)
    times: dict[RpisTime, datetime] = Field(
        default_factory=dict, description="Corrections of the times taken from the mission's statuses"
    )

    def to_model(self) -> Rpis:
        d, t = self.destination, self.transport
        return Rpis(
            orientation=self.orientation,
            doctor=self.doctor,
            nurse=self.nurse,
            driver=self.driver,
            residence_insee=self.residence_insee,
            residence_city=self.residence_city,
            destination=Destination(d.finess, d.healthcare_type, d.category, d.country) if d else None,
            transport=Transport(t.resource_type, t.vehicle_type, t.medical_level) if t else None,
            main_diagnosis=self.main_diagnosis,
            associated_diagnosis=self.associated_diagnosis,
            procedures=tuple(self.procedures),
            times={str(name): at for name, at in self.times.items()},
        )


class DocumentIn(_In):
    document_type: str | None = Field(default=None, max_length=40, description="BILAN, ECG, PRESCRIPTION…")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://")


class DocumentsIn(_In):
    patient_no: int | None = Field(default=None, ge=1)
    code: str | None = Field(default=None, max_length=80)
    documents: list[DocumentIn] = Field(min_length=1, max_length=20)


class RecordedOut(BaseModel):
    id: int
    sent: str | None = Field(description="distributionID of the Hub message, when the file came from an LRM")


class ReportOut(BaseModel):
    id: int
    direction: str
    patient_no: int | None
    mission_id: int | None
    partner: str | None
    recorded_by: str
    recorded_at: datetime
    content: dict[str, Any]


class FileReportsOut(BaseModel):
    bilans: list[ReportOut]
    rpis: list[ReportOut]
    documents: list[ReportOut]

    @classmethod
    def of(cls, bilans: list[Any], rpis: list[Any], documents: list[Any]) -> Self:
        def out(row: Any, key: str, content: dict[str, Any]) -> ReportOut:
            return ReportOut(
                id=getattr(row, key),
                direction=row.direction,
                patient_no=row.patient_no,
                mission_id=row.mission_id,
                partner=row.partner,
                recorded_by=row.recorded_by,
                recorded_at=row.recorded_at,
                content=content,
            )

        return cls(
            bilans=[
                out(
                    r,
                    "bilan_id",
                    {
                        "reportId": r.report_id,
                        "redactor": {"role": r.redactor_role, "label": r.redactor_label},
                        "creation": r.written_at.isoformat(),
                        "patient": r.patient,
                        "evaluation": r.evaluation,
                    },
                )
                for r in bilans
            ],
            rpis=[out(r, "rpis_id", {"entered": r.entered, "rpis": r.rpis}) for r in rpis],
            documents=[out(r, "link_id", {"code": r.code, "document": r.documents}) for r in documents],
        )


class SmurClientIn(_In):
    client_id: str = Field(pattern=r"^fr(\.[a-zA-Z0-9_-]+){2,8}$", description="fr.health.samu440.smur")
    rpis_recipient: str | None = Field(
        default=None,
        max_length=200,
        description="read only: the RPIS recipient the platform's settings name (SISAMU_HUB_RPIS_RECIPIENT); a "
        "request naming any other is refused (422 DESTINATAIRE_RPIS_IMPOSE)",
    )
    finess_legal: str | None = Field(default=None, pattern=r"^[0-9A-Z]{9}$")
    finess_geo: str | None = Field(default=None, pattern=r"^[0-9A-Z]{9}$")
    structure: Literal["0", "1", "2", "9"] = "0"
