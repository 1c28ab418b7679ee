# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Population coverage within 30 minutes, and what each unit's departure leaves uncovered.

France's goal is that everyone can reach emergency care within 30 minutes. For a SAMU's territory (its
département(s)), demand is the communes' population at their points; a commune is covered when at least one
available unit of a kind reaches it within the threshold. `coverage_loss` of a unit = the population covered
today that no *other* available unit of that kind would reach in time if it left.

Everything is computed from one units × demand travel-time matrix: covered = column minimum ≤ threshold; loss of
unit u = population of the columns where u is the only unit in time, i.e. where u holds the column minimum and
the second smallest value is over the threshold (two smallest values per column, all units at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sisamu.geo.travel import as_points, great_circle_m

if TYPE_CHECKING:
    from collections.abc import Iterable

    from numpy.typing import ArrayLike, NDArray

    from sisamu.domain.codes import TypeVecteur
    from sisamu.domain.ports import TravelTimeEstimator
    from sisamu.geo.travel import VehicleClass

THRESHOLD_S = 30 * 60.0


@dataclass(frozen=True, slots=True, eq=False)
class Demand:
    """Demand points `(lat, lon)` with their population (one row per commune or arrondissement)."""

    points: NDArray[np.float64]
    population: NDArray[np.float64]
    names: tuple[str, ...] = ()  # INSEE codes, when built from the gazetteer

    @property
    def total(self) -> float:
        return float(self.population.sum())

    @classmethod
    def of(cls, points: ArrayLike, population: ArrayLike, names: Iterable[str] = ()) -> Demand:
        array = as_points(points)
        weights = np.asarray(population, dtype=np.float64)
        if weights.shape != (array.shape[0],):
            raise ValueError("one population figure per demand point")
        return cls(array, weights, tuple(names))


def territory_demand(departements: Iterable[str]) -> Demand:
    """The communes of these départements as demand points (Paris, Lyon and Marseille by arrondissement)."""
    from sisamu.geo.gazetteer import communes

    wanted = {code.upper() for code in departements}
    places = [item for item in communes() if item.departement in wanted]
    split = {item.parent_insee for item in places if item.kind == "ARM"}
    kept = [item for item in places if item.insee not in split and item.population]
    return Demand.of(
        [(item.lat, item.lon) for item in kept],
        [item.population or 0 for item in kept],
        [item.insee for item in kept],
    )


@dataclass(frozen=True, slots=True, eq=False)
class Coverage:
    """A units × demand travel-time matrix and what it says about coverage (all figures in inhabitants)."""

    times: NDArray[np.float64]  # seconds, shape (units, demand points)
    demand: Demand
    threshold_s: float = THRESHOLD_S

    @classmethod
    def compute(
        cls,
        units: ArrayLike,
        demand: Demand,
        estimator: TravelTimeEstimator,
        vehicle: TypeVecteur | VehicleClass | str,
        threshold_s: float = THRESHOLD_S,
    ) -> Coverage:
        positions = as_points(units) if np.size(units) else np.empty((0, 2))
        times = (
            estimator.matrix(positions, demand.points, vehicle)
            if positions.shape[0]
            else np.empty((0, demand.points.shape[0]))
        )
        return cls(np.asarray(times, dtype=np.float64), demand, threshold_s)

    @property
    def covered(self) -> NDArray[np.bool_]:
        """Per demand point: reached in time by at least one unit."""
        if self.times.shape[0] == 0:
            return np.zeros(self.times.shape[1], dtype=bool)
        return np.asarray(self.times.min(axis=0) <= self.threshold_s)

    def covered_population(self) -> float:
        return float(self.demand.population[self.covered].sum())

    def uncovered_population(self) -> float:
        return self.demand.total - self.covered_population()

    def losses(self) -> NDArray[np.float64]:
        """Per unit: population no other unit reaches in time if this one leaves (all units at once)."""
        units, points = self.times.shape
        if units == 0:
            return np.zeros(0)
        best = self.times.argmin(axis=0)
        first = self.times[best, np.arange(points)]
        second = np.partition(self.times, 1, axis=0)[1] if units > 1 else np.full(points, np.inf)
        alone = (first <= self.threshold_s) & (second > self.threshold_s)
        return np.bincount(best[alone], weights=self.demand.population[alone], minlength=units).astype(
            np.float64
        )

    def coverage_loss(self, unit: int) -> float:
        """Population left without any unit of this kind within the threshold if `unit` (row index) leaves."""
        return float(self.losses()[unit])


def reachable_units(units: ArrayLike, demand: Demand, reach_m: ArrayLike) -> NDArray[np.intp]:
    """Indices of the units within `reach_m` of the territory's bounding circle: a cheap O(units) pre-filter
    before the matrix (a unit farther than it can travel in the threshold at top speed never covers); `reach_m`
    is one distance or one per unit."""
    positions = as_points(units) if np.size(units) else np.empty((0, 2))
    if positions.shape[0] == 0 or demand.points.shape[0] == 0:
        return np.empty(0, dtype=np.intp)
    centre = demand.points.mean(axis=0)
    radius = float(great_circle_m(demand.points, centre).max())
    reach = np.asarray(reach_m, dtype=np.float64)
    return np.flatnonzero(great_circle_m(positions, centre) <= radius + reach).astype(np.intp)
