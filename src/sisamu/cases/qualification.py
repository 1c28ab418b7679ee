"""What the ARM records on a file (`Qualification`): the caller, the alert, the location (`Location`), what
happened, the reason, the place type, priority and attribution — values checked against the Hub Santé lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sisamu.cases.details import (
    Access,
    AlertNote,
    CustomEntry,
    ExternalId,
    InvalidFile,
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
from sisamu.domain.codes import Attribution, Priorite, code_list

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_TEXT_LENGTH = 500
MAX_RISKS = 10
MAX_PLACE_IDS = 5
PRECISIONS = frozenset({"VILLE", "RUE", "ADRESSE", "EXACTE", "INCONNUE"})
INSEE_PATTERN = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
_PHONE_PATTERN = re.compile(r"^\+?[0-9]{2,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_FRENCH_NATIONAL_LENGTH = 10
LATITUDE_LIMIT = 90.0
LONGITUDE_LIMIT = 180.0


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


def clean_text(value: str | None, what: str, limit: int = MAX_TEXT_LENGTH) -> str | None:
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
            address=clean_text(self.address, "address"),
            commune_name=clean_text(self.commune_name, "commune name"),
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
    priority: Priorite | None = None  # not pre-set: the ARM chooses it
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
            caller_name=clean_text(self.caller_name, "caller name"),
            caller_phone=normalize_phone(self.caller_phone),
            callback_phone=normalize_phone(self.callback_phone),
            location=self.location.checked(),
            motif=check_code("motif", self.motif),
            lieu=check_code("lieu", self.lieu),
            priority=Priorite(self.priority) if self.priority is not None else None,
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
