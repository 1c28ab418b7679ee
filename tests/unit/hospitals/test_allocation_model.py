"""The allocation assistant's solver: never more victims than free beds, the right category of bed for each
victim, the urgent first, and as good as the best assignment found by trying every one (small cases)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from sisamu.hospitals.allocation.model import (
    Destination,
    Need,
    Triage,
    Victim,
    bed_types_for,
    build,
    propose,
    solve,
)
from sisamu.hospitals.capacity.model import BedType, EdStatus, FacilityStatus, is_stale, receives

SITE = (47.5, 6.8)


def _victims(*specs: tuple[str, Triage, frozenset[Need]]) -> list[Victim]:
    return [Victim(victim_id, triage, needs, SITE) for victim_id, triage, needs in specs]


def test_bed_categories_follow_triage_and_needs():
    assert bed_types_for(Triage.EU, frozenset()) == (BedType.RESUSCITATION, BedType.THEATRE)
    assert bed_types_for(Triage.UA, frozenset()) == (BedType.UA,)
    assert bed_types_for(Triage.IMPLIQUE, frozenset()) == (BedType.UR,)
    assert bed_types_for(Triage.UR, frozenset({Need.BURNS})) == (BedType.BURNS,)
    assert bed_types_for(Triage.UA, frozenset({Need.PAEDIATRICS})) == (BedType.PAEDIATRICS,)


def test_the_nearest_bed_goes_to_the_most_urgent_and_capacity_is_never_exceeded():
    victims = _victims(("ur", Triage.UR, frozenset()), ("implique", Triage.IMPLIQUE, frozenset()))
    near, far = Destination("near", {BedType.UR: 1}), Destination("far", {BedType.UR: 5})
    found = propose(victims, [near, far], np.array([[300.0, 1800.0], [300.0, 1800.0]]))
    assert {p.victim_id: p.hospital_id for p in found.placements} == {"ur": "near", "implique": "far"}
    assert found.unplaced == []


def test_when_beds_run_short_the_most_urgent_are_placed_and_the_others_named_with_a_reason():
    victims = _victims(
        ("implique", Triage.IMPLIQUE, frozenset()),
        ("ur", Triage.UR, frozenset()),
        ("eu", Triage.EU, frozenset()),
    )
    found = propose(victims, [Destination("h", {BedType.UR: 1, BedType.THEATRE: 1})], np.full((3, 1), 600.0))
    assert {(p.victim_id, p.bed_type) for p in found.placements} == {
        ("ur", BedType.UR),
        ("eu", BedType.THEATRE),
    }
    assert [(u.victim_id, u.reason) for u in found.unplaced] == [
        (
            "implique",
            "Lits de la catégorie requise déjà proposés à des victimes plus urgentes ou plus proches.",
        )
    ]


def test_an_unreachable_hospital_is_never_proposed():
    victims = _victims(("ua", Triage.UA, frozenset()))
    found = propose(victims, [Destination("island", {BedType.UA: 3})], np.array([[np.inf]]))
    assert found.placements == []
    assert [u.victim_id for u in found.unplaced] == ["ua"]


def test_penalties_of_saturated_or_stale_hospitals_count_as_travel():
    victims = _victims(("ua", Triage.UA, frozenset()))
    saturated = Destination("saturated", {BedType.UA: 1}, penalty_s=2400.0)
    found = propose(victims, [saturated, Destination("other", {BedType.UA: 1})], np.array([[600.0, 1200.0]]))
    assert found.placements[0].hospital_id == "other"
    assert found.placements[0].travel_s == 1200.0  # the real travel time, not the penalised one


@pytest.mark.parametrize("seed", range(12))
def test_the_solution_is_as_good_as_trying_every_assignment(seed):
    rng = np.random.default_rng(seed)
    triages = list(Triage)
    victims = [
        Victim(f"v{i}", triages[rng.integers(len(triages))], frozenset(), SITE)
        for i in range(int(rng.integers(1, 5)))
    ]
    kinds = [BedType.RESUSCITATION, BedType.THEATRE, BedType.UA, BedType.UR]
    destinations = [
        Destination(f"h{j}", {k: int(rng.integers(0, 2)) for k in kinds}, float(rng.choice([0.0, 900.0])))
        for j in range(3)
    ]
    travel = rng.uniform(120, 3600, size=(len(victims), len(destinations)))
    found = propose(victims, destinations, travel)
    used = Counter((p.hospital_id, p.bed_type) for p in found.placements)
    free = {(d.hospital_id, k): n for d in destinations for k, n in d.free.items()}
    assert all(n <= free[slot] for slot, n in used.items())
    problem = build(victims, destinations, travel)
    columns = problem.cost.shape[1]
    best = min(
        sum(problem.cost[i, c] for i, c in enumerate(choice))
        for choice in itertools.permutations(range(columns), len(victims))
    )
    rows, cols = solve(problem)
    got = sum(problem.cost[i, c] for i, c in zip(rows, cols, strict=True))
    assert got == pytest.approx(best)
    assert len(found.placements) + len(found.unplaced) == len(victims)


def test_receiving_and_staleness_rules():
    assert receives(EdStatus.SATURE, FacilityStatus.NORMAL)
    assert not receives(EdStatus.FERME, FacilityStatus.NORMAL)
    assert not receives(EdStatus.NORMAL, FacilityStatus.EVACUATION)
    now = datetime(2026, 11, 13, 22, 0, tzinfo=UTC)
    assert is_stale(None, now, 3600)
    assert not is_stale(now - timedelta(seconds=3600), now, 3600)
    assert is_stale(now - timedelta(seconds=3601), now, 3600)
