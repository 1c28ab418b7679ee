"""RS-EDA export of a file validates against the official schema (the package's byte copy of it, checked against the
official SHA-256 by tests/unit/interop/test_hub_message_types.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from importlib import resources

import pytest
from jsonschema import Draft7Validator

from sisamu.cases import export, regulation
from sisamu.cases.model import Actor, new_file
from sisamu.domain.codes import NiveauSoin, TypeDecision, TypeRessource
from sisamu.domain.errors import DomainError
from sisamu.hubsante import parse_envelope

SCHEMA = resources.files("sisamu.hubsante.schemas") / "RS-EDA.schema.json"
T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)
ARM = Actor(uuid.uuid4(), "Alice ARM", "arm")
MR = Actor(uuid.uuid4(), "Dr Martin", "regulator")


def full_file():
    file = new_file(
        samu_id="250",
        number="DRFR152502602500001",
        case_id="fr.health.samu250.DRFR152502602500001",
        actor=ARM,
        now=T0,
        call_id="c1",
    )
    regulation.update_qualification(
        file,
        {
            "caller_name": "Jean Dupont",
            "caller_phone": "0612345678",
            "callback_phone": "0381000000",
            "motif": "M01.01",
            "lieu": "L01.01.01",
            "priority": "P1",
            "location": {
                "address": "2 rue Mégevand",
                "commune_insee": "25056",
                "commune_name": "Besançon",
                "lat": 47.2378,
                "lon": 6.0241,
                "precision": "EXACTE",
                "aml": True,
            },
        },
    )
    regulation.add_patient(
        file, T0, {"last_name": "Dupont", "first_name": "Marie", "birth_date": date(1950, 3, 2), "sex": "F"}
    )
    regulation.add_patient(file, T0, {"age": "P8Y"})
    regulation.reflex_departure(file, ARM, T0, TypeRessource.SMUR, patient_no=1)
    regulation.set_care_level(file, MR, T0, 1, NiveauSoin.R1)
    regulation.add_note(file, MR, T0, "ACR récupéré", patient_no=1)
    regulation.add_note(file, MR, T0, "ACR récupéré à 10 h 05", patient_no=1, corrects=1)
    regulation.record_decision(
        file, MR, T0, TypeDecision.ORIENT, patient_no=1, orientation="REA-USI", destination="CHU Minjoz"
    )
    return file


@pytest.fixture(scope="module")
def official():
    assert SCHEMA.is_file(), f"reference schema not found at {SCHEMA}"
    return Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_full_file_body_validates_against_the_reference_schema(official):
    body = export.rs_eda_body(full_file())
    assert [e.message for e in official.iter_errors(body)] == []
    assert body["qualification"]["details"] == {
        "status": "ACTIF",
        "priority": "P0",
        "careLevel": "R1",
        "attribution": "DRM",
    }
    assert body["patient"][0]["identity"]["strictFeatures"] == {"birthDate": "1950-03-02", "sex": "F"}
    assert body["medicalNote"][1]["freetext"].startswith("[correction de la note 1]")
    assert [d["decisionType"] for d in body["decision"]] == ["INTER", "ORIENT"]
    assert body["location"]["geometry"]["point"]["isAml"] is True


def test_a_bare_file_validates_too(official):
    file = new_file(
        samu_id="250",
        number="DRFR152502602500002",
        case_id="fr.health.samu250.DRFR152502602500002",
        actor=ARM,
        now=T0,
    )
    body = export.rs_eda_body(file)
    assert [e.message for e in official.iter_errors(body)] == []


def test_envelope_is_a_valid_hub_message():
    document = export.rs_eda_envelope(full_file(), T0, recipient_id="fr.health.samu440")
    message = parse_envelope(document)
    assert message.sender_id == "fr.health.samu250"
    assert message.recipient_id == "fr.health.samu440"
    assert message.body["caseId"] == "fr.health.samu250.DRFR152502602500001"


def test_an_invalid_export_is_refused(monkeypatch):
    monkeypatch.setattr(export, "rs_eda_body", lambda file: {"caseId": "x"})
    with pytest.raises(DomainError, match="does not validate"):
        export.rs_eda_envelope(full_file(), T0)
