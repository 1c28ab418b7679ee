# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest

from sisamu.geo.coverage import Coverage, Demand, reachable_units, territory_demand
from sisamu.geo.gazetteer import commune, departement_population
from sisamu.geo.travel import StraightLineEstimator

MIN = 60.0


def hand_made():
    """Four communes, three units; travel times in minutes (30 min threshold):

    commune     pop  unit0 unit1 unit2
    c0          100    10    25    50   covered by 0 and 1
    c1          200    20    40    50   only 0
    c2          300    40    10    50   only 1
    c3          400    99    99     5   only 2
    c4          500    45    45    45   nobody
    """
    times = np.array(
        [
            [10, 20, 40, 99, 45],
            [25, 40, 10, 99, 45],
            [50, 50, 50, 5, 45],
        ],
        dtype=float,
    )
    demand = Demand.of(np.zeros((5, 2)), [100, 200, 300, 400, 500])
    return Coverage(times * MIN, demand)


def test_population_covered_within_30_minutes():
    coverage = hand_made()
    assert coverage.covered.tolist() == [True, True, True, True, False]
    assert coverage.covered_population() == 1000
    assert coverage.uncovered_population() == 500


def test_coverage_loss_is_what_no_other_unit_reaches_in_time():
    coverage = hand_made()
    assert coverage.losses().tolist() == [200, 300, 400]
    assert coverage.coverage_loss(0) == 200


def test_losses_equal_the_definition_computed_unit_by_unit():
    rng = np.random.default_rng(7)
    times = rng.uniform(0, 60 * MIN, size=(12, 200))
    demand = Demand.of(np.zeros((200, 2)), rng.integers(0, 5000, size=200))
    coverage = Coverage(times, demand)
    for unit in range(12):
        others = Coverage(np.delete(times, unit, axis=0), demand)
        assert coverage.coverage_loss(unit) == pytest.approx(
            coverage.covered_population() - others.covered_population()
        )


def test_the_threshold_itself_counts_as_in_time_and_ties_lose_nothing():
    demand = Demand.of(np.zeros((2, 2)), [10, 20])
    coverage = Coverage(np.array([[30 * MIN, 5 * MIN], [31 * MIN, 5 * MIN]]), demand)
    assert coverage.covered_population() == 30
    assert coverage.losses().tolist() == [10, 0]


def test_a_single_unit_loses_all_it_covers_and_no_unit_covers_nothing():
    demand = Demand.of(np.zeros((2, 2)), [10, 20])
    assert Coverage(np.array([[5 * MIN, 45 * MIN]]), demand).losses().tolist() == [10]
    empty = Coverage(np.empty((0, 2)), demand)
    assert empty.covered_population() == 0
    assert empty.losses().size == 0


def test_coverage_from_the_straight_line_estimator_on_a_line_of_villages():
    # villages every 0.1° of latitude (11.1 km) north of a SMUR base; a VLM does 10 km of road in 13.7 min,
    # then 137.5 km/h: 30 min reach ≈ 47 km of road ≈ 36 km as the crow flies → the first three villages
    villages = [(45.0 + 0.1 * k, 5.0) for k in range(1, 7)]
    demand = Demand.of(villages, [1000] * 6)
    coverage = Coverage.compute([(45.0, 5.0)], demand, StraightLineEstimator(), "VLM")
    assert coverage.covered.tolist() == [True, True, True, False, False, False]
    assert coverage.losses().tolist() == [3000]
    second = Coverage.compute([(45.0, 5.0), (45.6, 5.0)], demand, StraightLineEstimator(), "VLM")
    assert second.covered_population() == 6000
    assert second.losses().tolist() == [2000, 3000]  # the third village (45.3°) is reached by both


def test_reachable_units_drops_those_too_far_to_matter():
    demand = Demand.of([(47.0, 6.0), (47.2, 6.2)], [1, 1])
    units = [(47.1, 6.1), (48.0, 6.0), (43.3, 5.4)]  # inside, ~100 km, Marseille
    assert reachable_units(units, demand, 125_000).tolist() == [0, 1]
    assert reachable_units(np.empty((0, 2)), demand, 125_000).size == 0


def test_territory_demand_is_the_departement_population():
    doubs = territory_demand(["25"])
    assert doubs.total == departement_population("25")
    assert "25056" in doubs.names  # Besançon


def test_paris_lyon_and_marseille_count_by_arrondissement():
    paris = territory_demand(["75"])
    assert len(paris.names) == 20
    assert "75056" not in paris.names
    assert paris.total == pytest.approx(commune("75056").population, rel=0.001)
