# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Which unit to send and where to take the patient: pure ranking, no I/O, time passed in.

Eligibility by degree of urgency (`HubSante.niveauSoin`):
- **R1** vital emergency: a SMUR with a physician (crew MED): VLM, AR/UMH or HéliSMUR.
- **R2** true emergency: a SMUR team (with a physician, or paramedical), or an ambulance (private TSU ambulance
  or fire-service VSAV) whatever its crew; all are ranked together by travel time and the physician chooses (a
  SMUR when the assessment calls for a physician, the first ambulance otherwise).
- **R3** continuity of care: a private ambulance (TSU, VSL excluded: a seated transport). When none is
  available, fire-service VSAVs are proposed as a *carence ambulancière* (marked `carence=True`).
- **R4** advice or telephone prescription: nobody is sent.
Among the eligible available units, the `top` fastest by estimated travel time, each with the coverage its
departure leaves behind (population of the territory no other available unit of its kind reaches in 30 min;
kinds: SMUR with a physician, paramedical SMUR, private ambulance, VSAV).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from sisamu.domain.codes import NiveauSoin, TypeVecteur
from sisamu.geo.coverage import THRESHOLD_S, Coverage, reachable_units
from sisamu.geo.travel import VehicleClass, great_circle_m, nearest_first, vehicle_class

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import NDArray

    from sisamu.domain.ports import Point, TravelTimeEstimator
    from sisamu.geo.coverage import Demand
    from sisamu.hospitals.directory import HospitalDef

# Bounds of the speed as the crow flies, for the coverage pre-filter: no road vehicle drives faster than 150 km/h
# (the road graph's top speed; the straight-line estimator's VLM averages 106 km/h in air distance), no
# helicopter flies faster than 250 km/h.
MAX_AIR_SPEED_KMH = {VehicleClass.HELI.value: 250.0}
MAX_ROAD_SPEED_KMH = 150.0


class CrewLevel(StrEnum):
    MED = "MED"  # physician on board (SMUR)
    PARAMED = "PARAMED"  # nurse or paramedic crew
    SECOURS = "SECOURS"  # first-aid crew (ambulance drivers, firefighters)


class ResourceKind(StrEnum):
    """Units that replace one another for coverage."""

    SMUR = "SMUR"  # a SMUR team with a physician
    SMUR_PARAMED = "SMUR_PARAMED"  # a paramedical SMUR team (UMH-P: nurse, no physician)
    AMBULANCE = "AMBULANCE"  # private ambulance (TSU)
    VSAV = "VSAV"  # fire-service rescue ambulance
    OTHER = "OTHER"


def resource_kind(vehicle: TypeVecteur | str, crew: CrewLevel = CrewLevel.MED) -> ResourceKind:
    code = str(vehicle).upper()
    if code.startswith("SMUR"):
        return ResourceKind.SMUR if crew is CrewLevel.MED else ResourceKind.SMUR_PARAMED
    if code.startswith("TSU") and code != TypeVecteur.TSU_VSL:
        return ResourceKind.AMBULANCE
    if code in {TypeVecteur.SIS_VSAV, TypeVecteur.SIS}:
        return ResourceKind.VSAV
    return ResourceKind.OTHER


@dataclass(frozen=True, slots=True)
class ResourceSnapshot:
    id: str
    vehicle: str  # a `typeVecteur` code (`SMUR.VLM`, `TSU.AMB`, `SIS.VSAV`…)
    crew: CrewLevel
    available: bool
    lat: float
    lon: float
    base: str | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    resource: ResourceSnapshot
    travel_s: float
    air_distance_m: float
    eta: datetime | None  # now + travel time, when `now` was given
    # inhabitants left without a unit of this kind within 30 min; None when no territory was given
    coverage_loss: float | None
    carence: bool = False  # a VSAV proposed because no private ambulance is available (R3)


@dataclass(frozen=True, slots=True)
class HospitalChoice:
    hospital: HospitalDef
    travel_s: float
    air_distance_m: float
    beds_available: int | None  # None: the hospital has not reported its capacity


class Fleet:
    """Resource snapshots as arrays, built once per state of the fleet and ranked many times."""

    def __init__(self, resources: Sequence[ResourceSnapshot]) -> None:
        self.resources = tuple(resources)
        self.points = np.array([(r.lat, r.lon) for r in self.resources], dtype=np.float64).reshape(-1, 2)
        self.profiles = np.array([vehicle_class(r.vehicle).value for r in self.resources], dtype=object)
        self.kinds = np.array([resource_kind(r.vehicle, r.crew).value for r in self.resources], dtype=object)
        self.available = np.array([r.available for r in self.resources], dtype=bool)
        self._coverage: dict[tuple[str, Demand, float], tuple[Coverage, dict[int, int]]] = {}
        self._losses: dict[tuple[str, Demand, float], NDArray[np.float64]] = {}

    def eligible(self, level: NiveauSoin | str) -> tuple[NDArray[np.bool_], bool]:
        """Mask of available units eligible for this level, and whether they are a carence fallback."""
        smur = self.kinds == ResourceKind.SMUR
        paramedical = self.kinds == ResourceKind.SMUR_PARAMED
        ambulance = self.kinds == ResourceKind.AMBULANCE
        vsav = self.kinds == ResourceKind.VSAV
        match NiveauSoin(level):
            case NiveauSoin.R1:
                mask = smur
            case NiveauSoin.R2:
                mask = smur | paramedical | ambulance | vsav
            case NiveauSoin.R3:
                mask = ambulance & self.available
                if not mask.any():
                    return vsav & self.available, True
            case NiveauSoin.R4:
                mask = np.zeros(len(self.resources), dtype=bool)
        return mask & self.available, False

    def coverage(
        self,
        kind: ResourceKind,
        demand: Demand,
        estimator: TravelTimeEstimator,
        threshold_s: float = THRESHOLD_S,
    ) -> tuple[Coverage, dict[int, int]]:
        """Coverage of the territory by the available units of a kind, and fleet index → matrix row.

        Cached per (kind, demand, threshold): the fleet is a snapshot, rebuilt when a status or position changes.
        """
        key = (kind.value, demand, threshold_s)
        if key not in self._coverage:
            pool = np.flatnonzero(self.available & (self.kinds == kind.value))
            speeds = [MAX_AIR_SPEED_KMH.get(profile, MAX_ROAD_SPEED_KMH) for profile in self.profiles[pool]]
            reach = np.array(speeds) * (threshold_s / 3.6)
            near = pool[reachable_units(self.points[pool], demand, reach)]
            times = np.empty((near.size, demand.points.shape[0]))
            for profile in set(self.profiles[near].tolist()):
                rows = self.profiles[near] == profile
                times[rows] = estimator.matrix(self.points[near[rows]], demand.points, profile)
            rows_of = {int(index): row for row, index in enumerate(near)}
            self._coverage[key] = (Coverage(times, demand, threshold_s), rows_of)
        return self._coverage[key]

    def coverage_loss(
        self, index: int, demand: Demand, estimator: TravelTimeEstimator, threshold_s: float = THRESHOLD_S
    ) -> float:
        """Population of the territory left without a unit of its kind within the threshold if unit `index`
        (position in the fleet) leaves; 0 for a unit too far to cover any of it."""
        kind = ResourceKind(self.kinds[index])
        coverage, rows = self.coverage(kind, demand, estimator, threshold_s)
        key = (kind.value, demand, threshold_s)
        if key not in self._losses:
            self._losses[key] = coverage.losses()
        return float(self._losses[key][rows[index]]) if index in rows else 0.0

    def forget_coverage(self) -> None:
        """Drop the cached matrices (the benchmark's cold case; a live fleet is rebuilt on every change)."""
        self._coverage.clear()
        self._losses.clear()


def rank_resources(
    point: Point,
    level: NiveauSoin | str,
    fleet: Fleet | Sequence[ResourceSnapshot],
    estimator: TravelTimeEstimator,
    *,
    top: int = 5,
    now: datetime | None = None,
    demand: Demand | None = None,
    threshold_s: float = THRESHOLD_S,
) -> list[Recommendation]:
    """The `top` eligible available units by travel time to `point`; coverage loss when `demand` is given."""
    units = fleet if isinstance(fleet, Fleet) else Fleet(fleet)
    mask, carence = units.eligible(level)
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        return []
    times = np.empty(candidates.size)
    profiles = units.profiles[candidates]
    for profile in set(profiles.tolist()):
        rows = profiles == profile
        times[rows] = estimator.many(units.points[candidates[rows]], point, VehicleClass(profile))
    best = candidates[nearest_first(times, top)]
    best_times = times[nearest_first(times, top)]
    air = great_circle_m(units.points[best], np.asarray(point, dtype=np.float64))
    result = []
    for index, seconds, distance in zip(best.tolist(), best_times.tolist(), air.tolist(), strict=True):
        if not np.isfinite(seconds):
            continue
        loss = None if demand is None else units.coverage_loss(index, demand, estimator, threshold_s)
        result.append(
            Recommendation(
                resource=units.resources[index],
                travel_s=seconds,
                air_distance_m=distance,
                eta=now + timedelta(seconds=seconds) if now is not None else None,
                coverage_loss=loss,
                carence=carence,
            )
        )
    return result


def rank_hospitals(
    point: Point,
    specialty_needed: str,
    hospitals: Sequence[HospitalDef],
    beds: Mapping[str, Mapping[str, int]],
    estimator: TravelTimeEstimator,
    *,
    vehicle: TypeVecteur | VehicleClass | str = VehicleClass.AR,
    top: int = 5,
) -> list[HospitalChoice]:
    """Hospitals with the specialty, by travel time: those with a free bed first, then those that have not
    reported (`beds` has no figure), then the full ones. `beds[hospital key][specialty]` = free beds now."""
    eligible = [item for item in hospitals if specialty_needed in item.specialties]
    if not eligible:
        return []
    points = np.array([(item.lat, item.lon) for item in eligible], dtype=np.float64)
    times = estimator.many(points, point, vehicle)  # the same time both ways is assumed for a destination
    air = great_circle_m(points, np.asarray(point, dtype=np.float64))
    choices = []
    for item, seconds, distance in zip(eligible, times.tolist(), air.tolist(), strict=True):
        free = beds.get(item.key, {}).get(specialty_needed)
        choices.append(HospitalChoice(item, seconds, distance, free))

    def tier(choice: HospitalChoice) -> int:
        if choice.beds_available is None:
            return 1
        return 0 if choice.beds_available > 0 else 2

    choices.sort(key=lambda c: (tier(c), c.travel_s, -(c.beds_available or 0), c.hospital.key))
    return choices[:top]
