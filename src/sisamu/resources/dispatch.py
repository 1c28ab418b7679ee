# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Use cases of dispatch: which unit to send to a file, where to take the patient (free beds: `hospitals`).

Travel times come from the `TravelTimeEstimator` port: the straight-line estimator by default, a road graph
(`RoadEstimator`) when the `road_graph` setting names a `.npz` made by `sisamu geo import-pbf`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from sisamu.cases import service as cases
from sisamu.domain.codes import NiveauSoin
from sisamu.domain.errors import DomainError
from sisamu.domain.ports import TravelTimeEstimator
from sisamu.geo.coverage import Demand, territory_demand
from sisamu.geo.gazetteer import commune
from sisamu.hospitals.capacity import specialties
from sisamu.hospitals.directory import all_hospitals
from sisamu.resources import store
from sisamu.resources.completion import same_kind
from sisamu.resources.model import needed_level, snapshot
from sisamu.resources.recommend import Fleet, HospitalChoice, Recommendation, rank_hospitals, rank_resources
from sisamu.resources.service import local_now
from sisamu.security.roles import Principal
from sisamu.storage.tables import samu
from sisamu.storage.uow import UnitOfWork


class NoLocation(DomainError):
    """The file has neither a point nor a commune to rank units against."""

    code = "DOSSIER_NON_LOCALISE"
    summary_fr = "Le dossier n'a ni position ni commune : localisez-le d'abord."


@lru_cache(maxsize=16)
def demand_of(departement: str) -> Demand:
    return territory_demand([departement])


@dataclass(frozen=True, slots=True)
class FileRecommendation:
    number: str
    level: NiveauSoin
    point: tuple[float, float]
    units: list[Recommendation]
    names: dict[str, str]  # resource id → name
    resource_type: str | None = None  # the type ranked: asked, else the last decision's


def file_point(number: str, location: Any) -> tuple[float, float]:
    if location.lat is not None and location.lon is not None:
        return (float(location.lat), float(location.lon))
    if location.commune_insee:
        place = commune(location.commune_insee)
        return (place.lat, place.lon)
    raise NoLocation(f"file {number} has no location yet (point or commune)")


def recommend(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    now: datetime,
    estimator: TravelTimeEstimator,
    top: int = 5,
    level: NiveauSoin | None = None,
    with_coverage: bool = True,
    resource_type: str | None = None,
) -> FileRecommendation:
    """The `top` available units of the file's SAMU by travel time to the file, for the level its patients need
    (the most urgent R level; R1 for a P0 without one, else R2), each with ETA, distance and coverage loss.

    Only units of the resource type decided: `resource_type`, else the physician's last decision sending one (INTER
    SMUR ranks SMUR units, not a nearer VSAV). When none of that type is eligible at the level, the next levels
    (R2, R3) are tried, so that an ambulance decided for an R1 patient is still proposed."""
    file = cases.get_file(uow, principal=principal, number=number, now=now)  # checks access, audits the read
    point = file_point(number, file.qualification.location)
    wanted = level or needed_level((p.care_level for p in file.patients), file.qualification.priority)
    decided = resource_type or next(
        (str(d.resource_type) for d in reversed(file.decisions) if d.resource_type is not None), None
    )
    rows = store.resources_of(uow.conn, file.samu_id)
    if decided is not None:
        rows = [row for row in rows if same_kind(decided, row.resource_type)]
    local = local_now(uow, file.samu_id, now)
    fleet = Fleet([snapshot(row, local) for row in rows])
    demand = None
    if with_coverage:
        dept = uow.execute(select(samu.c.departement).where(samu.c.samu_id == file.samu_id)).scalar_one()
        demand = demand_of(dept)
    units = rank_resources(point, wanted, fleet, estimator, top=top, now=now, demand=demand)
    for fallback in (NiveauSoin.R2, NiveauSoin.R3) if decided is not None else ():
        if units or fallback <= wanted:
            continue
        wanted, units = (
            fallback,
            rank_resources(point, fallback, fleet, estimator, top=top, now=now, demand=demand),
        )
    names = {row.resource_id: row.name for row in rows}
    return FileRecommendation(number, wanted, point, units, names, decided)


def rank_destinations(
    uow: UnitOfWork,
    *,
    principal: Principal,
    number: str,
    specialty: str,
    now: datetime,
    estimator: TravelTimeEstimator,
    top: int = 5,
) -> list[HospitalChoice]:
    """Hospitals with the specialty by travel time from the file, free beds first (capacity as reported)."""
    file = cases.get_file(uow, principal=principal, number=number, now=now)
    point = file_point(number, file.qualification.location)
    candidates = [item for item in all_hospitals() if specialty in item.specialties]
    beds = specialties.free_beds_of(uow, [item.key for item in candidates])
    return rank_hospitals(point, specialty, candidates, beds, estimator, top=top)
