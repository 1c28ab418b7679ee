"""The file's RS-EDA details through the API: the ARM types the caller, alert, address and place, the physician
the patient's hypothesis and the decision's comment; the RS-EDA export carries them and validates."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from jsonschema import Draft7Validator

pytestmark = pytest.mark.db

# The official schema: the package ships it byte for byte (checked by tests/unit/interop/test_hub_message_types.py).
SCHEMA = resources.files("sisamu.hubsante.schemas") / "RS-EDA.schema.json"
QUALIFICATION = {
    "caller_phone": "06 71 83 05 23",
    "caller_first_name": "Marie",
    "caller_last_name": "Dubois",
    "caller_type": "FAMILLE",
    "caller_language": "fr",
    "caller_communication": "AUCUNE",
    "caller_note": "Mère des enfants",
    "received_at": "2026-01-25T10:59:00+01:00",
    "alert_notes": [{"text": "Odeur de gaz dans la maison", "at": "2026-01-25T11:00:00+01:00"}],
    "fait": "C09.03.00",
    "risques": ["R13"],
    "origine": "15",
    "intervention": "T1",
    "motif": "M03.10",
    "labels": {"C09.03.00": "Fuite de gaz (domicile)"},
    "additional": [{"key": "COMMERCIAL", "value": "IKEA Nantes"}],
    "location": {
        "number": "3",
        "street": {"complete": "Rue des Marins", "type": "Rue", "name": "des Marins"},
        "commune_insee": "25056",
        "name": "Maison aux volets verts",
        "directions": "Entrer par le garage",
        "access": {"floor": "RDC", "access_codes": ["1234"], "phone": "+33381000000"},
        "external_ids": [{"source": "SIRET", "value": "70142121200018"}],
        "lat": 47.24,
        "lon": 6.02,
        "precision": "ADRESSE",
        "point_at": "2026-01-25T11:01:00+01:00",
    },
}


def test_details_typed_read_back_and_exported(accounts, login):
    arm, mr = login("arm.250"), login("regulator.250")
    opened = arm.post(
        "/api/samus/250/files",
        json={
            "qualification": QUALIFICATION,
            "patients": [{"first_name": "Alice", "weight": 44, "height": 155}],
        },
    )
    assert opened.status_code == 201, opened.text
    file = opened.json()
    number, q = file["number"], file["qualification"]
    assert (q["caller_first_name"], q["caller_type"], q["risques"], q["fait_label"]) == (
        "Marie",
        "FAMILLE",
        ["R13"],
        "Fuite de gaz",
    )
    assert q["location"]["street"]["complete"] == "Rue des Marins"
    assert q["location"]["access"]["access_codes"] == ["1234"]
    assert file["patients"][0]["weight"] == 44

    refused = arm.request("PATCH", f"/api/files/{number}", json={"risques": ["R99"]})
    assert refused.status_code == 422, refused.text
    assert arm.request("PATCH", f"/api/files/{number}", json={"caller_type": "VOISIN"}).status_code == 422
    many = {"labels": {f"M01.{i:02}": "x" for i in range(21)}}
    assert arm.request("PATCH", f"/api/files/{number}", json=many).status_code == 422
    bad_siret = {"location": {"external_ids": [{"source": "SIRET", "value": "123"}]}}
    assert arm.request("PATCH", f"/api/files/{number}", json=bad_siret).status_code == 422

    hypothesis = {"hypothesis": {"main": {"code": "T58", "label": "Effet toxique du monoxyde de carbone"}}}
    assert (
        arm.request("PUT", f"/api/files/{number}/patients/1/hypothesis", json=hypothesis).status_code == 403
    )
    set_ = mr.request("PUT", f"/api/files/{number}/patients/1/hypothesis", json=hypothesis)
    assert set_.status_code == 200, set_.text
    assert set_.json()["hypothesis"]["main"]["code"] == "T58"
    wrong = {"hypothesis": {"main": {"code": "monoxyde", "label": "CO"}}}
    assert mr.request("PUT", f"/api/files/{number}/patients/1/hypothesis", json=wrong).status_code == 422
    decided = mr.post(
        f"/api/files/{number}/decisions",
        json={
            "kind": "ORIENT",
            "patient_no": 1,
            "resource_type": "SIS",
            "comment": "transport par les pompiers",
        },
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["comment"] == "transport par les pompiers"

    exported = arm.get(f"/api/files/{number}/rs-eda").json()
    body = exported["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["createCaseHealth"]
    assert list(Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).iter_errors(body)) == []
    assert body["qualification"]["whatsHappen"] == {"code": "C09.03.00", "label": "Fuite de gaz (domicile)"}
    assert body["qualification"]["riskThreat"][0]["code"] == "R13"
    assert (body["qualification"]["origin"], body["interventionType"]) == ("15", "T1")
    caller = body["initialAlert"]["caller"]
    assert caller["detailedName"] == {"complete": "Marie Dubois", "lastName": "Dubois", "firstName": "Marie"}
    assert (caller["type"], caller["language"], caller["freetext"]) == ("FAMILLE", "fr", "Mère des enfants")
    assert body["initialAlert"]["notes"][0]["freetext"] == "Odeur de gaz dans la maison"
    assert body["initialAlert"]["reception"].startswith("2026-01-25T09:59:00")
    location = body["location"]
    assert location["detailedAddress"]["number"] == "3"
    assert location["detailedAddress"]["complete"] == "3 Rue des Marins"
    assert (location["name"], location["freetext"]) == ("Maison aux volets verts", "Entrer par le garage")
    assert location["access"] == {"floor": "RDC", "accessCode": ["1234"], "phoneNumber": "+33381000000"}
    assert location["geometry"]["datetime"].startswith("2026-01-25T10:01:00")
    assert location["geometry"]["point"]["isAml"] is False
    assert body["additionalInformation"] == {"customMap": [{"key": "COMMERCIAL", "value": "IKEA Nantes"}]}
    patient = body["patient"][0]
    assert patient["detail"]["weight"] == 44
    assert patient["hypothesis"]["mainDiagnosis"]["code"] == "T58"
    assert body["decision"][0]["resourceType"] == "SIS"
