"""Recommendation of units for a file and of destination hospitals; bed capacity reported through the API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db


def test_recommendation_ranks_available_units_by_travel_time(api, world):
    number = world["number"]
    regulator = api("regulator.250")
    response = regulator.get(f"/api/files/{number}/recommendation")
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["level"] == "R1"  # from the patient's degree of urgency
    ids = [u["resource_id"] for u in found["units"]]
    assert ids == [
        "VLM.BESANCON",
        "HELI.BESANCON",
        "AR.MONTBELIARD",
    ]  # SMUR with a physician only, fastest first
    times = [u["travel_s"] for u in found["units"]]
    assert times == sorted(times)
    first = found["units"][0]
    assert first["air_distance_m"] < 1000
    assert first["eta"] is not None
    assert all(u["coverage_loss"] is not None and u["coverage_loss"] >= 0 for u in found["units"])
    # around Besançon the HéliSMUR stands in for the car; far from both cities only the helicopter is in time
    losses = {u["resource_id"]: u["coverage_loss"] for u in found["units"]}
    assert losses["VLM.BESANCON"] == 0
    assert losses["HELI.BESANCON"] > 10_000

    ambulances = regulator.get(f"/api/files/{number}/recommendation", params={"level": "R3"}).json()
    assert [u["resource_id"] for u in ambulances["units"]] == ["TSU1.BESANCON", "TSU1.PONTARLIER"]

    # an engaged unit is no longer proposed
    assert (
        regulator.post(f"/api/files/{number}/missions", json={"resource_id": "VLM.BESANCON"}).status_code
        == 201
    )
    after = regulator.get(f"/api/files/{number}/recommendation", params={"top": 2, "coverage": False}).json()
    assert [u["resource_id"] for u in after["units"]] == ["HELI.BESANCON", "AR.MONTBELIARD"]
    assert after["units"][0]["coverage_loss"] is None


def test_recommendation_access(api, world):
    url = f"/api/files/{world['number']}/recommendation"
    assert api("regulator.680").get(url).status_code == 404
    assert api("crew.250").get(url).status_code == 403
    assert api("arm.250").get(url).status_code == 200


def test_capacity_update_and_hospital_ranking(api, world):
    supervisor, partner = api("supervisor.250"), api("hospital.250")
    full = supervisor.put(
        "/api/samus/250/hospitals/chu-besancon-25/capacity", json={"free_beds": {"urgences": 0}}
    )
    assert full.status_code == 200, full.text
    assert full.json()[0]["free_beds"] == 0
    body = {"free_beds": {"urgences": 4, "maternité": 1}, "total_beds": {"urgences": 20}}
    reported = partner.put("/api/samus/250/hospitals/ch-montbeliard-25/capacity", json=body)
    assert reported.status_code == 200, reported.text
    assert {(r["specialty"], r["free_beds"], r["total_beds"]) for r in reported.json()} == {
        ("urgences", 4, 20),
        ("maternité", 1, None),
    }
    assert (
        api("regulator.250").put("/api/samus/250/hospitals/ch-montbeliard-25/capacity", json=body).status_code
        == 403
    )
    assert (
        api("regulator.680").put("/api/samus/250/hospitals/ch-montbeliard-25/capacity", json=body).status_code
        == 404
    )
    # a hospital of another département does not report to SAMU 250; unknown specialties and negative counts refused
    assert supervisor.put("/api/samus/250/hospitals/ch-mulhouse-68/capacity", json=body).status_code == 404
    unknown = supervisor.put(
        "/api/samus/250/hospitals/ch-montbeliard-25/capacity", json={"free_beds": {"réanimation": 1}}
    )
    assert unknown.status_code == 422
    negative = supervisor.put(
        "/api/samus/250/hospitals/ch-montbeliard-25/capacity", json={"free_beds": {"urgences": -1}}
    )
    assert negative.status_code == 422

    ranking = api("regulator.250").get(
        f"/api/files/{world['number']}/hospitals", params={"specialty": "urgences"}
    )
    assert ranking.status_code == 200, ranking.text
    choices = ranking.json()
    assert choices[0]["hospital_id"] == "ch-montbeliard-25"  # a free bed beats a nearer full hospital
    assert choices[0]["beds_available"] == 4
    assert "chu-besancon-25" not in [c["hospital_id"] for c in choices]  # full: after the unreported ones
    listed = api("regulator.250").get("/api/samus/250/hospitals/capacity").json()
    assert len(listed) == 3
