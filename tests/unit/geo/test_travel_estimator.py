# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest

from sisamu.domain.codes import TypeVecteur
from sisamu.domain.ports import TravelTimeEstimator
from sisamu.geo.travel import (
    StraightLineEstimator,
    VehicleClass,
    great_circle_m,
    great_circle_matrix_m,
    nearest_first,
    vehicle_class,
)

PARIS = (48.8566, 2.3522)
LYON = (45.7640, 4.8357)


def test_great_circle_distance_paris_lyon():
    assert great_circle_m(PARIS, LYON) == pytest.approx(391_500, rel=0.005)
    assert great_circle_m(PARIS, PARIS) == 0


def test_one_degree_of_latitude_is_about_111_km():
    assert great_circle_m((45.0, 5.0), (46.0, 5.0)) == pytest.approx(111_195, rel=0.001)


def test_paris_lyon_by_road_takes_four_to_five_hours_for_a_car_at_legal_speeds():
    hours = StraightLineEstimator().seconds(PARIS, LYON, TypeVecteur.AUTREVEC_PERSO) / 3600
    assert 4.0 <= hours <= 5.0


def test_helicopter_is_far_faster_over_long_distances_but_pays_its_overhead():
    estimator = StraightLineEstimator()
    heli = estimator.seconds(PARIS, LYON, TypeVecteur.SMUR_HELISMUR)
    assert heli < 0.5 * estimator.seconds(PARIS, LYON, "CAR")
    assert 1.5 * 3600 < heli < 2.2 * 3600
    assert estimator.seconds(PARIS, PARIS, "HELI") == 600
    assert estimator.seconds(PARIS, PARIS, "VLM") == 0


def test_emergency_vehicles_are_faster_than_a_car_and_a_light_car_fastest():
    estimator = StraightLineEstimator()
    times = {v: estimator.seconds(PARIS, (48.95, 2.55), v) for v in ("CAR", "TSU", "AR", "VSAV", "VLM")}
    assert times["VLM"] < times["AR"] == times["VSAV"] < times["TSU"] < times["CAR"]


def test_a_short_trip_in_a_town_is_minutes():
    minutes = StraightLineEstimator().seconds((47.2380, 6.0243), (47.2500, 6.0000), "VLM") / 60
    assert 3 < minutes < 8  # 2.3 km as the crow flies in Besançon


def test_many_and_matrix_agree_with_seconds():
    estimator = StraightLineEstimator()
    origins = np.array([PARIS, LYON, (47.24, 6.02)])
    many = estimator.many(origins, (46.0, 5.0), "AR")
    assert many.shape == (3,)
    for row, origin in enumerate(origins):
        assert many[row] == pytest.approx(estimator.seconds(tuple(origin), (46.0, 5.0), "AR"))
    matrix = estimator.matrix(origins, [(46.0, 5.0), PARIS], "AR")
    assert matrix.shape == (3, 2)
    np.testing.assert_allclose(matrix[:, 0], many)
    assert matrix[0, 1] == 0


def test_the_straight_line_estimator_is_a_travel_time_estimator():
    estimator: TravelTimeEstimator = StraightLineEstimator()
    assert estimator.seconds(PARIS, LYON, "TSU") > 0


def test_time_grows_with_distance():
    distances = np.linspace(0, 200_000, 50)
    for vehicle in VehicleClass:
        times = StraightLineEstimator().from_distance(distances, vehicle)
        assert np.all(np.diff(times) > 0)


@pytest.mark.parametrize(
    ("vehicle", "expected"),
    [
        (TypeVecteur.SMUR_VLM, VehicleClass.VLM),
        ("SMUR.AR", VehicleClass.AR),
        ("UMH", VehicleClass.AR),
        (TypeVecteur.SIS_VSAV, VehicleClass.VSAV),
        (TypeVecteur.TSU_AMB_GV, VehicleClass.TSU),
        (TypeVecteur.SMUR_HELISMUR, VehicleClass.HELI),
        ("vlm", VehicleClass.VLM),
        (TypeVecteur.LIB_MEDV, VehicleClass.CAR),
    ],
)
def test_vehicle_classes(vehicle, expected):
    assert vehicle_class(vehicle) is expected


def test_unknown_vehicle_is_refused():
    with pytest.raises(ValueError, match="unknown vehicle"):
        vehicle_class("BICYCLE")


def test_nearest_first_returns_the_smallest_in_order_with_ties_by_index():
    values = np.array([5.0, 1.0, 3.0, 1.0, 9.0, 0.5])
    assert nearest_first(values, 3).tolist() == [5, 1, 3]
    assert nearest_first(values, 10).tolist() == [5, 1, 3, 2, 0, 4]
    assert nearest_first(values, 0).tolist() == []


def test_distance_matrix_agrees_with_the_haversine_even_for_nearby_points():
    rng = np.random.default_rng(3)
    origins = np.column_stack((rng.uniform(41, 51, 40), rng.uniform(-5, 9, 40)))
    targets = np.vstack(
        (
            origins[:5],
            origins[5:10] + 1e-6,
            np.column_stack((rng.uniform(41, 51, 30), rng.uniform(-5, 9, 30))),
        )
    )
    expected = great_circle_m(origins[:, None, :], targets[None, :, :])
    np.testing.assert_allclose(great_circle_matrix_m(origins, targets), expected, atol=0.5)
