# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Destinations for many victims at once, as a minimum-cost assignment (pure: no I/O, travel times given).

Each hospital's free beds of each category are expanded into slots (no more slots than victims who could use
them); each victim gets one column of its own meaning "not placed". The cost of a victim in a slot is its travel
time weighted by its urgency (an EU's minute weighs more than an UR's, so the nearest beds go to the most urgent),
plus a penalty when the figures are stale or the emergency department saturated; the cost of "not placed" is a
penalty by urgency larger than any travel, so that everyone who can be placed is, the most urgent first; a slot a
victim cannot use costs more than anything. `scipy.optimize.linear_sum_assignment` (the Jonker–Volgenant
algorithm) solves it exactly; since every victim has a column, it always finds a complete assignment, and since
there are never more slots than free beds, capacity is never exceeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from sisamu.hospitals.capacity.model import BedType, EdStatus


class Triage(StrEnum):
    """Triage categories of the victims (SINUS): extrême urgence, urgence absolue, urgence relative, impliqué."""

    EU = "EU"
    UA = "UA"
    UR = "UR"
    IMPLIQUE = "IMPLIQUE"


class Need(StrEnum):
    BURNS = "BRULURES"
    PAEDIATRICS = "PEDIATRIE"


# Weight of a second of travel, and cost of leaving a victim without destination, by triage category.
TRAVEL_WEIGHT = {Triage.EU: 4.0, Triage.UA: 2.0, Triage.UR: 1.0, Triage.IMPLIQUE: 0.5}
UNPLACED_COST = {Triage.EU: 4.0e9, Triage.UA: 2.0e9, Triage.UR: 1.0e9, Triage.IMPLIQUE: 0.5e9}
FORBIDDEN = 1.0e15  # a slot the victim cannot use (more than any sum of the costs above)
STALE_PENALTY_S = 900.0  # figures older than the setting: as if the hospital were 15 min further
SATURATED_PENALTY_S = {EdStatus.TENSION: 600.0, EdStatus.SATURE: 2400.0}


_KIND_INDEX = {kind: index for index, kind in enumerate(BedType)}


def bed_types_for(triage: Triage, needs: frozenset[Need]) -> tuple[BedType, ...]:
    """The bed categories a victim may take, best first."""
    if Need.BURNS in needs:
        return (BedType.BURNS,)
    if Need.PAEDIATRICS in needs:
        return (BedType.PAEDIATRICS,)
    match triage:
        case Triage.EU:
            return (BedType.RESUSCITATION, BedType.THEATRE)
        case Triage.UA:
            return (BedType.UA,)
        case _:
            return (BedType.UR,)


@dataclass(frozen=True, slots=True)
class Victim:
    victim_id: str
    triage: Triage
    needs: frozenset[Need]
    point: tuple[float, float]  # (lat, lon) where the victim is (site, advanced medical post)


@dataclass(frozen=True, slots=True)
class Destination:
    """A hospital able to receive: free beds by category, and what its status adds to every trip there."""

    hospital_id: str
    free: dict[BedType, int]
    penalty_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Placement:
    victim_id: str
    hospital_id: str
    bed_type: BedType
    travel_s: float


@dataclass(frozen=True, slots=True)
class Unplaced:
    victim_id: str
    reason: str  # French, for the regulator


@dataclass(frozen=True, slots=True)
class Proposal:
    placements: list[Placement]
    unplaced: list[Unplaced]


@dataclass(frozen=True, slots=True)
class Problem:
    """The cost matrix and what its columns are: slots `(destination index, bed type)`, then one "not placed"
    column per victim."""

    cost: NDArray[np.float64]
    slots: list[tuple[int, BedType]]


def build(
    victims: Sequence[Victim], destinations: Sequence[Destination], travel: NDArray[np.float64]
) -> Problem:
    """`travel[i, j]`: seconds from victim i to destination j (`inf` when unreachable)."""
    n = len(victims)
    accepted = [bed_types_for(v.triage, v.needs) for v in victims]
    demand: dict[BedType, int] = {}
    for kinds in accepted:
        for kind in kinds:
            demand[kind] = demand.get(kind, 0) + 1
    slots: list[tuple[int, BedType]] = []
    for j, destination in enumerate(destinations):
        for kind, free in destination.free.items():
            slots.extend([(j, kind)] * min(free, demand.get(kind, 0)))
    m = len(slots)
    cost = np.full((n, m + n), FORBIDDEN)
    if m:
        slot_dest = np.fromiter((j for j, _ in slots), dtype=np.intp, count=m)
        slot_kind = np.fromiter((_KIND_INDEX[kind] for _, kind in slots), dtype=np.intp, count=m)
        ranks = np.full((n, len(_KIND_INDEX)), -1.0)  # rank of each bed category in each victim's choices
        for i, kinds in enumerate(accepted):
            for rank, kind in enumerate(kinds):
                ranks[i, _KIND_INDEX[kind]] = rank
        rank_of = ranks[:, slot_kind]
        penalty = np.array([d.penalty_s for d in destinations], dtype=np.float64)
        # a second choice of bed (EU in theatre rather than resuscitation) costs a minute more
        seconds = travel[:, slot_dest] + penalty[slot_dest] + 60.0 * np.maximum(rank_of, 0.0)
        weights = np.array([TRAVEL_WEIGHT[v.triage] for v in victims])[:, None]
        weighted = weights * seconds
        cost[:, :m] = np.where((rank_of >= 0) & np.isfinite(weighted), weighted, FORBIDDEN)
    cost[np.arange(n), m + np.arange(n)] = [UNPLACED_COST[v.triage] for v in victims]
    return Problem(cost, slots)


def solve(problem: Problem) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    return linear_sum_assignment(problem.cost)  # type: ignore[no-any-return]


def propose(
    victims: Sequence[Victim], destinations: Sequence[Destination], travel: NDArray[np.float64]
) -> Proposal:
    if not victims:
        return Proposal([], [])
    problem = build(victims, destinations, travel)
    rows, cols = solve(problem)
    placements: list[Placement] = []
    unplaced: list[Unplaced] = []
    m = len(problem.slots)
    for i, col in zip(rows.tolist(), cols.tolist(), strict=True):
        victim = victims[i]
        if col < m and problem.cost[i, col] < FORBIDDEN:
            j, kind = problem.slots[col]
            placements.append(
                Placement(victim.victim_id, destinations[j].hospital_id, kind, float(travel[i, j]))
            )
        else:
            unplaced.append(Unplaced(victim.victim_id, _why(victim, destinations)))
    return Proposal(placements, unplaced)


def _why(victim: Victim, destinations: Sequence[Destination]) -> str:
    kinds = bed_types_for(victim.triage, victim.needs)
    if not any(d.free.get(kind, 0) > 0 for d in destinations for kind in kinds):
        return "Aucun lit disponible dans la catégorie requise (" + ", ".join(kinds) + ")."
    return "Lits de la catégorie requise déjà proposés à des victimes plus urgentes ou plus proches."
