"""API bodies (pydantic) of a file's details carried by RS-EDA: street, access, place ids, alert notes,
additional information, diagnoses. Checked again by the model (`sisamu.cases.details`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sisamu.cases.details import (
    ACCESS_PHONE_PATTERN,
    DIAGNOSIS_PATTERN,
    EXTERNAL_ID_PATTERN,
    MAX_ALERT_NOTES,
    MAX_CUSTOM_ENTRIES,
    MAX_DETAIL_LENGTH,
    MAX_LIST,
)

Short = Field(default=None, max_length=100)
Detail = Field(default=None, max_length=MAX_DETAIL_LENGTH)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class StreetIn(_Strict):
    complete: str = Field(
        min_length=1, max_length=MAX_DETAIL_LENGTH, description="as written: Rue des Marins"
    )
    type: str | None = Field(default=None, max_length=50, description="rue, boulevard, chemin…")
    name: str | None = Detail


class AccessIn(_Strict):
    floor: str | None = Short
    room_number: str | None = Short
    interphone: str | None = Short
    access_codes: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    elevator: str | None = Short
    building_name: str | None = Short
    entrance: str | None = Short
    entity: str | None = Short
    phone: str | None = Field(default=None, pattern=ACCESS_PHONE_PATTERN.pattern, description="+33…")


class ExternalIdIn(_Strict):
    source: Literal["FINESS_ADMINISTRATIF", "FINESS_GEOGRAPHIQUE", "SIREN", "SIRET", "APE_NAF"]
    value: str = Field(pattern=EXTERNAL_ID_PATTERN.pattern)


class AlertNoteIn(_Strict):
    text: str = Field(min_length=1, max_length=10_000)
    at: datetime | None = None


class CustomEntryIn(_Strict):
    key: str = Field(min_length=1, max_length=100)
    value: str = Field(min_length=1, max_length=MAX_DETAIL_LENGTH)
    label: str | None = Detail
    freetext: str | None = Detail


class DiagnosisIn(_Strict):
    code: str = Field(pattern=DIAGNOSIS_PATTERN.pattern, description="CIM-10 (ICD-10), e.g. I64, T58")
    label: str = Field(min_length=1, max_length=MAX_DETAIL_LENGTH)


class HypothesisIn(_Strict):
    """The physician's diagnostic hypothesis for a patient; `null` body fields clear it."""

    main: DiagnosisIn | None = None
    others: list[DiagnosisIn] = Field(default_factory=list, max_length=MAX_LIST)


ALERT_NOTES = Field(default=None, max_length=MAX_ALERT_NOTES)
CUSTOM_ENTRIES = Field(default=None, max_length=MAX_CUSTOM_ENTRIES)
