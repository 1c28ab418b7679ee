"""The crew's reports, pure: a bilan in the Hub's words, the RPIS checks, and its times from the mission."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sisamu.domain.codes import StatutVecteur as S
from sisamu.resources import mission as cycle
from sisamu.resources.mission import Source
from sisamu.smur.model import (
    Bilan,
    BilanPatient,
    Destination,
    Evaluation,
    InvalidReport,
    Rpis,
    Transport,
    VitalSign,
    missing_times,
    rpis_from_json,
    rpis_times,
    rpis_to_json,
)

T0 = datetime(2026, 5, 18, 16, 19, tzinfo=UTC)


def test_the_bilan_patient_takes_the_file_names_when_the_crew_gave_none():
    patient = BilanPatient(first_name="Gregoire", age=10, sex="M", weight_kg=36)
    assert patient.to_hub("Normand", "Grégoire") == {
        "lastName": "Normand",
        "firstName": "Gregoire",
        "age": "10",
        "sex": "M",
        "weight": 36,
    }
    assert BilanPatient().to_hub(None, None) == {"lastName": "INCONNU", "firstName": "INCONNU"}


def test_the_evaluation_in_the_hub_words_leaves_out_what_is_empty():
    evaluation = Evaluation(
        main_diagnosis="T58", vital_signs=(VitalSign("SATURATION_OXYGENE", "97", "3 l/min"),)
    )
    assert evaluation.to_hub() == {
        "mainDiagnosis": "T58",
        "parameter": [{"type": "SATURATION_OXYGENE", "value": "97", "precision": "3 l/min"}],
    }


@pytest.mark.parametrize(
    "bilan",
    [
        Bilan(redactor_role="CHAUFFEUR", written_at=T0),
        Bilan(redactor_role="MEDECIN", written_at=T0, patient=BilanPatient(sex="X")),
        Bilan(redactor_role="MEDECIN", written_at=T0, patient=BilanPatient(birth_date="18/05/2011")),
        Bilan(redactor_role="MEDECIN", written_at=T0, patient=BilanPatient(weight_kg=900)),
        Bilan(
            redactor_role="MEDECIN",
            written_at=T0,
            evaluation=Evaluation(vital_signs=(VitalSign("POULS", "80"),)),
        ),
    ],
)
def test_a_bilan_with_a_code_outside_the_lists_is_refused(bilan):
    with pytest.raises(InvalidReport):
        bilan.checked()


@pytest.mark.parametrize(
    "rpis",
    [
        Rpis(orientation=""),
        Rpis(orientation="OK", residence_insee="44018"),
        Rpis(orientation="OK", residence_insee="4401", residence_city="Bouaye"),
        Rpis(orientation="OK", destination=Destination("44000027", "142")),
        Rpis(orientation="OK", transport=Transport("SIS", "SIS.CAMION", "SECOURS")),
        Rpis(orientation="OK", times={"lunch": T0}),
    ],
)
def test_an_rpis_is_checked(rpis):
    with pytest.raises(InvalidReport):
        rpis.checked()


def test_the_rpis_times_come_from_the_mission_unless_corrected():
    mission = cycle.engage(
        samu_id="440", mission_id=1, resource_id="VLM2", file_number="F", now=T0, actor="a"
    )
    for i, status in enumerate([S.DECLENCHE, S.DEPART, S.ARRIVEE], start=1):
        cycle.advance(mission, status, now=T0 + timedelta(minutes=i), actor="crew", source=Source.CREW)
    times = rpis_times(mission, {"left_base": T0})
    assert times == {"engagement": T0, "left_base": T0, "on_scene": T0 + timedelta(minutes=3)}
    assert missing_times(times) == ["team_available", "back_at_base"]


def test_what_the_crew_entered_is_stored_and_read_back():
    rpis = Rpis(
        orientation="TEMP",
        nurse=False,
        residence_insee="44018",
        residence_city="Bouaye",
        destination=Destination("440000271", "142"),
        transport=Transport("SIS", "SIS.VSAV", "SECOURS"),
        procedures=("ACC",),
        times={"back_at_base": T0},
    )
    assert rpis_from_json(rpis_to_json(rpis)) == rpis.checked()
