"""Request and response bodies of the regulation-file API (pydantic), and their mapping from the model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from sisamu.cases import lifecycle
from sisamu.cases.detail_schemas import (
    ALERT_NOTES,
    CUSTOM_ENTRIES,
    AccessIn,
    AlertNoteIn,
    CustomEntryIn,
    ExternalIdIn,
    HypothesisIn,
    StreetIn,
)
from sisamu.cases.model import AGE_PATTERN, Decision, Note, Patient, RegulationFile
from sisamu.cases.timeline import TimelineItem, timeline
from sisamu.domain.codes import (
    Attribution,
    Etat,
    NiveauSoin,
    Priorite,
    TypeDecision,
    TypeRessource,
    code_list,
)

Text = Field(default=None, max_length=500)
Name = Field(default=None, max_length=200)


class LocationIn(BaseModel):
    address: str | None = Text
    commune_insee: str | None = Field(
        default=None, description="INSEE code, e.g. 25056 (see /api/geo/communes)"
    )
    commune_name: str | None = Text
    lat: float | None = None
    lon: float | None = None
    precision: Literal["VILLE", "RUE", "ADRESSE", "EXACTE", "INCONNUE"] | None = None
    aml: bool | None = Field(
        default=False, description="the point is the caller's handset (AML); null: unknown"
    )
    number: str | None = Field(default=None, max_length=20, description="the address's number: 12, 12 bis")
    street: StreetIn | None = None
    name: str | None = Field(default=None, max_length=500, description="the place: a shop, a company…")
    directions: str | None = Field(
        default=None, max_length=2_000, description="how to find the patient there"
    )
    access: AccessIn | None = None
    external_ids: list[ExternalIdIn] = Field(default_factory=list, max_length=5)
    point_at: datetime | None = Field(default=None, description="when the point was taken")


class QualificationIn(BaseModel):
    """ARM qualification; on PATCH only the fields sent change (send `null` to clear one)."""

    caller_name: str | None = Text
    caller_phone: str | None = Field(default=None, max_length=30)
    callback_phone: str | None = Field(default=None, max_length=30)
    location: LocationIn | None = None
    motif: str | None = Field(default=None, description="HubSante.motif code, e.g. M01.01")
    lieu: str | None = Field(default=None, description="HubSante.lieu code, e.g. L01.01.01")
    priority: Priorite | None = None
    attribution: Attribution | None = None
    caller_first_name: str | None = Name
    caller_last_name: str | None = Name
    caller_type: str | None = Field(default=None, description="HubSante.typeAppelant: SUJET, FAMILLE, TIERS…")
    caller_language: str | None = Field(default=None, max_length=3, description="HubSante.langue: fr, en…")
    caller_communication: str | None = Field(default=None, description="HubSante.communication: AUCUNE…")
    caller_note: str | None = Field(default=None, max_length=500, description="who the caller is: 'his son'")
    received_at: datetime | None = Field(default=None, description="when the alert came in")
    alert_notes: list[AlertNoteIn] | None = ALERT_NOTES
    fait: str | None = Field(default=None, description="HubSante.fait (what happened), e.g. C09.03.00")
    risques: list[str] | None = Field(default=None, max_length=10, description="HubSante.risque, e.g. R13")
    origine: str | None = Field(default=None, description="HubSante.origine: 15, 112, CTA-PI…")
    intervention: str | None = Field(default=None, description="HubSante.intervention: T1, T2-INTER…")
    labels: dict[str, str] | None = Field(
        default=None,
        max_length=20,
        description="wording of the file's codes when not the nomenclature's: {code: label}",
    )
    additional: list[CustomEntryIn] | None = CUSTOM_ENTRIES

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=True, exclude={"version"})
        if "location" in values and values["location"] is None:
            values["location"] = {}
        return values


class QualificationPatch(QualificationIn):
    version: int | None = Field(
        default=None, description="version shown to the user; 409 if it changed since"
    )


class PatientIn(BaseModel):
    last_name: str | None = Name
    first_name: str | None = Name
    birth_name: str | None = Name
    birth_date: date | None = None
    age: str | None = Field(default=None, pattern=AGE_PATTERN.pattern, description="P45Y, P6M, P3W, P10D")
    sex: Literal["M", "F", "O", "UN"] | None = None
    weight: float | None = Field(default=None, gt=0, le=500, description="kg")
    height: float | None = Field(default=None, gt=0, le=300, description="cm")


class PatientPatch(PatientIn):
    version: int | None = None


class OpenFileIn(BaseModel):
    call_id: str | None = Field(default=None, max_length=120, description="answered call (telephony)")
    program: bool = Field(default=False, description="planned transfer: the file starts as PROGRAM")
    planned_at: datetime | None = None
    qualification: QualificationIn = Field(default_factory=QualificationIn)
    patients: list[PatientIn] = Field(default_factory=list, max_length=50)


class ReflexIn(BaseModel):
    resource_type: TypeRessource = Field(description="HubSante.typeRessource, e.g. SMUR")
    patient_no: int | None = None


class CareLevelIn(BaseModel):
    level: NiveauSoin


class HypothesisPut(BaseModel):
    hypothesis: HypothesisIn | None = Field(description="null clears it")


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)
    patient_no: int | None = None
    corrects: int | None = Field(default=None, description="number of the note this one corrects")


class DecisionIn(BaseModel):
    kind: TypeDecision
    patient_no: int | None = None
    resource_type: TypeRessource | None = Field(default=None, description="INTER only")
    orientation: Literal["URGENCES", "REA-USI", "SANTE", "CABINET", "DOMICILE", "EPHAD", "AUTRE"] | None = (
        None
    )
    destination: str | None = Field(default=None, max_length=500, description="ORIENT only: FINESS or text")
    medical_transport: bool | None = None
    comment: str | None = Field(default=None, max_length=2_000, description="the physician's words on it")


class TransitionIn(BaseModel):
    to: Etat
    reason: str | None = Field(
        default=None, max_length=500, description="ACHEVE: why, when a decision was not carried out"
    )


class GrantIn(BaseModel):
    samu_id: str = Field(min_length=3, max_length=8, description="SAMU given access")
    reason: Literal["OVERFLOW", "SHARED", "CRISIS"]
    expires_at: datetime | None = Field(
        default=None, description="end of the grant: within 7 days; 24 hours from now when omitted"
    )


class GrantOut(BaseModel):
    samu_id: str
    reason: str
    granted_at: datetime
    granted_by: str
    expires_at: datetime | None


class LocationOut(LocationIn):
    pass


class QualificationOut(BaseModel):
    caller_name: str | None
    caller_phone: str | None
    callback_phone: str | None
    location: LocationOut
    # A commune typed but not found in the gazetteer: kept as typed (no INSEE code), to be checked.
    commune_unverified: bool = False
    motif: str | None
    motif_label: str | None
    lieu: str | None
    lieu_label: str | None
    priority: Priorite | None  # None until the ARM chooses it
    attribution: Attribution | None
    caller_first_name: str | None
    caller_last_name: str | None
    caller_type: str | None
    caller_language: str | None
    caller_communication: str | None
    caller_note: str | None
    received_at: datetime | None
    alert_notes: list[AlertNoteIn]
    fait: str | None
    fait_label: str | None
    risques: list[str]
    origine: str | None
    intervention: str | None
    labels: dict[str, str]
    additional: list[CustomEntryIn]


class PatientOut(PatientIn):
    patient_no: int
    care_level: NiveauSoin | None
    care_level_at: datetime | None
    care_level_by: str | None
    hypothesis: HypothesisIn | None

    @classmethod
    def of(cls, p: Patient) -> PatientOut:
        return cls.model_validate(p, from_attributes=True)


class NoteOut(BaseModel):
    note_no: int
    body: str
    author: str
    role: str
    created_at: datetime
    patient_no: int | None
    corrects: int | None
    corrected_by: list[int] = Field(default_factory=list)

    @classmethod
    def of(cls, n: Note, corrected_by: list[int] | None = None) -> NoteOut:
        return cls(
            note_no=n.note_no,
            body=n.body,
            author=n.author,
            role=n.role,
            created_at=n.created_at,
            patient_no=n.patient_no,
            corrects=n.corrects,
            corrected_by=corrected_by or [],
        )


class DecisionOut(BaseModel):
    decision_no: int
    kind: TypeDecision
    author: str
    role: str
    created_at: datetime
    patient_no: int | None
    resource_type: TypeRessource | None
    reflex: bool
    orientation: str | None
    destination: str | None
    medical_transport: bool | None
    comment: str | None

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls.model_validate(d, from_attributes=True)


class StatusOut(BaseModel):
    seq: int
    state: Etat
    at: datetime
    actor: str
    reason: str


class HolderOut(BaseModel):
    account_id: UUID | None
    name: str
    since: datetime


class FileOut(BaseModel):
    number: str
    case_id: str
    samu_id: str
    version: int
    state: Etat
    step: str
    is_drm: bool
    call_id: str | None
    created_at: datetime
    opened_by: str
    planned_at: datetime | None
    activated_at: datetime | None
    close_due_at: datetime | None
    closed_at: datetime | None
    queued_at: datetime | None
    holder: HolderOut | None
    qualification: QualificationOut
    patients: list[PatientOut]
    notes: list[NoteOut]
    decisions: list[DecisionOut]
    history: list[StatusOut]
    timeline: list[TimelineItem]

    @classmethod
    def of(cls, file: RegulationFile) -> FileOut:
        q = file.qualification
        corrections: dict[int, list[int]] = {}
        for n in file.notes:
            if n.corrects is not None:
                corrections.setdefault(n.corrects, []).append(n.note_no)
        return cls(
            number=file.number,
            case_id=file.case_id,
            samu_id=file.samu_id,
            version=file.version,
            state=file.state,
            step=str(file.step),
            is_drm=file.is_drm,
            call_id=file.call_id,
            created_at=file.created_at,
            opened_by=file.opened_by,
            planned_at=file.planned_at,
            activated_at=file.activated_at,
            close_due_at=lifecycle.close_due_at(file),
            closed_at=file.closed_at,
            queued_at=file.queued_at,
            holder=HolderOut.model_validate(file.holder, from_attributes=True) if file.holder else None,
            qualification=QualificationOut(
                caller_name=q.caller_name,
                caller_phone=q.caller_phone,
                callback_phone=q.callback_phone,
                location=LocationOut.model_validate(q.location, from_attributes=True),
                commune_unverified=bool(q.location.commune_name and not q.location.commune_insee),
                motif=q.motif,
                motif_label=code_list("motif").label(q.motif) if q.motif else None,
                lieu=q.lieu,
                lieu_label=code_list("lieu").label(q.lieu) if q.lieu else None,
                priority=q.priority,
                attribution=q.attribution,
                caller_first_name=q.caller_first_name,
                caller_last_name=q.caller_last_name,
                caller_type=q.caller_type,
                caller_language=q.caller_language,
                caller_communication=q.caller_communication,
                caller_note=q.caller_note,
                received_at=q.received_at,
                alert_notes=[AlertNoteIn.model_validate(n) for n in q.alert_notes],
                fait=q.fait,
                fait_label=code_list("fait").label(q.fait) if q.fait else None,
                risques=list(q.risques),
                origine=q.origine,
                intervention=q.intervention,
                labels=dict(q.labels),
                additional=[CustomEntryIn.model_validate(e) for e in q.additional],
            ),
            patients=[PatientOut.of(p) for p in file.patients],
            notes=[NoteOut.of(n, corrections.get(n.note_no)) for n in file.notes],
            decisions=[DecisionOut.of(d) for d in file.decisions],
            history=[StatusOut.model_validate(h, from_attributes=True) for h in file.history],
            timeline=timeline(file),
        )
