# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Request and response bodies of the allocation assistant."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sisamu.hospitals.allocation.model import Need, Triage
from sisamu.hospitals.capacity.model import BedType

_VICTIM_ID = Field(
    min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$", description="SINUS number or id"
)
MAX_VICTIMS = 5000


class VictimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    victim_id: str = _VICTIM_ID
    triage: Triage
    needs: list[Need] = Field(default=[], max_length=len(Need))
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ProposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    victims: list[VictimIn] = Field(min_length=1, max_length=MAX_VICTIMS)


class PlacementOut(BaseModel):
    victim_id: str
    triage: Triage
    hospital_id: str
    hospital_name: str
    bed_type: BedType
    travel_s: float
    stale: bool  # the hospital's figures are older than the setting


class UnplacedOut(BaseModel):
    victim_id: str
    reason: str


class ProposalOut(BaseModel):
    placements: list[PlacementOut]
    unplaced: list[UnplacedOut]


class ChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    victim_id: str = _VICTIM_ID
    triage: Triage
    hospital_id: str = Field(min_length=1, max_length=64)
    bed_type: BedType
    travel_s: float | None = Field(default=None, ge=0)


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allocations: list[ChoiceIn] = Field(min_length=1, max_length=MAX_VICTIMS)


class AllocationOut(BaseModel):
    victim_id: str
    hospital_id: str
    bed_type: str
    triage: str
    travel_s: float | None
    decided_at: datetime
    decided_by: str
