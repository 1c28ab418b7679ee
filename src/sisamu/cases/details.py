"""What a file holds beyond its core qualification, as the Hub Santé RS-EDA carries it: the street, the access
to the place, the place's official ids, the alert's notes, extra information, a patient's diagnoses.

Pure value objects with their checks (standard library and `sisamu.domain` only), plus their JSON form for the
JSONB columns (`as_json` / `*_of`, keys in snake case; the Hub's names are the interop feature's business).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from sisamu.domain.errors import DomainError

MAX_DETAIL_LENGTH = 500
MAX_CUSTOM_ENTRIES = 3  # additionalInformation.customMap
MAX_ALERT_NOTES = 20
MAX_LIST = 10
EXTERNAL_ID_SOURCES = frozenset({"FINESS_ADMINISTRATIF", "FINESS_GEOGRAPHIQUE", "SIREN", "SIRET", "APE_NAF"})
EXTERNAL_ID_PATTERN = re.compile(r"^([0-9A-Z]{2}0\d{5}\d|\d{9}|\d{14}|\d{4}[A-Za-z])$")
DIAGNOSIS_PATTERN = re.compile(r"^[A-Z]\d{2}(\.[\d+\-]{1,3})?$")  # CIM-10 (ICD-10), as the Hub writes it
ACCESS_PHONE_PATTERN = re.compile(r"^\+\d{5,18}$")


class InvalidFile(DomainError):
    """A value given for the file breaks a rule (unknown code, malformed phone number, missing field…)."""

    code = "DOSSIER_INVALIDE"
    summary_fr = "Valeur refusée pour le dossier (code inconnu, numéro mal formé ou champ manquant)."


def clean(value: str | None, what: str, limit: int = MAX_DETAIL_LENGTH) -> str | None:
    """Trimmed text, None when empty; InvalidFile when longer than `limit`."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise InvalidFile(f"{what} is longer than {limit} characters")
    return text or None


@dataclass(frozen=True, slots=True)
class Street:
    """The way of an address (`wayName`): `complete` as written, its type (rue, boulevard…) and name."""

    complete: str
    type: str | None = None
    name: str | None = None

    def checked(self) -> Street | None:
        complete = clean(self.complete, "street")
        if complete is None:
            return None
        return Street(complete, clean(self.type, "street type", 50), clean(self.name, "street name"))


@dataclass(frozen=True, slots=True)
class Access:
    """How to reach the patient inside the place (`location.access`)."""

    floor: str | None = None
    room_number: str | None = None
    interphone: str | None = None
    access_codes: tuple[str, ...] = ()
    elevator: str | None = None
    building_name: str | None = None
    entrance: str | None = None
    entity: str | None = None
    phone: str | None = None  # +33…, the place's own number

    def checked(self) -> Access | None:
        if self.phone is not None and not ACCESS_PHONE_PATTERN.fullmatch(self.phone):
            raise InvalidFile(f"the place's phone number reads +<digits>: {self.phone!r}")
        if len(self.access_codes) > MAX_LIST:
            raise InvalidFile(f"at most {MAX_LIST} access codes")
        values: dict[str, Any] = {
            f.name: clean(getattr(self, f.name), f.name, 100)
            for f in fields(self)
            if f.name != "access_codes"
        }
        codes = tuple(c for c in (clean(c, "access code", 50) for c in self.access_codes) if c)
        access = Access(**values, access_codes=codes)
        return None if access == Access() else access


@dataclass(frozen=True, slots=True)
class ExternalId:
    """An official id of the place (`externalLocationId`): FINESS, SIREN, SIRET or APE/NAF code."""

    source: str
    value: str

    def checked(self) -> ExternalId:
        if self.source not in EXTERNAL_ID_SOURCES:
            raise InvalidFile(
                f"{self.source!r} is not a place id source ({', '.join(sorted(EXTERNAL_ID_SOURCES))})"
            )
        value = self.value.strip()
        if not EXTERNAL_ID_PATTERN.fullmatch(value):
            raise InvalidFile(f"not a FINESS, SIREN, SIRET or APE code: {self.value!r}")
        return ExternalId(self.source, value)


@dataclass(frozen=True, slots=True)
class AlertNote:
    """A note taken when the alert came in (`initialAlert.notes`), before any patient is known."""

    text: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CustomEntry:
    """One entry of the file's additional information (`additionalInformation.customMap`): key, value…"""

    key: str
    value: str
    label: str | None = None
    freetext: str | None = None

    def checked(self) -> CustomEntry:
        key, value = clean(self.key, "key", 100), clean(self.value, "value")
        if key is None or value is None:
            raise InvalidFile("additional information needs a key and a value")
        return CustomEntry(key, value, clean(self.label, "label"), clean(self.freetext, "free text"))


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A CIM-10 (ICD-10) code with its label, as the physician states it."""

    code: str
    label: str

    def checked(self) -> Diagnosis:
        code = self.code.strip()
        if not DIAGNOSIS_PATTERN.fullmatch(code):
            raise InvalidFile(f"not a CIM-10 code: {self.code!r}")
        label = clean(self.label, "diagnosis label")
        if label is None:
            raise InvalidFile(f"diagnosis {code} needs a label")
        return Diagnosis(code, label)


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """The physician's diagnostic hypothesis for a patient: a main diagnosis and others."""

    main: Diagnosis | None = None
    others: tuple[Diagnosis, ...] = ()

    def checked(self) -> Hypothesis | None:
        if len(self.others) > MAX_LIST:
            raise InvalidFile(f"at most {MAX_LIST} other diagnoses")
        hypothesis = Hypothesis(
            self.main.checked() if self.main else None, tuple(d.checked() for d in self.others)
        )
        return None if hypothesis == Hypothesis() else hypothesis


# --- from plain data (API payloads, JSONB) ----------------------------------------------------------------------


def street_of(data: Street | Mapping[str, Any] | None) -> Street | None:
    return Street(**data) if isinstance(data, Mapping) else data


def access_of(data: Access | Mapping[str, Any] | None) -> Access | None:
    if not isinstance(data, Mapping):
        return data
    return Access(**{**data, "access_codes": tuple(data.get("access_codes") or ())})


def external_ids_of(data: Sequence[ExternalId | Mapping[str, Any]] | None) -> tuple[ExternalId, ...]:
    return tuple(ExternalId(**i) if isinstance(i, Mapping) else i for i in data or ())


def alert_notes_of(data: Sequence[AlertNote | Mapping[str, Any]] | None) -> tuple[AlertNote, ...]:
    notes = []
    for item in data or ():
        if isinstance(item, Mapping):
            at = item.get("at")
            notes.append(
                AlertNote(str(item["text"]), datetime.fromisoformat(at) if isinstance(at, str) else at)
            )
        else:
            notes.append(item)
    return tuple(notes)


def custom_entries_of(data: Sequence[CustomEntry | Mapping[str, Any]] | None) -> tuple[CustomEntry, ...]:
    return tuple(CustomEntry(**i) if isinstance(i, Mapping) else i for i in data or ())


def hypothesis_of(data: Hypothesis | Mapping[str, Any] | None) -> Hypothesis | None:
    if not isinstance(data, Mapping):
        return data
    main = data.get("main")
    return Hypothesis(
        Diagnosis(**main) if isinstance(main, Mapping) else main,
        tuple(Diagnosis(**d) if isinstance(d, Mapping) else d for d in data.get("others") or ()),
    )


def checked_alert_notes(notes: tuple[AlertNote, ...]) -> tuple[AlertNote, ...]:
    if len(notes) > MAX_ALERT_NOTES:
        raise InvalidFile(f"at most {MAX_ALERT_NOTES} alert notes")
    kept = []
    for note in notes:
        text = clean(note.text, "alert note", 10_000)
        if text:
            kept.append(replace(note, text=text))
    return tuple(kept)


def checked_custom_entries(entries: tuple[CustomEntry, ...]) -> tuple[CustomEntry, ...]:
    if len(entries) > MAX_CUSTOM_ENTRIES:
        raise InvalidFile(f"at most {MAX_CUSTOM_ENTRIES} additional information entries")
    return tuple(e.checked() for e in entries)


def as_json(value: Any) -> Any:
    """A value object (or tuple of them) as JSON data for a JSONB column; datetimes in ISO 8601."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return [as_json(v) for v in value]
    data = asdict(value)
    return _iso(data)


def _iso(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _iso(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_iso(v) for v in data]
    return data.isoformat() if isinstance(data, datetime) else data
