# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from sisamu.domain.codes import NiveauSoin
from sisamu.geo.coverage import Demand
from sisamu.geo.travel import StraightLineEstimator
from sisamu.hospitals.directory import HospitalDef
from sisamu.resources.recommend import (
    CrewLevel,
    Fleet,
    ResourceKind,
    ResourceSnapshot,
    rank_hospitals,
    rank_resources,
    resource_kind,
)

FILE = (47.00, 6.00)
NOW = datetime(2026, 1, 25, 10, 15, tzinfo=UTC)
ESTIMATOR = StraightLineEstimator()


def unit(id_, vehicle, km_north, crew=CrewLevel.MED, available=True):
    return ResourceSnapshot(id_, vehicle, crew, available, FILE[0] + km_north / 111.195, FILE[1], base="b")


FLEET = [
    unit("vlm-far", "SMUR.VLM", 20),
    unit("ar-near", "SMUR.AR", 8),
    unit("vlm-busy", "SMUR.VLM", 1, available=False),
    unit("vl-nurse", "SMUR.VL", 2, crew=CrewLevel.PARAMED),  # paramedical SMUR car: not for R1
    unit("heli", "SMUR.HELISMUR", 60),
    unit("tsu-1", "TSU.AMB", 3, crew=CrewLevel.SECOURS),
    unit("tsu-2", "TSU.AMB-GV", 12, crew=CrewLevel.SECOURS),
    unit("vsl", "TSU.VSL", 0.5, crew=CrewLevel.SECOURS),
    unit("vsav", "SIS.VSAV", 4, crew=CrewLevel.SECOURS),
]


def ids(recommendations):
    return [item.resource.id for item in recommendations]


def test_r1_ranks_available_smur_with_a_physician_by_travel_time():
    ranked = rank_resources(FILE, NiveauSoin.R1, FLEET, ESTIMATOR, now=NOW)
    assert ids(ranked) == ["ar-near", "vlm-far", "heli"]
    times = [item.travel_s for item in ranked]
    assert times == sorted(times)
    first = ranked[0]
    assert first.eta == NOW + timedelta(seconds=first.travel_s)
    assert first.air_distance_m == pytest.approx(8000, rel=0.001)
    assert first.travel_s == pytest.approx(ESTIMATOR.seconds(FILE, (FLEET[1].lat, FLEET[1].lon), "AR"))
    assert first.coverage_loss is None
    assert not first.carence


def test_helicopter_wins_from_far_away():
    far = (FILE[0] + 1.2, FILE[1])  # 133 km north, beside the helicopter's base
    assert ids(rank_resources(far, "R1", FLEET, ESTIMATOR, top=1)) == ["heli"]


def test_r2_offers_smur_and_ambulances_together():
    ranked = rank_resources(FILE, NiveauSoin.R2, FLEET, ESTIMATOR, top=10)  # the nurse's SMUR car too
    assert ids(ranked) == ["vl-nurse", "tsu-1", "vsav", "ar-near", "tsu-2", "vlm-far", "heli"]


def test_r3_sends_a_private_ambulance_never_a_vsl():
    ranked = rank_resources(FILE, NiveauSoin.R3, FLEET, ESTIMATOR, top=10)
    assert ids(ranked) == ["tsu-1", "tsu-2"]
    assert not any(item.carence for item in ranked)


def test_r3_without_private_ambulance_proposes_the_fire_service_as_carence():
    fleet = [item for item in FLEET if not item.vehicle.startswith("TSU.AMB")]
    ranked = rank_resources(FILE, NiveauSoin.R3, fleet, ESTIMATOR)
    assert ids(ranked) == ["vsav"]
    assert ranked[0].carence


def test_r4_sends_nobody():
    assert rank_resources(FILE, NiveauSoin.R4, FLEET, ESTIMATOR) == []


def test_top_limits_and_nobody_available_gives_nothing():
    assert ids(rank_resources(FILE, "R2", FLEET, ESTIMATOR, top=2)) == ["vl-nurse", "tsu-1"]
    busy = [unit("x", "SMUR.VLM", 1, available=False)]
    assert rank_resources(FILE, "R1", busy, ESTIMATOR) == []


def test_each_recommendation_shows_the_coverage_its_departure_leaves_behind():
    # two villages 20 and 22 km south of the file: only "ar-near" (8 km north) reaches them within 30 min (the VLM
    # 20 km north reaches 36 km as the crow flies, the helicopter 60 km north 77 km); one village covered by all
    demand = Demand.of(
        [(FILE[0] - 0.2, FILE[1]), (FILE[0] - 0.18, FILE[1]), (FILE[0] + 0.15, FILE[1])], [700, 300, 5000]
    )
    fleet = Fleet(FLEET)
    ranked = rank_resources(FILE, "R1", fleet, ESTIMATOR, demand=demand)
    losses = {item.resource.id: item.coverage_loss for item in ranked}
    assert losses == {"ar-near": 1000, "vlm-far": 0, "heli": 0}
    coverage, rows = fleet.coverage(ResourceKind.SMUR, demand, ESTIMATOR)
    assert coverage.covered_population() == 6000
    assert set(rows) == {0, 1, 4}  # available SMUR with a physician: not the busy VLM, nor the nurse's car


def test_resource_kinds():
    assert resource_kind("SMUR.HELISMUR") is ResourceKind.SMUR
    assert resource_kind("SMUR.VL", CrewLevel.PARAMED) is ResourceKind.SMUR_PARAMED
    assert resource_kind("TSU.AMB-PV") is ResourceKind.AMBULANCE
    assert resource_kind("TSU.VSL") is ResourceKind.OTHER
    assert resource_kind("SIS.VSAV") is ResourceKind.VSAV
    assert resource_kind("LIB.MEDV") is ResourceKind.OTHER


def hospital(key, km_north, specialties=("urgences", "réanimation")):
    return HospitalDef(
        key=key,
        name=key,
        departement="25",
        city_insee="25056",
        lat=FILE[0] + km_north / 111.195,
        lon=FILE[1],
        kind="CH",
        has_smur=True,
        has_helismur=False,
        specialties=specialties,
        beds=dict.fromkeys(specialties, 10),
    )


def test_hospitals_by_free_beds_then_travel_time():
    hospitals = [
        hospital("near-full", 2),
        hospital("near-no-icu", 1, specialties=("urgences",)),
        hospital("mid", 10),
        hospital("far", 30),
        hospital("unknown", 5),
    ]
    beds = {"near-full": {"réanimation": 0}, "mid": {"réanimation": 3}, "far": {"réanimation": 8}}
    ranked = rank_hospitals(FILE, "réanimation", hospitals, beds, ESTIMATOR)
    assert [item.hospital.key for item in ranked] == ["mid", "far", "unknown", "near-full"]
    assert [item.beds_available for item in ranked] == [3, 8, None, 0]
    assert ranked[0].air_distance_m == pytest.approx(10_000, rel=0.001)
    assert rank_hospitals(FILE, "grands brûlés", hospitals, beds, ESTIMATOR) == []


def test_hospitals_with_the_same_time_prefer_more_beds():
    hospitals = [hospital("a", 5), hospital("b", 5)]
    ranked = rank_hospitals(
        FILE, "urgences", hospitals, {"a": {"urgences": 1}, "b": {"urgences": 4}}, ESTIMATOR
    )
    assert [item.hospital.key for item in ranked] == ["b", "a"]
    assert np.isfinite(ranked[0].travel_s)
