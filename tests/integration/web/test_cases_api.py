"""The regulation-file API end to end: ARM qualifies, physician regulates, supervisor watches, tenants stay apart."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from jsonschema import Draft7Validator

pytestmark = pytest.mark.db

# The official schema: the package ships it byte for byte (checked by tests/unit/interop/test_hub_message_types.py).
SCHEMA = resources.files("sisamu.hubsante.schemas") / "RS-EDA.schema.json"


def test_a_call_from_qualification_to_acheve(accounts, login):
    arm, mr, sup = login("arm.250"), login("regulator.250"), login("supervisor.250")
    with sup.websocket_connect("/ws/live") as feed:
        assert feed.receive_json()["kind"] == "hello"
        opened = arm.post(
            "/api/samus/250/files",
            json={
                "call_id": "c-1",
                "qualification": {
                    "caller_phone": "06 12 34 56 78",
                    "motif": "M01.01",
                    "priority": "P1",
                    "location": {
                        "commune_insee": "25056",
                        "commune_name": "Besançon",
                        "lat": 47.24,
                        "lon": 6.02,
                        "precision": "VILLE",
                    },
                },
                "patients": [{"last_name": "Durand", "first_name": "Léa", "sex": "F", "age": "P67Y"}],
            },
        )
        assert opened.status_code == 201, opened.text
        file = opened.json()
        number = file["number"]
        event = feed.receive_json()
        assert (event["kind"], event["id"], event["data"]["priority"]) == ("case.opened", number, "P1")
        assert "Durand" not in json.dumps(event)
    assert file["state"] == "ACTIF"
    assert file["qualification"]["motif_label"]
    assert file["qualification"]["caller_phone"] == "+33612345678"

    stale = arm.request("PATCH", f"/api/files/{number}", json={"lieu": "L01.01.01", "version": 0})
    assert stale.status_code == 409
    patched = arm.request(
        "PATCH", f"/api/files/{number}", json={"lieu": "L01.01.01", "version": file["version"]}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == file["version"] + 1
    assert arm.post(f"/api/files/{number}/handover").json()["step"] == "QUEUED"

    queue = mr.get("/api/samus/250/files/queue").json()
    assert [q["number"] for q in queue] == [number]
    assert queue[0]["patients"] == 1
    assert arm.post(f"/api/files/{number}/take").status_code == 403
    taken = mr.post(f"/api/files/{number}/take").json()
    assert taken["holder"]["name"] == "regulator.250"
    assert taken["is_drm"]
    assert (
        mr.request("PUT", f"/api/files/{number}/patients/1/care-level", json={"level": "R2"}).status_code
        == 200
    )
    note = mr.post(f"/api/files/{number}/notes", json={"body": "Dyspnée, SpO2 88 %", "patient_no": 1})
    assert note.status_code == 201
    fix = mr.post(
        f"/api/files/{number}/notes", json={"body": "SpO2 90 %", "corrects": note.json()["note_no"]}
    )
    assert fix.json()["corrects"] == 1
    decision = mr.post(
        f"/api/files/{number}/decisions",
        json={"kind": "ORIENT", "patient_no": 1, "orientation": "URGENCES", "destination": "CHU Minjoz"},
    )
    assert decision.status_code == 201, decision.text
    bad = mr.post(f"/api/files/{number}/decisions", json={"kind": "INTER"})
    assert bad.status_code == 422
    assert "resource" in bad.json()["detail"]

    board = sup.get("/api/samus/250/files/board").json()
    assert board[0]["holder_name"] == "regulator.250"
    assert "caller_phone" not in board[0]
    assert mr.post(f"/api/files/{number}/release").json()["step"] == "REGULATED"
    done = mr.post(f"/api/files/{number}/transitions", json={"to": "ACHEVE"})
    assert done.json()["state"] == "ACHEVE"
    refused = mr.post(f"/api/files/{number}/transitions", json={"to": "CLOTURE"})
    assert refused.status_code == 422
    assert "only a VALIDE file" in refused.json()["detail"]

    seen = sup.get(f"/api/files/{number}").json()
    assert [n["corrected_by"] for n in seen["notes"]] == [[2], []]
    assert [t["kind"] for t in seen["timeline"]][:1] == ["status"]
    assert {t["kind"] for t in seen["timeline"]} == {"status", "note", "decision", "care_level"}
    assert sup.request("PATCH", f"/api/files/{number}", json={"priority": "P3"}).status_code == 403


def test_search_history_and_rs_eda(accounts, login):
    arm = login("arm.250")
    number = arm.post(
        "/api/samus/250/files",
        json={"qualification": {"caller_phone": "0381000000"}, "patients": [{"last_name": "Lefèvre"}]},
    ).json()["number"]
    assert [
        f["number"]
        for f in arm.get("/api/samus/250/files/history", params={"phone": "03 81 00 00 00"}).json()
    ] == [number]
    found = arm.get("/api/samus/250/files/search", params={"name": "lefevre"}).json()
    assert found[0]["number"] == number
    assert found[0]["patients"] == ["LEFÈVRE"]
    assert arm.get("/api/samus/250/files/search").status_code == 403
    reflex = arm.post(f"/api/files/{number}/reflex", json={"resource_type": "SMUR"})
    assert reflex.status_code == 201
    assert reflex.json()["reflex"]
    assert login("regulator.250").get("/api/samus/250/files/queue").json()[0]["step"] == "DIRECT"
    message = arm.get(f"/api/files/{number}/rs-eda", params={"to": "fr.health.samu440"})
    assert message.status_code == 200
    envelope = message.json()
    body = envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["createCaseHealth"]
    validator = Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(body)] == []
    assert body["qualification"]["details"]["priority"] == "P0"


def test_other_samus_national_and_grants(accounts, login):
    number = login("arm.250").post("/api/samus/250/files", json={}).json()["number"]
    outsider, national = login("regulator.680"), login("national")
    assert outsider.get(f"/api/files/{number}").status_code == 404
    assert outsider.get(f"/api/files/{number}/rs-eda").status_code == 404
    assert national.get(f"/api/files/{number}").status_code == 403
    assert national.get("/api/samus/250/files/board").status_code == 200
    assert national.get("/api/samus/250/files/queue").status_code == 403
    assert login("crew.250").get(f"/api/files/{number}").status_code == 403
    assert (
        login("arm.250")
        .post(f"/api/files/{number}/grants", json={"samu_id": "680", "reason": "SHARED"})
        .status_code
        == 403
    )
    granted = login("supervisor.250").post(
        f"/api/files/{number}/grants", json={"samu_id": "680", "reason": "OVERFLOW"}
    )
    assert granted.status_code == 204
    assert outsider.get(f"/api/files/{number}").status_code == 200
    assert outsider.get("/api/files/DRFR152502602599999").status_code == 404
    assert outsider.get("/api/files/not-a-number").status_code == 404
