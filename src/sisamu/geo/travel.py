# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Travel times: the embedded default of the `TravelTimeEstimator` port (`domain.ports`), a calibrated straight-line estimator.

Points are `(lat, lon)` in WGS84 degrees; arrays of points have shape `(n, 2)` in the same order. Times are in
seconds. Vehicles are Hub Santé `typeVecteur` codes (`SMUR.VLM`…) or the short names `VLM`, `AR`, `UMH`, `VSAV`,
`TSU`, `HELI`, `CAR`; `vehicle_class()` maps them to the handful of speed profiles below.

The straight-line model (every figure an assumption, stated in `docs/dispatch.md`):
- road distance = great-circle distance × `ROAD_DETOUR` (1.3). Measured circuity factors are 1.2–1.4 for
  national road networks (Ballou, Rahardja & Sakai 2002, "Selected country circuity factors for road travel
  distance estimation", Transportation Research A 36(9)); 1.417 on average from US homes to their hospital
  (Boscoe, Henry & Zdeb 2012, The Professional Geographer 64(2)), higher over short trips. 1.3 is our assumption
  for France, between the two;
- the first `NEAR_KM` (10 km) of road distance at `near_kmh` (towns, villages, secondary roads), the rest at
  `far_kmh` (main roads and motorways); a private car at legal speeds averages 35 then 110 km/h, which gives
  Paris–Lyon in about 4 h 45 (motorway: 465 km, 4 h 30 by the usual route planners);
- emergency vehicles with lights and siren are faster by a factor per vehicle (`EMERGENCY_FACTOR`);
- helicopters fly the great-circle distance at 230 km/h cruise (EC135/H135, the usual HéliSMUR airframe, cruises
  at 230–250 km/h) plus 10 minutes of start-up, take-off, approach and landing (`HELI_OVERHEAD_S`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from sisamu.domain.codes import TypeVecteur
from sisamu.domain.ports import Point

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
ROAD_DETOUR = 1.3
NEAR_KM = 10.0
HELI_CRUISE_KMH = 230.0
HELI_OVERHEAD_S = 600.0


class VehicleClass(StrEnum):
    """Speed profiles: a few classes cover every `typeVecteur` that drives or flies to a patient."""

    VLM = "VLM"  # SMUR light medical car (physician, nurse, driver)
    AR = "AR"  # SMUR ambulance, AR/UMH (unité mobile hospitalière)
    VSAV = "VSAV"  # fire-service rescue ambulance
    TSU = "TSU"  # private ambulance (transport sanitaire urgent)
    HELI = "HELI"  # HéliSMUR and other medical helicopters
    CAR = "CAR"  # any other car at legal speeds (GP, own vehicle): the reference profile


# Average road speeds (km/h) of a car at legal speeds, before the emergency factor: (near, far).
CAR_SPEEDS_KMH = (35.0, 110.0)
# Gain of a vehicle driving with lights and siren over the legal-speed car (assumptions: a light car gains most;
# a heavy ambulance with a patient on board or a fire-service VSAV less; a private ambulance gains little).
EMERGENCY_FACTOR: dict[VehicleClass, float] = {
    VehicleClass.VLM: 1.25,
    VehicleClass.AR: 1.15,
    VehicleClass.VSAV: 1.15,
    VehicleClass.TSU: 1.1,
    VehicleClass.CAR: 1.0,
}

_SHORT_NAMES = {item.value: item for item in VehicleClass} | {
    "UMH": VehicleClass.AR,
    "HELISMUR": VehicleClass.HELI,
}
_BY_VECTEUR: dict[str, VehicleClass] = {
    TypeVecteur.SMUR_VLM: VehicleClass.VLM,
    TypeVecteur.SMUR_VL: VehicleClass.VLM,
    TypeVecteur.SMUR_VPC: VehicleClass.VLM,
    TypeVecteur.SIS_VLMSP: VehicleClass.VLM,
    TypeVecteur.SIS_VLISP: VehicleClass.VLM,
    TypeVecteur.SMUR: VehicleClass.AR,
    TypeVecteur.SMUR_AR: VehicleClass.AR,
    TypeVecteur.SMUR_AR_BAR: VehicleClass.AR,
    TypeVecteur.SMUR_AR_PED: VehicleClass.AR,
    TypeVecteur.SMUR_PSM1: VehicleClass.AR,
    TypeVecteur.SMUR_PSM2: VehicleClass.AR,
    TypeVecteur.SMUR_PSM3: VehicleClass.AR,
    TypeVecteur.SMUR_PSMP: VehicleClass.AR,
    TypeVecteur.SIS_VSAV: VehicleClass.VSAV,
    TypeVecteur.SIS: VehicleClass.VSAV,
    TypeVecteur.SMUR_HELISMUR: VehicleClass.HELI,
    TypeVecteur.SMUR_HELISAN: VehicleClass.HELI,
    TypeVecteur.FSI_HELIFSI: VehicleClass.HELI,
    TypeVecteur.SIS_DRAGON: VehicleClass.HELI,
}


def vehicle_class(vehicle: TypeVecteur | VehicleClass | str) -> VehicleClass:
    """The speed profile of a `typeVecteur` code or a short name (`VLM`, `AR`, `UMH`, `VSAV`, `TSU`, `HELI`)."""
    if isinstance(vehicle, VehicleClass):
        return vehicle
    text = str(vehicle).upper()
    if text in _SHORT_NAMES:
        return _SHORT_NAMES[text]
    if text in _BY_VECTEUR:
        return _BY_VECTEUR[text]
    if text.startswith("TSU"):
        return VehicleClass.TSU
    if text in {v.value for v in TypeVecteur}:
        return VehicleClass.CAR
    raise ValueError(f"unknown vehicle {vehicle!r}")


def as_points(points: ArrayLike) -> NDArray[np.float64]:
    """An `(n, 2)` float array of `(lat, lon)` rows (a single point becomes one row)."""
    array = np.asarray(points, dtype=np.float64)
    if array.ndim == 1:
        array = array.reshape(1, 2)
    if array.ndim != 2 or array.shape[1] != 2:  # noqa: PLR2004 - (lat, lon)
        raise ValueError(f"points must have shape (n, 2), got {array.shape}")
    return array


def great_circle_m(from_points: ArrayLike, to_points: ArrayLike) -> NDArray[np.float64]:
    """Haversine distance in metres, broadcast over `(..., 2)` arrays of `(lat, lon)` degrees."""
    a = np.radians(np.asarray(from_points, dtype=np.float64))
    b = np.radians(np.asarray(to_points, dtype=np.float64))
    dlat = b[..., 0] - a[..., 0]
    dlon = b[..., 1] - a[..., 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(a[..., 0]) * np.cos(b[..., 0]) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


def great_circle_matrix_m(from_points: ArrayLike, to_points: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distances in metres as an `(n_from, n_to)` array, from the dot products of unit vectors
    (several times faster than broadcasting the haversine; within 0.2 m of it at any distance)."""
    a, b = _unit_vectors(as_points(from_points)), _unit_vectors(as_points(to_points))
    # the dot products by three outer products: BLAS is slower than this for an inner dimension of 3
    chord_sq = np.multiply.outer(a[:, 0], b[:, 0])
    term = np.empty_like(chord_sq)
    for axis in (1, 2):
        np.multiply.outer(a[:, axis], b[:, axis], out=term)
        chord_sq += term
    chord_sq *= -2.0
    chord_sq += 2.0
    np.maximum(chord_sq, 0.0, out=chord_sq)
    np.sqrt(chord_sq, out=chord_sq)
    chord_sq *= 0.5
    np.arcsin(np.minimum(chord_sq, 1.0, out=chord_sq), out=chord_sq)
    chord_sq *= 2 * EARTH_RADIUS_M
    return chord_sq


def _unit_vectors(points: NDArray[np.float64]) -> NDArray[np.float64]:
    lat, lon = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


@dataclass(frozen=True, slots=True)
class StraightLineEstimator:
    """Great-circle distance × detour, at a near/far speed per vehicle; helicopters fly straight with an overhead.

    Every parameter can be recalibrated against observed mission times (or a road graph) per SAMU.
    """

    detour: float = ROAD_DETOUR
    near_km: float = NEAR_KM
    car_speeds_kmh: tuple[float, float] = CAR_SPEEDS_KMH
    emergency_factor: tuple[tuple[VehicleClass, float], ...] = tuple(EMERGENCY_FACTOR.items())
    heli_cruise_kmh: float = HELI_CRUISE_KMH
    heli_overhead_s: float = HELI_OVERHEAD_S

    def seconds(self, from_point: Point, to_point: Point, vehicle: TypeVecteur | VehicleClass | str) -> float:
        return float(self.from_distance(great_circle_m(from_point, to_point), vehicle))

    def many(
        self, from_points: ArrayLike, to_point: Point, vehicle: TypeVecteur | VehicleClass | str
    ) -> NDArray[np.float64]:
        return self.from_distance(great_circle_m(as_points(from_points), np.asarray(to_point)), vehicle)

    def matrix(
        self, from_points: ArrayLike, to_points: ArrayLike, vehicle: TypeVecteur | VehicleClass | str
    ) -> NDArray[np.float64]:
        return self.from_distance(great_circle_matrix_m(from_points, to_points), vehicle)

    def from_distance(
        self, air_m: ArrayLike, vehicle: TypeVecteur | VehicleClass | str
    ) -> NDArray[np.float64]:
        """Seconds for great-circle distances in metres (any shape)."""
        air = np.asarray(air_m, dtype=np.float64)
        profile = vehicle_class(vehicle)
        if profile is VehicleClass.HELI:
            return np.asarray(self.heli_overhead_s + air / (self.heli_cruise_kmh / 3.6), dtype=np.float64)
        factor = dict(self.emergency_factor)[profile]
        near_ms = self.car_speeds_kmh[0] * factor / 3.6
        far_ms = self.car_speeds_kmh[1] * factor / 3.6
        # near / near_ms + (road - near) / far_ms, in as few passes over the array as possible
        road = air * self.detour
        near = np.minimum(road, self.near_km * 1000.0)
        near *= 1 / near_ms - 1 / far_ms
        road *= 1 / far_ms
        road += near
        return road

    def road_distance_m(
        self, air_m: ArrayLike, vehicle: TypeVecteur | VehicleClass | str
    ) -> NDArray[np.float64]:
        """The distance the estimate assumes: air distance for helicopters, × detour on the road."""
        air = np.asarray(air_m, dtype=np.float64)
        return air if vehicle_class(vehicle) is VehicleClass.HELI else air * self.detour


def nearest_first(times: Sequence[float] | NDArray[np.float64], top: int) -> NDArray[np.intp]:
    """Indices of the `top` smallest values, ascending (ties by index), without sorting everything."""
    values = np.asarray(times, dtype=np.float64)
    if top <= 0 or values.size == 0:
        return np.empty(0, dtype=np.intp)
    part = np.argpartition(values, top - 1)[:top] if top < values.size else np.arange(values.size)
    order = np.lexsort((part, values[part]))
    return np.asarray(part[order], dtype=np.intp)
