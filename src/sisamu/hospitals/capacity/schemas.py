# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Request and response bodies of hospital availability (EDXL-HAVE names in the descriptions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from sisamu.hospitals.capacity.model import (
    BED_LABELS_FR,
    ED_LABELS_FR,
    FACILITY_LABELS_FR,
    HAVE_BED_TYPE,
    MAX_BEDS,
    PLAN_BLANC_LABELS_FR,
    BedType,
    EdStatus,
    FacilityStatus,
    PlanBlanc,
)
from sisamu.hospitals.capacity.service import HospitalState


class BedsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    available: int = Field(ge=0, le=MAX_BEDS, description="Free beds now (HAVE AvailableCount)")
    baseline: int | None = Field(
        default=None, ge=0, le=MAX_BEDS, description="Usual beds (HAVE BaselineCount)"
    )


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    beds: dict[BedType, BedsIn] = Field(default={}, description="By category; those left out are unchanged")
    ed_status: EdStatus | None = Field(default=None, description="Emergency department (HAVE EMS traffic)")
    facility_status: FacilityStatus | None = Field(default=None, description="HAVE FacilityStatus")
    plan_blanc: PlanBlanc | None = Field(default=None, description="0 none, 1 alert, 2 triggered")
    version: int | None = Field(default=None, ge=0, description="The version read; refused (409) if changed")


class BedsOut(BaseModel):
    available: int
    baseline: int | None
    label: str
    have_bed_type: str


class StatusOut(BaseModel):
    hospital_id: str
    name: str
    kind: str
    lat: float
    lon: float
    reported: bool
    stale: bool
    ed_status: str
    ed_label: str
    facility_status: str
    facility_label: str
    plan_blanc: int
    plan_blanc_label: str
    version: int
    updated_at: datetime | None
    updated_by: str | None
    beds: dict[str, BedsOut]

    @classmethod
    def of(cls, state: HospitalState) -> Self:
        h = state.hospital
        return cls(
            hospital_id=h.key,
            name=h.name,
            kind=h.kind,
            lat=h.lat,
            lon=h.lon,
            reported=state.reported,
            stale=state.stale,
            ed_status=state.ed_status,
            ed_label=ED_LABELS_FR[EdStatus(state.ed_status)],
            facility_status=state.facility_status,
            facility_label=FACILITY_LABELS_FR[FacilityStatus(state.facility_status)],
            plan_blanc=state.plan_blanc,
            plan_blanc_label=PLAN_BLANC_LABELS_FR[PlanBlanc(state.plan_blanc)],
            version=state.version,
            updated_at=state.updated_at,
            updated_by=state.updated_by,
            beds={
                kind: BedsOut(
                    available=beds.available,
                    baseline=beds.baseline,
                    label=BED_LABELS_FR[BedType(kind)],
                    have_bed_type=HAVE_BED_TYPE[BedType(kind)],
                )
                for kind, beds in sorted(state.beds.items())
            },
        )


class HistoryOut(BaseModel):
    version: int
    at: datetime
    author: str
    cause: str
    state: dict[str, Any]


class CodeOut(BaseModel):
    code: str
    label: str


class VocabularyOut(BaseModel):
    """The codes of the form, with their French labels."""

    bed_types: list[CodeOut]
    ed_statuses: list[CodeOut]
    facility_statuses: list[CodeOut]
    plan_blanc: list[CodeOut]
    stale_after_s: float


class CapacityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    free_beds: dict[str, int] = Field(min_length=1, max_length=20, description="Specialty → free beds now.")
    total_beds: dict[str, int] | None = Field(default=None, max_length=20)


class CapacityOut(BaseModel):
    hospital_id: str
    specialty: str
    free_beds: int
    total_beds: int | None
    updated_at: datetime
    updated_by: str
