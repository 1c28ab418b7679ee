"""The regulation file (DR/DRM) as a pure aggregate: qualification, patients, notes, decisions, status history.

Standard library and `sisamu.domain` only; time is passed in. The rules that move the file live in
`sisamu.cases.lifecycle` (the `HubSante.etat` life-cycle) and `sisamu.cases.regulation` (queue, holder, R levels,
notes, decisions). Each rule records what it changed in `RegulationFile.changes`, which the store writes and the
service turns into live events and audit entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sisamu.cases.details import (
    Access,
    AlertNote,
    CustomEntry,
    ExternalId,
    Hypothesis,
    Street,
    access_of,
    alert_notes_of,
    checked_alert_notes,
    checked_custom_entries,
    clean,
    custom_entries_of,
    external_ids_of,
    street_of,
)
from sisamu.cases.details import InvalidFile as InvalidFile  # noqa: PLC0414 - re-exported
from sisamu.domain.codes import (
    Attribution,
    Etat,
    NiveauSoin,
    Priorite,
    TypeDecision,
    TypeRessource,
    code_list,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from uuid import UUID

MAX_NOTE_LENGTH = 10_000
MAX_TEXT_LENGTH = 500
MAX_WEIGHT_KG = 500.0
MAX_HEIGHT_CM = 300.0
MAX_RISKS = 10
MAX_PLACE_IDS = 5
PRECISIONS = frozenset({"VILLE", "RUE", "ADRESSE", "EXACTE", "INCONNUE"})
ORIENTATIONS = frozenset({"URGENCES", "REA-USI", "SANTE", "CABINET", "DOMICILE", "EPHAD", "AUTRE"})
SEXES = frozenset({"M", "F", "O", "UN"})
AGE_PATTERN = re.compile(r"^P[0-9]{1,3}[YMWD]$")
INSEE_PATTERN = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
_PHONE_PATTERN = re.compile(r"^\+?[0-9]{2,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_FRENCH_NATIONAL_LENGTH = 10
PHYSICIAN_ROLE = "regulator"
LATITUDE_LIMIT = 90.0
LONGITUDE_LIMIT = 180.0


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


def normalize_phone(raw: str | None) -> str | None:
    """A phone number as stored and searched: `06 12 34 56 78` → `+33612345678`, `0044…` → `+44…`.

    Short numbers (`15`, `3624`) are kept as digits. Raises InvalidFile for anything that is not a number.
    """
    if raw is None or not raw.strip():
        return None
    text = _PHONE_SEPARATORS.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("0") and len(text) == _FRENCH_NATIONAL_LENGTH:
        text = "+33" + text[1:]
    if not _PHONE_PATTERN.fullmatch(text):
        raise InvalidFile(f"not a phone number: {raw!r}")
    return text


def _clean_text(value: str | None, what: str, limit: int = MAX_TEXT_LENGTH) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > limit:
        raise InvalidFile(f"{what} is longer than {limit} characters")
    return text or None


def check_code(list_name: str, code: str | None) -> str | None:
    """`code` if it belongs to `HubSante.<list_name>` (None passes), else InvalidFile naming the list."""
    if code is None:
        return None
    if code not in code_list(list_name):
        raise InvalidFile(f"{code!r} is not a code of HubSante.{list_name}")
    return code


@dataclass(frozen=True, slots=True)
class Location:
    address: str | None = None
    commune_insee: str | None = None
    commune_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None  # HubSante.precision: VILLE, RUE, ADRESSE, EXACTE, INCONNUE
    aml: bool | None = False  # the point comes from the caller's handset (AML); None: not said (a partner's)
    number: str | None = None  # the address's number (12, 12 bis)
    street: Street | None = None
    name: str | None = None  # the place's name (a shop, a company, a campsite)
    directions: str | None = None  # how to find it ("the garage at the back")
    access: Access | None = None
    external_ids: tuple[ExternalId, ...] = ()  # FINESS, SIRET… of the place
    point_at: datetime | None = None  # when the point was taken (an AML fix, a geocoding)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Location:
        """From plain data (an API payload or a partner's mapped body)."""
        data = dict(values)
        data["street"] = street_of(data.get("street"))
        data["access"] = access_of(data.get("access"))
        data["external_ids"] = external_ids_of(data.get("external_ids"))
        return cls(**data)

    def checked(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise InvalidFile("a point needs both latitude and longitude")
        if self.lat is not None and not -LATITUDE_LIMIT <= self.lat <= LATITUDE_LIMIT:
            raise InvalidFile(f"latitude out of range: {self.lat}")
        if self.lon is not None and not -LONGITUDE_LIMIT <= self.lon <= LONGITUDE_LIMIT:
            raise InvalidFile(f"longitude out of range: {self.lon}")
        if self.precision is not None and self.precision not in PRECISIONS:
            raise InvalidFile(f"{self.precision!r} is not a code of HubSante.precision")
        if self.aml and self.lat is None:
            raise InvalidFile("an AML location needs a point")
        if self.commune_insee is not None and not INSEE_PATTERN.fullmatch(self.commune_insee):
            raise InvalidFile(f"not an INSEE commune code: {self.commune_insee!r}")
        if self.point_at is not None and self.lat is None:
            raise InvalidFile("a point's time needs a point")
        if len(self.external_ids) > MAX_PLACE_IDS:
            raise InvalidFile(f"at most {MAX_PLACE_IDS} ids for the place")
        return replace(
            self,
            address=_clean_text(self.address, "address"),
            commune_name=_clean_text(self.commune_name, "commune name"),
            number=clean(self.number, "address number", 20),
            street=self.street.checked() if self.street else None,
            name=clean(self.name, "place name"),
            directions=clean(self.directions, "directions", 2_000),
            access=self.access.checked() if self.access else None,
            external_ids=tuple(i.checked() for i in self.external_ids),
        )


@dataclass(frozen=True, slots=True)
class Qualification:
    """What the ARM records: caller, alert, location, what happened, reason, place type, priority, attribution."""

    caller_name: str | None = None  # as said, "Marie Dubois"
    caller_phone: str | None = None
    callback_phone: str | None = None
    location: Location = field(default_factory=Location)
    motif: str | None = None  # HubSante.motif
    lieu: str | None = None  # HubSante.lieu
    priority: Priorite = Priorite.P2
    attribution: Attribution | None = None
    caller_first_name: str | None = None
    caller_last_name: str | None = None
    caller_type: str | None = None  # HubSante.typeAppelant: SUJET, FAMILLE, TIERS…
    caller_language: str | None = None  # HubSante.langue (ISO 639-1): fr, en…
    caller_communication: str | None = None  # HubSante.communication: AUCUNE, MUET, LANGUE…
    caller_note: str | None = None  # who the caller is to the patient ("fils de la victime")
    received_at: datetime | None = None  # when the alert came in (the call), before the file was opened
    alert_notes: tuple[AlertNote, ...] = ()
    fait: str | None = None  # HubSante.fait (CISU): what happened
    risques: tuple[str, ...] = ()  # HubSante.risque: threats on the scene
    origine: str | None = None  # HubSante.origine: where the alert came from (15, 112, CTA-PI…)
    intervention: str | None = None  # HubSante.intervention: T1 primary, T2 secondary…
    labels: Mapping[str, str] = field(default_factory=dict)  # a code's wording as given (a partner's)
    additional: tuple[CustomEntry, ...] = ()  # additional information (key, value)

    def checked(self) -> Qualification:
        if len(self.risques) > MAX_RISKS:
            raise InvalidFile(f"at most {MAX_RISKS} risks")
        risques = tuple(dict.fromkeys(str(check_code("risque", r)) for r in self.risques))
        checked = replace(
            self,
            caller_name=_clean_text(self.caller_name, "caller name"),
            caller_phone=normalize_phone(self.caller_phone),
            callback_phone=normalize_phone(self.callback_phone),
            location=self.location.checked(),
            motif=check_code("motif", self.motif),
            lieu=check_code("lieu", self.lieu),
            priority=Priorite(self.priority),
            attribution=Attribution(self.attribution) if self.attribution is not None else None,
            caller_first_name=clean(self.caller_first_name, "caller first name", 200),
            caller_last_name=clean(self.caller_last_name, "caller last name", 200),
            caller_type=check_code("typeAppelant", self.caller_type),
            caller_language=check_code("langue", self.caller_language),
            caller_communication=check_code("communication", self.caller_communication),
            caller_note=clean(self.caller_note, "caller note"),
            alert_notes=checked_alert_notes(self.alert_notes),
            fait=check_code("fait", self.fait),
            risques=risques,
            origine=check_code("origine", self.origine),
            intervention=check_code("intervention", self.intervention),
            additional=checked_custom_entries(self.additional),
        )
        return replace(checked, labels=_labels(checked, self.labels))

    def codes(self) -> tuple[str, ...]:
        """The nomenclature codes of the file that carry a label (reason, place, what happened, risks)."""
        return tuple(c for c in (self.motif, self.lieu, self.fait, *self.risques) if c)

    def with_changes(self, changes: Mapping[str, Any]) -> Qualification:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise InvalidFile(f"unknown qualification fields: {', '.join(sorted(unknown))}")
        values = dict(changes)
        if isinstance(values.get("location"), dict):
            values["location"] = Location.of(values["location"])
        if "alert_notes" in values:
            values["alert_notes"] = alert_notes_of(values["alert_notes"])
        if "additional" in values:
            values["additional"] = custom_entries_of(values["additional"])
        for key in ("risques",):
            if key in values:
                values[key] = tuple(values[key] or ())
        if "labels" in values:
            values["labels"] = dict(values["labels"] or {})
        if values.get("priority") is None:
            values.pop("priority", None)
        return replace(self, **values).checked()


def _labels(q: Qualification, labels: Mapping[str, str]) -> dict[str, str]:
    """The wording kept for the file's codes: a label whose code the file no longer uses is dropped."""
    used = set(q.codes())
    kept = {}
    for code, label in labels.items():
        text = clean(label, f"label of {code}")
        if code in used and text:
            kept[code] = text
    return kept


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
            last_name=_clean_text(self.last_name, "last name", 200),
            first_name=_clean_text(self.first_name, "first name", 200),
            birth_name=_clean_text(self.birth_name, "birth name", 200),
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
        call_id=_clean_text(call_id, "call id", 120),
        planned_at=planned_at,
        activated_at=None if planned else now,
    )
    reason = "planned" if planned else ("call answered" if call_id else "opened by hand")
    file.set_state(file.state, actor, now, reason)
    return file
