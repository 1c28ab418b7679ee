"""Engaging a unit, its status cycle through the console and the crew-terminal HTTP API, positions, radio log."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.db

CYCLE = ["DECLENCHE", "DEPART", "ARRIVEE", "PEC", "BILAN", "ORIENTAT", "TRANSP", "DESTIN", "FINPEC", "RETOUR"]


def _engage(api, number: str, resource_id: str = "VLM.BESANCON"):
    return api("regulator.250").post(f"/api/files/{number}/missions", json={"resource_id": resource_id})


def _unit(api, resource_id: str) -> dict:
    units = api("regulator.250").get("/api/samus/250/resources").json()
    return next(u for u in units if u["resource_id"] == resource_id)


def test_engage_creates_a_mission_and_engages_the_unit(api, world, platform):
    number = world["number"]
    response = _engage(api, number)
    assert response.status_code == 201, response.text
    mission = response.json()
    assert mission["status"] == "DECISION"
    assert mission["file_number"] == number
    assert [h["status"] for h in mission["history"]] == ["DECISION"]
    unit = _unit(api, "VLM.BESANCON")
    assert (unit["availability"], unit["status"], unit["mission_id"]) == (
        "ENGAGED",
        "DECISION",
        mission["mission_id"],
    )
    # only available units: the same unit cannot be engaged twice
    again = _engage(api, number)
    assert again.status_code == 422
    assert "not available" in again.json()["detail"]
    assert api("regulator.250").get(f"/api/files/{number}/missions").json()[0]["mission_id"] == 1
    # audited in the tenant's chain
    from sqlalchemy import select

    from sisamu.storage.tables import audit_event

    with platform.engine.connect() as conn:
        actions = set(
            conn.execute(select(audit_event.c.action).where(audit_event.c.samu_id == "250")).scalars()
        )
    assert "mission.engage" in actions


def test_crew_terminal_reports_the_whole_cycle(api, world):
    mission_id = _engage(api, world["number"]).json()["mission_id"]
    crew = api("crew.250")
    for status in CYCLE:
        response = crew.post("/api/samus/250/resources/VLM.BESANCON/status", json={"status": status})
        assert response.status_code == 200, (status, response.text)
    mission = api("regulator.250").get(f"/api/samus/250/missions/{mission_id}").json()
    assert [h["status"] for h in mission["history"]] == ["DECISION", *CYCLE]
    assert {h["source"] for h in mission["history"][1:]} == {"CREW"}
    unit = _unit(api, "VLM.BESANCON")
    assert unit["availability"] == "AVAILABLE"  # RETOUR: free to be engaged again
    assert unit["status"] == "RETOUR"
    for status in ("RET-BASE", "REN-BASE"):
        assert (
            crew.post(f"/api/samus/250/missions/{mission_id}/status", json={"status": status}).status_code
            == 200
        )
    finished = api("regulator.250").get("/api/samus/250/missions").json()
    assert mission_id not in [m["mission_id"] for m in finished]


def test_console_status_and_refused_transitions(api, world):
    mission_id = _engage(api, world["number"]).json()["mission_id"]
    regulator = api("regulator.250")
    url = f"/api/samus/250/missions/{mission_id}/status"
    assert regulator.post(url, json={"status": "DECLENCHE"}).json()["history"][-1]["source"] == "CONSOLE"
    refused = regulator.post(url, json={"status": "DESTIN"})
    assert refused.status_code == 422
    assert "cannot go to DESTIN" in refused.json()["detail"]
    assert regulator.post(url, json={"status": "DECLENCHE"}).status_code == 422  # already there
    assert regulator.post(url, json={"status": "NOPE"}).status_code == 422
    assert regulator.post(url, json={"status": "ANNULE"}).status_code == 200
    assert _unit(api, "VLM.BESANCON")["availability"] == "AVAILABLE"
    # the room's supervisor reports a status the crew gave by radio (issue 13), but writes no radio log nor bilan
    supervisor = api("supervisor.250")
    moved = supervisor.post(url, json={"status": "RET-BASE"})
    assert moved.status_code == 200
    assert (moved.json()["history"][-1]["source"], moved.json()["next"]) == ("CONSOLE", ["REN-BASE"])
    radio = f"/api/samus/250/missions/{mission_id}/messages"
    assert supervisor.post(radio, json={"body": "Bien reçu"}).status_code == 403


def test_a_crew_updates_only_its_own_units_missions(api, world):
    mission_id = _engage(api, world["number"]).json()["mission_id"]
    body = {"status": "DECLENCHE"}
    outsider = api("crew.680")  # a crew of SAMU 680 on SAMU 250's mission
    assert outsider.post(f"/api/samus/250/missions/{mission_id}/status", json=body).status_code == 404
    assert outsider.post("/api/samus/250/resources/VLM.BESANCON/status", json=body).status_code == 404
    assert outsider.get(f"/api/samus/250/missions/{mission_id}").status_code == 404
    other_crew = api("crew2.250")  # same SAMU, another unit's crew
    assert other_crew.post(f"/api/samus/250/missions/{mission_id}/status", json=body).status_code == 403
    assert (
        other_crew.post(
            "/api/samus/250/resources/VLM.BESANCON/position", json={"lat": 47, "lon": 6}
        ).status_code
        == 403
    )
    assert other_crew.get("/api/crew/missions").json() == []
    # crews never engage units
    assert (
        api("crew.250")
        .post(f"/api/files/{world['number']}/missions", json={"resource_id": "AR.MONTBELIARD"})
        .status_code
        == 403
    )
    mine = api("crew.250").get("/api/crew/missions").json()
    assert [(m["mission_id"], m["address"]) for m in mine] == [(mission_id, "1 place du Marché")]


def test_positions_move_the_unit_and_keep_a_track(api, world, platform):
    crew = api("crew.250")
    now = platform.clock.now()
    fixes = ((47.24, now + timedelta(seconds=60)), (47.25, now + timedelta(seconds=120)))
    for lat, at in fixes:
        body = {"lat": lat, "lon": 6.03, "at": at.isoformat(), "speed_kmh": 60}
        response = crew.post("/api/samus/250/resources/VLM.BESANCON/position", json=body)
        assert response.status_code == 200, response.text
    older = {"lat": 40.0, "lon": 6.0, "at": (now + timedelta(seconds=90)).isoformat()}
    late = crew.post("/api/samus/250/resources/VLM.BESANCON/position", json=older)
    assert late.json()["lat"] == 47.25  # an older fix joins the track without moving the unit back
    track = api("regulator.250").get("/api/samus/250/resources/VLM.BESANCON/positions").json()
    assert [p["lat"] for p in track] == [47.24, 40.0, 47.25]
    assert [p["source"] for p in track] == ["CREW"] * 3
    bad = crew.post("/api/samus/250/resources/VLM.BESANCON/position", json={"lat": 91, "lon": 0})
    assert bad.status_code == 422


def test_radio_log_is_kept_on_the_file(api, world):
    number = world["number"]
    mission_id = _engage(api, number).json()["mission_id"]
    url = f"/api/samus/250/missions/{mission_id}/messages"
    assert api("regulator.250").post(url, json={"body": "Patient conscient ?"}).status_code == 201
    assert api("crew.250").post(url, json={"body": "Oui, bilan dans 5 min"}).status_code == 201
    assert api("crew2.250").post(url, json={"body": "x"}).status_code == 403
    log = api("regulator.250").get(f"/api/files/{number}/radio").json()
    assert [(m["direction"], m["body"]) for m in log] == [
        ("ROOM_TO_CREW", "Patient conscient ?"),
        ("CREW_TO_ROOM", "Oui, bilan dans 5 min"),
    ]
    assert len(api("crew.250").get(url).json()) == 2


def test_supervisor_adds_and_takes_units_out_of_service(api, world):
    supervisor = api("supervisor.250")
    body = {
        "resource_id": "TSU2.BESANCON",
        "name": "Ambulance 2",
        "resource_type": "TSU",
        "vehicle": "TSU.AMB",
        "crew_level": "SECOURS",
        "base_lat": 47.24,
        "base_lon": 6.02,
        "duty": [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "20:00", "end": "08:00"}],
    }
    created = supervisor.post("/api/samus/250/resources", json=body)
    assert created.status_code == 201, created.text
    assert supervisor.post("/api/samus/250/resources", json=body).status_code == 422  # exists
    assert (
        supervisor.post(
            "/api/samus/250/resources", json={**body, "resource_id": "X", "vehicle": "BUS"}
        ).status_code
        == 422
    )
    assert api("regulator.250").post("/api/samus/250/resources", json=body).status_code == 403
    out = supervisor.request(
        "PATCH", "/api/samus/250/resources/TSU1.BESANCON", json={"availability": "UNAVAILABLE"}
    )
    assert out.json()["availability"] == "UNAVAILABLE"
    assert _engage(api, world["number"], "TSU1.BESANCON").status_code == 422


def test_a_unit_triggered_at_once_starts_at_declenche(api, world):
    response = api("regulator.250").post(
        f"/api/files/{world['number']}/missions", json={"resource_id": "VLM.BESANCON", "triggered": True}
    )
    assert response.status_code == 201, response.text
    assert [h["status"] for h in response.json()["history"]] == ["DECLENCHE"]
    assert _unit(api, "VLM.BESANCON")["availability"] == "ENGAGED"


def test_supervisor_names_the_crew_and_its_phone(api, world):
    supervisor = api("supervisor.250")
    url = "/api/samus/250/resources/VLM.BESANCON"
    out = supervisor.request(
        "PATCH", url, json={"team_name": " Equipe SMUR A ", "crew_phone": "06 12 34 56 78"}
    )
    assert out.status_code == 200, out.text
    assert (out.json()["team_name"], out.json()["crew_phone"]) == ("Equipe SMUR A", "+33612345678")
    assert supervisor.request("PATCH", url, json={"crew_phone": "call me"}).status_code == 422
    cleared = supervisor.request("PATCH", url, json={"team_name": "", "crew_phone": ""}).json()
    assert (cleared["team_name"], cleared["crew_phone"]) == (None, None)
    assert api("regulator.250").request("PATCH", url, json={"team_name": "X"}).status_code == 403


def test_a_shared_file_tells_its_partner_of_engagements_and_asks_the_smur_through_the_api(
    api, world, platform
):
    import sqlalchemy as sa

    from sisamu.hubsante.tables import hub_outbox

    number, smur = world["number"], "fr.health.samu250.smur"
    regulator = api("regulator.250")
    ask = {"to": smur, "resources": [{"vehicle": "SMUR.AR", "medical_level": "MED", "freetext": ["Dr A"]}]}
    refused = regulator.post(f"/api/files/{number}/engagement-request", json=ask)
    assert refused.status_code == 422  # not shared with that SMUR software yet
    assert regulator.post(f"/api/files/{number}/share", json={"to": smur}).status_code == 202
    assert regulator.post(f"/api/files/{number}/engagement-request", json=ask).status_code == 202
    assert _engage(api, number).status_code == 201
    with platform.engine.connect() as conn:
        sent = conn.execute(
            sa.select(hub_outbox.c.message_type, hub_outbox.c.recipient).order_by(hub_outbox.c.id)
        ).all()
    assert [tuple(row) for row in sent] == [("RS-EDA", smur), ("RS-ER", smur), ("RS-RI", smur)]
