"""The file's RS-EDA details as pure rules: codes checked against their lists, ids and CIM-10 codes by their form,
labels kept only for the codes in use, patient measures in range, ORIENT naming who carries the patient."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from sisamu.cases import regulation
from sisamu.cases.details import Access, Diagnosis, ExternalId, Hypothesis, Street
from sisamu.cases.model import Actor, InvalidFile, new_file
from sisamu.cases.qualification import Location, Qualification
from sisamu.domain.codes import TypeDecision, TypeRessource

T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)
MR = Actor(uuid.uuid4(), "Dr Martin", "regulator")


def a_file():
    return new_file(
        samu_id="250",
        number="DRFR152502602500001",
        case_id="fr.health.samu250.DRFR152502602500001",
        actor=MR,
        now=T0,
    )


def test_details_are_cleaned_and_kept():
    q = Qualification().with_changes(
        {
            "caller_first_name": " Marie ",
            "caller_type": "FAMILLE",
            "caller_language": "fr",
            "caller_communication": "AUCUNE",
            "fait": "C09.03.00",
            "risques": ["R13", "R13"],
            "origine": "CTA-PI",
            "intervention": "T1",
            "motif": "M03.10",
            "labels": {"M03.10": " Malaise ", "M01.01": "not used by the file"},
            "additional": [{"key": "COMMERCIAL", "value": "IKEA Nantes"}],
            "location": {
                "street": {"complete": " Rue des Marins ", "type": "Rue"},
                "access": {"floor": " ", "access_codes": ["1234", " "]},
                "external_ids": [{"source": "SIRET", "value": "70142121200018"}],
            },
        }
    )
    assert q.caller_first_name == "Marie"
    assert q.risques == ("R13",)
    assert q.labels == {"M03.10": "Malaise"}
    assert q.location.street == Street("Rue des Marins", "Rue")
    assert q.location.access == Access(access_codes=("1234",))
    assert q.location.external_ids == (ExternalId("SIRET", "70142121200018"),)
    assert q.with_changes({"motif": "M01.01"}).labels == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"risques": ["R99"]}, "HubSante.risque"),
        ({"caller_type": "VOISIN"}, "HubSante.typeAppelant"),
        ({"caller_language": "xx"}, "HubSante.langue"),
        ({"fait": "C99.99.99"}, "HubSante.fait"),
        ({"origine": "PIGEON"}, "HubSante.origine"),
        ({"intervention": "T9"}, "HubSante.intervention"),
        ({"additional": [{"key": str(i), "value": "v"} for i in range(4)]}, "at most 3"),
        ({"location": {"external_ids": [{"source": "SIRET", "value": "12"}]}}, "SIRET"),
        ({"location": {"external_ids": [{"source": "DUNS", "value": "123456789"}]}}, "source"),
        ({"location": {"access": {"phone": "0381000000"}}}, "phone number"),
        ({"location": {"point_at": T0}}, "needs a point"),
    ],
)
def test_malformed_details_are_refused(changes, message):
    with pytest.raises(InvalidFile, match=message):
        Qualification().with_changes(changes)


def test_an_aml_origin_not_said_is_kept_unknown():
    assert Location(lat=47.2, lon=6.0, aml=None).checked().aml is None


def test_patient_measures_and_hypothesis():
    file = a_file()
    regulation.add_patient(file, T0, {"weight": 44, "height": 155})
    with pytest.raises(InvalidFile, match="weight"):
        regulation.update_patient(file, T0, 1, {"weight": 0})
    with pytest.raises(InvalidFile, match="height"):
        regulation.update_patient(file, T0, 1, {"height": 400})
    with pytest.raises(InvalidFile, match="CIM-10"):
        regulation.set_hypothesis(file, MR, T0, 1, Hypothesis(Diagnosis("monoxyde", "CO")))
    patient = regulation.set_hypothesis(
        file, MR, T0, 1, Hypothesis(Diagnosis(" T58 ", "Effet toxique du CO"))
    )
    assert patient.hypothesis == Hypothesis(Diagnosis("T58", "Effet toxique du CO"))
    assert file.holder is not None  # the physician took the file to state it
    assert regulation.set_hypothesis(file, MR, T0, 1, None).hypothesis is None


def test_orient_may_name_who_carries_the_patient():
    file = a_file()
    regulation.add_patient(file, T0, {})
    decision = regulation.record_decision(
        file, MR, T0, TypeDecision.ORIENT, patient_no=1, resource_type=TypeRessource.SIS, comment=" pompiers "
    )
    assert (decision.resource_type, decision.destination, decision.comment) == ("SIS", None, "pompiers")
    with pytest.raises(InvalidFile, match="sends no resource"):
        regulation.record_decision(file, MR, T0, TypeDecision.PASPLUS, resource_type=TypeRessource.SIS)
