"""The file's RS-EDA details across two SAMUs (one database, two Inboxes): what SAMU 250 shares, SAMU 680 keeps on
its own file — caller, alert, address, place, what happened with the sender's wording, patients' weight and
hypothesis, the notes with the sender's ids — and passes on unchanged when it shares the file in turn; a decision's
comment goes as the update's free text and arrives as a note."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from factories import add_samu
from sisamu.cases import patients, service
from sisamu.cases.details import Diagnosis, Hypothesis
from sisamu.domain.codes import TypeDecision
from sisamu.hubsante.inbox import Inbox
from sisamu.hubsante.tables import hub_outbox
from sisamu.interop import case_share
from sisamu.interop.common import link_of_case
from sisamu.interop.receivers import register_flows
from sisamu.security.roles import Principal, Role

pytestmark = pytest.mark.db
A, B, C = "fr.health.samu250", "fr.health.samu680", "fr.health.samu440"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # messages expire after a day
ARM = Principal(uuid.uuid4(), "arm.250", "Alice ARM", Role.ARM, "250")
MR = Principal(uuid.uuid4(), "mr.250", "Dr Martin", Role.REGULATOR, "250")
ARM_B = Principal(uuid.uuid4(), "arm.680", "Bob ARM", Role.ARM, "680")
QUALIFICATION = {
    "caller_phone": "+33671830523",
    "caller_name": "Marie Dubois",
    "caller_first_name": "Marie",
    "caller_last_name": "Dubois",
    "caller_type": "FAMILLE",
    "caller_language": "fr",
    "caller_note": "Mère des enfants",
    "received_at": T0 - timedelta(minutes=2),
    "alert_notes": [{"text": "Odeur de gaz", "at": T0 - timedelta(minutes=1)}],
    "fait": "C09.03.00",
    "risques": ["R13"],
    "origine": "CTA-PI",
    "intervention": "T1",
    "motif": "M03.10",
    "labels": {"M03.10": "Malaise avec perte de connaissance initiale (PCI)"},
    "location": {
        "number": "3",
        "street": {"complete": "Rue des Marins", "type": "Rue", "name": "des Marins"},
        "commune_insee": "25056",
        "name": "Maison aux volets verts",
        "directions": "Entrer par le garage",
        "access": {"floor": "RDC", "access_codes": ["1234"]},
        "external_ids": [{"source": "SIRET", "value": "70142121200018"}],
        "lat": 47.24,
        "lon": 6.02,
        "precision": "ADRESSE",
        "aml": None,
        "point_at": T0 - timedelta(minutes=1),
    },
}


@pytest.fixture
def samus(platform):
    add_samu(platform, "250", hub_id=A)
    add_samu(platform, "680", hub_id=B)
    return register_flows(Inbox(platform.uow, "680", B))


def _envelope(platform, message) -> dict:
    with platform.engine.connect() as conn:
        return dict(
            conn.execute(
                sa.select(hub_outbox.c.body).where(hub_outbox.c.distribution_id == message.distribution_id)
            ).scalar_one()
        )


def _sent(platform, message) -> dict:
    return dict(_envelope(platform, message)["content"][0]["jsonContent"]["embeddedJsonContent"]["message"])


def _queued(platform, message_type: str) -> list[dict]:
    """The envelopes of that type in the outbox, oldest first."""
    with platform.engine.connect() as conn:
        query = sa.select(hub_outbox.c.body).where(hub_outbox.c.message_type == message_type)
        return [dict(body) for body in conn.execute(query.order_by(hub_outbox.c.id)).scalars()]


def _deliver(platform, inbox, message) -> None:
    """The envelope SAMU 250 queued, as the Hub hands it to SAMU 680."""
    envelope = message if isinstance(message, dict) else _envelope(platform, message)
    outcome = inbox.receive(json.dumps(envelope).encode())
    assert outcome.applied, outcome.error


def test_details_survive_a_share_and_a_share_on(platform, samus):
    with platform.uow() as uow:
        file = service.open_file(uow, principal=ARM, samu_id="250", now=T0, qualification=QUALIFICATION)
        number = file.number
        patients.add_patient(
            uow,
            principal=ARM,
            number=number,
            now=T0,
            identity={"first_name": "Alice", "weight": 44, "height": 155},
        )
        patients.set_hypothesis(
            uow,
            principal=MR,
            number=number,
            patient_no=1,
            hypothesis=Hypothesis(Diagnosis("T58", "Effet toxique du monoxyde de carbone")),
            now=T0,
        )
        service.add_note(uow, principal=ARM, number=number, now=T0, body="Asthmatique", patient_no=1)
        shared = case_share.share_file(uow, principal=ARM, number=number, to=B, now=T0)
    sent = _sent(platform, shared)["createCaseHealth"]
    assert "status" not in sent["qualification"]["details"]  # a shared file starts ACTIF
    assert "isAml" not in sent["location"]["geometry"]["point"]  # the point's origin was not said
    _deliver(platform, samus, shared)

    with platform.uow() as uow:
        link = link_of_case(uow.conn, "680", sent["caseId"], partner=A)
        assert link is not None
        received = service.get_file(uow, principal=ARM_B, number=link.number, now=T0)
    q = received.qualification
    assert (q.caller_first_name, q.caller_last_name, q.caller_type, q.caller_note) == (
        "Marie",
        "Dubois",
        "FAMILLE",
        "Mère des enfants",
    )
    assert (q.fait, q.risques, q.origine, q.intervention) == ("C09.03.00", ("R13",), "CTA-PI", "T1")
    assert q.labels["M03.10"] == "Malaise avec perte de connaissance initiale (PCI)"
    assert q.received_at == T0 - timedelta(minutes=2)
    assert [n.text for n in q.alert_notes] == ["Odeur de gaz"]
    loc = q.location
    assert (loc.number, loc.street.complete if loc.street else None, loc.name) == (
        "3",
        "Rue des Marins",
        "Maison aux volets verts",
    )
    assert loc.access is not None
    assert loc.access.access_codes == ("1234",)
    assert [i.value for i in loc.external_ids] == ["70142121200018"]
    assert (loc.aml, loc.point_at) == (None, T0 - timedelta(minutes=1))
    patient = received.patients[0]
    assert (patient.weight, patient.height) == (44, 155)
    assert patient.hypothesis is not None
    assert patient.hypothesis.main == Diagnosis("T58", "Effet toxique du monoxyde de carbone")
    assert received.notes[0].hub_id == sent["medicalNote"][0]["medicalNoteId"]

    with platform.uow() as uow:
        onward = case_share.share_file(uow, principal=ARM_B, number=link.number, to=C, now=T0)
    again = _sent(platform, onward)["createCaseHealth"]
    for key in ("qualification", "location", "patient", "initialAlert"):
        assert again[key] == sent[key], key
    # the note keeps the id 250 gave it; its author is now written as the partner who sent it
    assert [(n["medicalNoteId"], n["freetext"]) for n in again["medicalNote"]] == [
        (n["medicalNoteId"], n["freetext"]) for n in sent["medicalNote"]
    ]


def test_a_decision_comment_goes_as_the_update_free_text(platform, samus):
    with platform.uow() as uow:
        file = service.open_file(uow, principal=ARM, samu_id="250", now=T0, qualification={"motif": "M03.10"})
        patients.add_patient(
            uow, principal=ARM, number=file.number, now=T0, identity={"first_name": "Delphine"}
        )
        shared = case_share.share_file(uow, principal=ARM, number=file.number, to=B, now=T0)
    _deliver(platform, samus, shared)
    later = T0 + timedelta(minutes=20)
    with platform.uow() as uow:
        service.record_decision(
            uow,
            principal=MR,
            number=file.number,
            now=later,
            decision=service.DecisionInput(TypeDecision.PASPLUS, patient_no=1, comment="Laissée sur place"),
        )  # the decision itself tells the partner (`handlers.file_changed`): nothing is left to send by hand
        assert case_share.send_updates(uow, principal=MR, number=file.number, now=later) == []
    (update,) = _queued(platform, "RS-EDA-MAJ")
    body = update["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["createCaseHealthUpdate"]
    # the comment, then what the update's schema does not structure (the physician took the file: DRM)
    assert body["freetext"].splitlines() == ["Laissée sur place", "qualification.details.attribution : DRM"]
    assert "attribution" not in body.get("qualification", {}).get("details", {})
    assert [d["decisionType"] for d in body["decision"]] == ["PASPLUS"]
    _deliver(platform, samus, update)
    with platform.uow() as uow:
        link = link_of_case(uow.conn, "680", body["caseId"], partner=A)
        assert link is not None
        received = service.get_file(uow, principal=ARM_B, number=link.number, now=later)
    assert [n.body for n in received.notes] == ["Décision du partenaire : PASPLUS", body["freetext"]]
