"""The typed core of case messages (RS-EDA createCaseHealth, RC-EDA createCase), tested on the examples."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from hub_reference import example_files, ids, load

from sisamu.hubsante.case_summary import CaseLocation, CaseSummary, Code, PatientSummary
from sisamu.hubsante.validation import validate_message

if TYPE_CHECKING:
    from pathlib import Path

CASES = [p for p in example_files() if p.parent.name in {"RS-EDA", "RC-EDA"}]


def _body(path: Path) -> tuple[str, dict]:
    ((root_key, body),) = load(path).items()
    return root_key, body


@pytest.mark.parametrize("path", CASES, ids=ids(CASES))
def test_summary_round_trips_on_the_examples(path: Path) -> None:
    _, body = _body(path)
    summary = CaseSummary.from_payload(body)
    assert summary.case_id == body["caseId"]
    assert summary.whats_happen is not None
    assert summary.whats_happen.code == body["qualification"]["whatsHappen"]["code"]
    assert summary.apply_to_payload(body) == body


def test_rs_eda_fields() -> None:
    _, body = _body(next(p for p in CASES if p.name == "RS-EDA_Secondaire_RobertVermande.01.json"))
    summary = CaseSummary.from_payload(body)
    assert summary == CaseSummary(
        case_id="fr.health.samu680.DRFR154402413800555",
        sender_case_id="DRFR154402413800555",
        creation=datetime(2024, 11, 18, 6, 57, tzinfo=timezone(timedelta(hours=2))),
        whats_happen=Code("C11.06.00", "Autre nature de fait"),
        priority="P2",
        location=CaseLocation(
            name="Hôpital du Hasenrain",
            address="87 Avenue d'Altkirch",
            city="Mulhouse",
            insee_code="68224",
            latitude=47.73673,
            longitude=7.33173,
            precision="EXACTE",
        ),
        patients=(
            PatientSummary(
                patient_id="fr.health.samu680.patient.68263",
                last_name="Vermande",
                first_name="Robert",
                birth_date="1967-09-17",
                sex="M",
            ),
        ),
    )


@pytest.mark.parametrize("path", CASES, ids=ids(CASES))
def test_changes_are_written_and_stay_valid(path: Path) -> None:
    root_key, body = _body(path)
    summary = CaseSummary.from_payload(body)
    changed = dataclasses.replace(
        summary,
        whats_happen=Code("C02.05.00", "Atteinte aux personnes ; Pathologie / maladie"),
        location=dataclasses.replace(summary.location or CaseLocation(), city="Nantes", insee_code="44109"),
        priority="P0" if root_key == "createCaseHealth" else None,
        patients=(*summary.patients, PatientSummary(patient_id="fr.health.samu440.patient.X.9", sex="F"))
        if root_key == "createCaseHealth"
        else (),
    )
    written = changed.apply_to_payload(body)
    assert validate_message(root_key, written) == []
    assert CaseSummary.from_payload(written) == changed
    assert written["initialAlert"] == body["initialAlert"]  # untouched parts stay as they were


def test_none_removes_the_property_and_empty_parents() -> None:
    _, body = _body(next(p for p in CASES if p.parent.name == "RS-EDA"))
    summary = dataclasses.replace(CaseSummary.from_payload(body), priority=None, whats_happen=None)
    written = summary.apply_to_payload(body)
    assert "whatsHappen" not in written["qualification"]
    assert "priority" not in written["qualification"].get("details", {})
