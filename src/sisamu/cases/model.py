"""The regulation file (DR/DRM) as a pure aggregate: qualification, patients, notes, decisions, status history.

Pure (standard library, `sisamu.domain`, the feature's value objects in `qualification` and `details`); time is
passed in. The rules that move the file live in
`sisamu.cases.lifecycle` (the `HubSante.etat` life-cycle) and `sisamu.cases.regulation` (queue, holder, R levels,
notes, decisions). Each rule records what it changed in `RegulationFile.changes`, which the store writes and the
service turns into live events and audit entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sisamu.cases.details import Hypothesis
from sisamu.cases.details import InvalidFile as InvalidFile  # noqa: PLC0414 - re-exported
from sisamu.cases.qualification import Qualification, clean_text
from sisamu.cases.qualification import normalize_phone as normalize_phone  # noqa: PLC0414 - re-exported
from sisamu.domain.codes import Etat, NiveauSoin, Priorite, TypeDecision, TypeRessource

if TYPE_CHECKING:
    from uuid import UUID

MAX_NOTE_LENGTH = 10_000
MAX_WEIGHT_KG = 500.0
MAX_HEIGHT_CM = 300.0
ORIENTATIONS = frozenset({"URGENCES", "REA-USI", "SANTE", "CABINET", "DOMICILE", "EPHAD", "AUTRE"})
SEXES = frozenset({"M", "F", "O", "UN"})
AGE_PATTERN = re.compile(r"^P[0-9]{1,3}[YMWD]$")
PHYSICIAN_ROLE = "regulator"


class RegulationStep(StrEnum):
    """Where the file stands in the regulation flow (independent of the `HubSante.etat` life-cycle)."""

    QUALIFYING = "QUALIFYING"  # with the ARM, not yet handed to a physician
    QUEUED = "QUEUED"  # in the SAMU's regulation queue
    DIRECT = "DIRECT"  # P0: handed straight to a physician, never waits in the ordinary queue
    HELD = "HELD"  # a physician holds it
    REGULATED = "REGULATED"  # released by the physician after regulation


CLOSED_STATES = frozenset({Etat.CLOTURE, Etat.CLASSE, Etat.ARCHIVE})
OPEN_STATES = frozenset({Etat.PROGRAM, Etat.ACTIF, Etat.ACHEVE, Etat.VALIDE})
PRIORITY_RANK: dict[Priorite, int] = {
    Priorite.P0: 0,
    Priorite.P1: 1,
    Priorite.P2: 2,
    Priorite.P3: 3,
    Priorite.NR: 4,
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on the file: a person (account id, display name, platform role) or the system (`id` None)."""

    account_id: UUID | None
    name: str
    role: str

    @property
    def is_physician(self) -> bool:
        return self.role == PHYSICIAN_ROLE

    @property
    def hub_role(self) -> str:
        """The Hub Santé operator role (`operator.role` of notes and decisions)."""
        return {"arm": "ARM", PHYSICIAN_ROLE: "MEDECIN"}.get(self.role, "AUTRE")


SYSTEM = Actor(account_id=None, name="system", role="system")


@dataclass(frozen=True, slots=True)
class Patient:
    patient_no: int
    last_name: str | None = None
    first_name: str | None = None
    birth_name: str | None = None
    birth_date: date | None = None
    age: str | None = None  # as the Hub writes it: P45Y, P6M, P3W, P10D
    sex: str | None = None  # HubSante.sexe: M, F, O, UN
    care_level: NiveauSoin | None = None  # R1–R4, set by the physician
    care_level_at: datetime | None = None
    care_level_by: str | None = None
    weight: float | None = None  # kg
    height: float | None = None  # cm
    hypothesis: Hypothesis | None = None  # the physician's diagnostic hypothesis

    def checked(self, today: date) -> Patient:
        if self.birth_date is not None and self.birth_date > today:
            raise InvalidFile(f"birth date in the future: {self.birth_date}")
        if self.age is not None and not AGE_PATTERN.fullmatch(self.age):
            raise InvalidFile(f"age must read like P45Y, P6M, P3W or P10D: {self.age!r}")
        if self.sex is not None and self.sex not in SEXES:
            raise InvalidFile(f"{self.sex!r} is not a code of HubSante.sexe")
        if self.weight is not None and not 0 < self.weight <= MAX_WEIGHT_KG:
            raise InvalidFile(f"weight out of range (kg): {self.weight}")
        if self.height is not None and not 0 < self.height <= MAX_HEIGHT_CM:
            raise InvalidFile(f"height out of range (cm): {self.height}")
        return replace(
            self,
            last_name=clean_text(self.last_name, "last name", 200),
            first_name=clean_text(self.first_name, "first name", 200),
            birth_name=clean_text(self.birth_name, "birth name", 200),
        )


IDENTITY_FIELDS = ("last_name", "first_name", "birth_name", "birth_date", "age", "sex")
PATIENT_FIELDS = (*IDENTITY_FIELDS, "weight", "height")  # what the ARM types about a patient


@dataclass(frozen=True, slots=True)
class Note:
    """A medical note: never changed nor removed; a correction is a new note naming the one it corrects."""

    note_no: int
    body: str
    author_id: UUID | None
    author: str
    role: str
    created_at: datetime
    patient_no: int | None = None
    corrects: int | None = None
    hub_id: str | None = None  # the Hub id a partner gave its note (kept when the file is shared on)


@dataclass(frozen=True, slots=True)
class Decision:
    decision_no: int
    kind: TypeDecision
    author_id: UUID | None
    author: str
    role: str
    created_at: datetime
    patient_no: int | None = None
    resource_type: TypeRessource | None = None  # INTER: what to send
    reflex: bool = False  # INTER sent by the ARM on a P0, before any physician
    orientation: str | None = None  # ORIENT: HubSante.typeOrientation (URGENCES, REA-USI…)
    destination: str | None = None  # ORIENT: FINESS number or free text
    medical_transport: bool | None = None
    comment: str | None = None  # the physician's words on the decision ("laissée sur place")


@dataclass(frozen=True, slots=True)
class StatusChange:
    seq: int
    state: Etat
    at: datetime
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class Holder:
    account_id: UUID | None
    name: str
    since: datetime


@dataclass(frozen=True, slots=True)
class PatientSaved:
    patient_no: int


@dataclass(frozen=True, slots=True)
class NoteAdded:
    note: Note


@dataclass(frozen=True, slots=True)
class DecisionRecorded:
    decision: Decision


@dataclass(frozen=True, slots=True)
class StateChanged:
    change: StatusChange


Change = PatientSaved | NoteAdded | DecisionRecorded | StateChanged


@dataclass
class RegulationFile:
    """The aggregate. `number` (`DRFR15…`) identifies it; `case_id` is the shared Hub Santé id."""

    samu_id: str
    number: str
    case_id: str
    state: Etat
    created_at: datetime
    opened_by: str
    qualification: Qualification = field(default_factory=Qualification)
    call_id: str | None = None
    planned_at: datetime | None = None
    activated_at: datetime | None = None
    closed_at: datetime | None = None
    step: RegulationStep = RegulationStep.QUALIFYING
    queued_at: datetime | None = None
    holder: Holder | None = None
    patients: list[Patient] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)
    version: int = 0
    changes: list[Change] = field(default_factory=list)

    @property
    def is_drm(self) -> bool:
        """A DR becomes a DRM once a physician is involved (holds or held it, or decided)."""
        return self.holder is not None or any(d.role == PHYSICIAN_ROLE for d in self.decisions)

    @property
    def closed(self) -> bool:
        return self.state in CLOSED_STATES

    def patient(self, patient_no: int) -> Patient:
        for patient in self.patients:
            if patient.patient_no == patient_no:
                return patient
        raise InvalidFile(f"file {self.number} has no patient {patient_no}")

    def note(self, note_no: int) -> Note:
        for note in self.notes:
            if note.note_no == note_no:
                return note
        raise InvalidFile(f"file {self.number} has no note {note_no}")

    def highest_care_level(self) -> NiveauSoin | None:
        levels = sorted(p.care_level for p in self.patients if p.care_level is not None)
        return levels[0] if levels else None

    def set_state(self, state: Etat, actor: Actor, now: datetime, reason: str) -> None:
        change = StatusChange(len(self.history) + 1, state, now, actor.name, reason)
        self.state = state
        self.history.append(change)
        self.changes.append(StateChanged(change))


def new_file(
    *,
    samu_id: str,
    number: str,
    case_id: str,
    actor: Actor,
    now: datetime,
    qualification: Qualification | None = None,
    call_id: str | None = None,
    planned_at: datetime | None = None,
    program: bool = False,
) -> RegulationFile:
    """A new file: ACTIF at once (a call was answered, or opened by hand), or PROGRAM for a planned transfer."""
    planned = program or planned_at is not None
    file = RegulationFile(
        samu_id=samu_id,
        number=number,
        case_id=case_id,
        state=Etat.PROGRAM if planned else Etat.ACTIF,
        created_at=now,
        opened_by=actor.name,
        qualification=(qualification or Qualification()).checked(),
        call_id=clean_text(call_id, "call id", 120),
        planned_at=planned_at,
        activated_at=None if planned else now,
    )
    reason = "planned" if planned else ("call answered" if call_id else "opened by hand")
    file.set_state(file.state, actor, now, reason)
    return file
