"""The crew's reports through HTTP: bilan, RPIS and document links on its own unit's mission, read on the file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db

BILAN = {
    "patient_no": 1,
    "redactor_role": "MEDECIN",
    "redactor_label": "Dr Louis Poincinot",
    "patient": {"first_name": "Jean", "birth_date": "1961-04-02", "sex": "M", "weight_kg": 82},
    "medical_history": "HTA",
    "main_diagnosis": "I21",
    "vital_signs": [{"kind": "PRESSION_ARTERIELLE", "value": "90/60"}, {"kind": "GLASGOW", "value": "15"}],
}


def _mission(api, number: str) -> int:
    response = api("regulator.250").post(
        f"/api/files/{number}/missions", json={"resource_id": "VLM.BESANCON"}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["mission_id"])


def test_the_crew_records_a_bilan_the_room_reads_it_on_the_file(api, world, platform):
    number = world["number"]
    mission_id = _mission(api, number)
    response = api("crew.250").post(f"/api/samus/250/missions/{mission_id}/bilans", json=BILAN)
    assert response.status_code == 201, response.text
    assert response.json()["sent"] is None  # the file is ours: nothing leaves through the Hub
    documents = {
        "patient_no": 1,
        "documents": [{"document_type": "ECG", "url": "https://example.org/ecg.pdf"}],
    }
    assert (
        api("crew.250").post(f"/api/samus/250/missions/{mission_id}/documents", json=documents).status_code
        == 201
    )
    reports = api("regulator.250").get(f"/api/files/{number}/smur-reports")
    assert reports.status_code == 200, reports.text
    (bilan,) = reports.json()["bilans"]
    assert (bilan["direction"], bilan["patient_no"], bilan["mission_id"]) == ("recorded", 1, mission_id)
    content = bilan["content"]
    assert content["patient"] == {
        "lastName": "Durand",  # the file's name, the crew gave none
        "firstName": "Jean",
        "birthDate": "1961-04-02",
        "sex": "M",
        "weight": 82,
    }
    assert content["evaluation"]["parameter"] == [
        {"type": "PRESSION_ARTERIELLE", "value": "90/60"},
        {"type": "GLASGOW", "value": "15"},
    ]
    assert reports.json()["documents"][0]["content"]["document"] == [
        {"documentType": "ECG", "url": "https://example.org/ecg.pdf"}
    ]
    with platform.engine.connect() as conn:
        actions = list(
            conn.execute(select(audit_event.c.action).where(audit_event.c.samu_id == "250")).scalars()
        )
    assert {"file.smur.bilan", "file.smur.documents", "file.smur.read"} <= set(actions)


def test_only_the_unit_crew_or_the_room_reports_and_only_room_staff_read(api, world):
    number = world["number"]
    mission_id = _mission(api, number)
    url = f"/api/samus/250/missions/{mission_id}/bilans"
    assert api("crew2.250").post(url, json=BILAN).status_code == 403  # another unit's crew
    assert api("crew.680").post(url, json=BILAN).status_code in (403, 404)  # another SAMU
    assert api("regulator.680").post(url, json=BILAN).status_code in (403, 404)
    assert api("regulator.250").post(url, json=BILAN).status_code == 201  # from the console
    assert api("crew.250").get(f"/api/files/{number}/smur-reports").status_code == 403
    own = api("crew.250").get(f"/api/samus/250/missions/{mission_id}/reports")  # the crew's own mission
    assert own.status_code == 200
    assert [b["content"]["evaluation"]["mainDiagnosis"] for b in own.json()["bilans"]] == ["I21"]
    assert api("crew2.250").get(f"/api/samus/250/missions/{mission_id}/reports").status_code == 403
    assert api("regulator.680").get(f"/api/files/{number}/smur-reports").status_code == 404


def test_reports_are_checked(api, world):
    mission_id = _mission(api, world["number"])
    crew = api("crew.250")
    url = f"/api/samus/250/missions/{mission_id}"
    assert crew.post(f"{url}/bilans", json=BILAN | {"patient_no": 9}).status_code == 404
    unknown_sign = BILAN | {"vital_signs": [{"kind": "POULS", "value": "80"}]}
    assert crew.post(f"{url}/bilans", json=unknown_sign).status_code == 422
    assert crew.post(f"{url}/documents", json={"documents": [{"url": "ftp://x/y"}]}).status_code == 422
    rpis = {"patient_no": 1, "orientation": "OK", "residence_insee": "25056"}  # a commune without its name
    assert crew.post(f"{url}/rpis", json=rpis).status_code == 422
    ok = crew.post(
        f"{url}/rpis",
        json=rpis | {"residence_city": "Besançon", "times": {"left_base": "2026-01-01T10:00:00+01:00"}},
    )
    assert ok.status_code == 201, ok.text


def test_the_supervisor_sets_the_smur_software_client(api, world):
    body = {"client_id": "fr.health.samu250.smur", "finess_legal": "250000015", "structure": "0"}
    assert api("supervisor.250").put("/api/samus/250/smur-client", json=body).status_code == 200
    assert api("regulator.250").put("/api/samus/250/smur-client", json=body).status_code == 403
    assert (
        api("supervisor.250")
        .put("/api/samus/250/smur-client", json=body | {"client_id": "samu 250"})
        .status_code
        == 422
    )
