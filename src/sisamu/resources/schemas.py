# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Request and response bodies of the resources routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from sisamu.domain.codes import NiveauSoin, StatutVecteur
from sisamu.resources.mission import Availability, Mission, next_statuses
from sisamu.resources.recommend import HospitalChoice, Recommendation

_ID = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
_TEXT = Field(min_length=1, max_length=200)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DutySlotIn(_In):
    days: list[int] = Field(default=[0, 1, 2, 3, 4, 5, 6], min_length=1, max_length=7)
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class ResourceIn(_In):
    resource_id: str = _ID
    name: str = _TEXT
    resource_type: str = Field(
        max_length=24, description="HubSante.typeRessource (SMUR, TSU, SIS, LIBERAL.MG…)"
    )
    vehicle: str = Field(max_length=24, description="HubSante.typeVecteur (SMUR.VLM, TSU.AMB, SIS.VSAV…)")
    crew_level: str = Field(pattern=r"^(MED|PARAMED|SECOURS)$")
    base_lat: float = Field(ge=-90, le=90)
    base_lon: float = Field(ge=-180, le=180)
    base_id: str | None = Field(default=None, max_length=64)
    base_name: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    partner: bool = False
    duty: list[DutySlotIn] = Field(default=[], max_length=14)
    team_name: str | None = Field(default=None, max_length=200, description="The crew's name (Hub team.name)")
    crew_phone: str | None = Field(default=None, max_length=30, description="The crew's phone (Hub contact)")


class ResourcePatch(_In):
    availability: Availability | None = Field(default=None, description="AVAILABLE or UNAVAILABLE")
    crew_username: str | None = Field(default=None, max_length=120)
    duty: list[DutySlotIn] | None = Field(default=None, max_length=14)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    team_name: str | None = Field(default=None, max_length=200, description="empty text clears it")
    crew_phone: str | None = Field(default=None, max_length=30, description="empty text clears it")


class ResourceOut(BaseModel):
    samu_id: str
    resource_id: str
    name: str
    resource_type: str
    vehicle: str
    crew_level: str
    partner: bool
    company: str | None
    base_id: str | None
    base_name: str | None
    base_lat: float
    base_lon: float
    duty: list[dict[str, Any]]
    team_name: str | None
    crew_phone: str | None
    availability: str
    on_duty: bool
    status: str | None
    mission_id: int | None
    lat: float | None
    lon: float | None
    position_at: datetime | None
    has_crew_account: bool
    version: int

    @classmethod
    def of(cls, row: Any, *, on_duty: bool) -> Self:
        return cls(
            **{name: getattr(row, name) for name in cls.model_fields if hasattr(row, name)},
            on_duty=on_duty,
            has_crew_account=row.crew_account_id is not None,
        )


class StatusIn(_In):
    status: StatutVecteur
    at: datetime | None = Field(
        default=None, description="When it happened (the terminal's clock); default now."
    )


class PositionIn(_In):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: datetime | None = None
    speed_kmh: float | None = Field(default=None, ge=0, le=400)
    heading: float | None = Field(default=None, ge=0, le=360)


class PositionOut(BaseModel):
    at: datetime
    lat: float
    lon: float
    speed_kmh: float | None
    heading: float | None
    source: str


class EngageIn(_In):
    resource_id: str = _ID
    triggered: bool = Field(
        default=False,
        description="Triggered at once (départ réflexe, a partner's unit its own centre triggered): DECLENCHE",
    )


class StatusEntryOut(BaseModel):
    seq: int
    status: str
    at: datetime
    recorded_at: datetime
    source: str
    actor: str


class MissionOut(BaseModel):
    samu_id: str
    mission_id: int
    resource_id: str
    file_number: str
    status: str
    status_at: datetime
    version: int
    next: list[str] = Field(
        default=[], description="Statuses the cycle allows next, the usual one first (empty: mission over)"
    )
    history: list[StatusEntryOut] = []

    @classmethod
    def of(cls, item: Mission) -> Self:
        return cls(
            samu_id=item.samu_id,
            mission_id=item.mission_id,
            resource_id=item.resource_id,
            file_number=item.file_number,
            status=str(item.status),
            status_at=item.status_at,
            version=item.version,
            next=[str(s) for s in next_statuses(item.status)],
            history=[
                StatusEntryOut(
                    seq=e.seq,
                    status=str(e.status),
                    at=e.at,
                    recorded_at=e.recorded_at,
                    source=str(e.source),
                    actor=e.actor,
                )
                for e in item.history
            ],
        )

    @classmethod
    def of_row(cls, row: Any) -> Self:
        return cls(
            samu_id=row.samu_id,
            mission_id=row.mission_id,
            resource_id=row.resource_id,
            file_number=row.file_number,
            status=row.status,
            status_at=row.status_at,
            version=row.version,
            next=[str(s) for s in next_statuses(row.status)],
        )


class CrewMissionOut(MissionOut):
    """A mission as the crew terminal shows it: where to go, why, how urgent, and where to take the patient."""

    address: str | None
    commune: str | None
    lat: float | None
    lon: float | None
    directions: str | None = None  # how to find the place ("the garage at the back")
    priority: str | None = None  # HubSante.priorite of the file
    motif: str | None = None
    motif_label: str | None = None
    destination: str | None = None  # the last orientation decided (ORIENT), when there is one
    patients: list[int] = []  # the file's patient numbers, for the bilan
    unit_name: str | None = None


class CrewUnitOut(BaseModel):
    """A unit the crew account works on: no patient data."""

    resource_id: str
    name: str
    vehicle: str
    availability: str
    status: str | None
    mission_id: int | None
    lat: float | None
    lon: float | None


class MessageIn(_In):
    body: str = Field(min_length=1, max_length=2000)


class MessageOut(BaseModel):
    message_id: int
    file_number: str
    mission_id: int
    resource_id: str
    direction: str
    body: str
    author: str
    at: datetime

    @classmethod
    def of(cls, row: Any) -> Self:
        return cls(**{name: getattr(row, name) for name in cls.model_fields})


class RecommendationOut(BaseModel):
    resource_id: str
    name: str
    vehicle: str
    crew_level: str
    travel_s: float
    eta: datetime | None
    air_distance_m: float
    coverage_loss: float | None = Field(
        description="Inhabitants of the territory no other available unit of this kind reaches in 30 min."
    )
    carence: bool

    @classmethod
    def of(cls, item: Recommendation, name: str) -> Self:
        return cls(
            resource_id=item.resource.id,
            name=name,
            vehicle=item.resource.vehicle,
            crew_level=str(item.resource.crew),
            travel_s=round(item.travel_s, 1),
            eta=item.eta,
            air_distance_m=round(item.air_distance_m, 1),
            coverage_loss=item.coverage_loss,
            carence=item.carence,
        )


class RecommendationsOut(BaseModel):
    file_number: str
    level: NiveauSoin
    resource_type: str | None = None  # the type ranked (the decision's), None: every type eligible
    lat: float
    lon: float
    units: list[RecommendationOut]


class HospitalChoiceOut(BaseModel):
    hospital_id: str
    name: str
    lat: float
    lon: float
    travel_s: float
    air_distance_m: float
    beds_available: int | None

    @classmethod
    def of(cls, choice: HospitalChoice) -> Self:
        h = choice.hospital
        return cls(
            hospital_id=h.key,
            name=h.name,
            lat=h.lat,
            lon=h.lon,
            travel_s=round(choice.travel_s, 1),
            air_distance_m=round(choice.air_distance_m, 1),
            beds_available=choice.beds_available,
        )
