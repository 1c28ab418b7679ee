"""The inbox a SAMU's Hub worker runs (`interop.worker.HubWorker`, what `sisamu hub worker` and `sisamu run`
start) applies every flow the SAMU receives, as its LRM and as its SMUR software: each message is given to
`Inbox.receive` as the consumer would, without a broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hub_network import EXAMPLE

from factories import add_samu
from sisamu.cases import service as cases
from sisamu.hubsante.envelope import new_message, parse_document
from sisamu.hubsante.tables import hub_resource_request
from sisamu.interop import case_share, mutual_aid
from sisamu.interop import emsi as emsi_flow
from sisamu.interop.common import link_of_case
from sisamu.interop.partner_state import partner_resources
from sisamu.interop.receivers import LRM_FLOWS, SMUR_FLOWS
from sisamu.interop.worker import HubWorker, Identity, UnknownSamu, identities, workers_for
from sisamu.security.roles import Principal, Role
from sisamu.smur import service as smur
from support import DATA

pytestmark = pytest.mark.db
US, A, SMUR = "fr.health.samu250", "fr.health.samu680", "fr.health.samu250.smur"
SMUR_SOFTWARE, FIRE = "fr.health.samu440.smur", "fr.fire.nexsis.sdis25"
EXAMPLES = DATA / "hubsante/examples"
REGULATOR = Principal(uuid.uuid4(), "regulator.250", "Dr 250", Role.REGULATOR, "250")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _example(kind: str, name: str) -> dict[str, Any]:
    (inner,) = json.loads((EXAMPLES / kind / name).read_text(encoding="utf-8")).values()
    return dict(inner)


class Samu:
    """SAMU 250 and the inbox of one of its Hub identities, built by its worker."""

    def __init__(self, platform: Any, identity: Identity) -> None:
        self.platform = platform
        self.worker = HubWorker(platform, identity)

    def receive(self, message_type: str, body: dict[str, Any], sender: str = A) -> None:
        message = new_message(
            message_type,
            body,
            sender_id=sender,
            recipient_id=self.worker.identity.client_id,
            sent_at=datetime.now(UTC),
        )
        outcome = self.worker.inbox.receive(json.dumps(message.to_envelope()).encode())
        assert outcome.applied, (message_type, outcome.error)

    def notes(self, number: str) -> list[str]:
        with self.platform.uow() as uow:
            return [n.body for n in cases.load_file(uow, "250", number, lock=False).notes]

    def link(self, case_id: str, partner: str = A) -> Any:
        with self.platform.uow() as uow:
            link = link_of_case(uow.conn, "250", case_id, partner=partner)
        assert link is not None
        return link


@pytest.fixture
def lrm(platform: Any) -> Samu:
    add_samu(platform, "250", hub_id=US)
    return Samu(platform, Identity("250", US, smur=False))


@pytest.fixture
def smur_software(platform: Any) -> Samu:
    add_samu(platform, "250", hub_id=US)
    with platform.uow() as uow:
        smur.configure_client(uow, principal=None, samu_id="250", client_id=SMUR, now=T0)
    return Samu(platform, Identity("250", SMUR, smur=True))


def test_a_samu_has_a_worker_per_hub_identity(platform: Any) -> None:
    add_samu(platform, "250", hub_id=US)
    assert identities(platform, "250") == [Identity("250", US, smur=False)]
    with platform.uow() as uow:
        smur.configure_client(uow, principal=None, samu_id="250", client_id=SMUR, now=T0)
    lrm, smur_client = workers_for(platform, ["250"])
    assert (lrm.identity, smur_client.identity) == (Identity("250", US, False), Identity("250", SMUR, True))
    assert lrm.relay.sender == US  # with a SMUR client, each worker relays its own rows
    assert set(lrm.inbox.handlers) == {"RC-REF", "RS-ERROR", *LRM_FLOWS}
    assert set(smur_client.inbox.handlers) == {"RC-REF", "RS-ERROR", *SMUR_FLOWS}
    with pytest.raises(UnknownSamu):
        identities(platform, "999")


def test_the_lrm_applies_a_shared_file_its_updates_resources_positions_and_emsi(lrm: Samu) -> None:
    body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
    case_id = body["caseId"]
    lrm.receive("RS-EDA", body)
    number = lrm.link(case_id).number
    assert "La victime est inconsciente (perte de connaissance)." in lrm.notes(number)
    note = {"operator": {"role": "MEDECIN"}, "medicalNoteId": f"{A}.medicalNote.0001"}
    note |= {"creation": "2026-03-02T10:00:00+01:00", "freetext": "Patient conscient"}
    lrm.receive("RS-EDA-MAJ", {"caseId": case_id, "medicalNote": [note]})
    assert "Patient conscient" in lrm.notes(number)
    unit = f"{A}.resource.VLM1"
    resource = {"datetime": "2026-03-02T10:01:00+01:00", "resourceId": unit, "vehicleType": "SMUR.VLM"}
    lrm.receive("RS-RI", {"caseId": case_id, "resource": [resource | {"name": "VLM 68"}]})
    state = {"datetime": "2026-03-02T10:05:00+01:00", "status": "DEPART"}
    lrm.receive("RS-SR", {"caseId": case_id, "resourceId": unit, "state": state})
    position = _example("GEO-POS", "CU2_Geolocation_01.json")["position"][0] | {"resourceId": unit}
    position["datetime"] = "2026-03-02T10:06:00+01:00"
    lrm.receive("GEO-POS", {"position": [position]})
    with lrm.platform.uow() as uow:  # the fire service answers the EMSI we sent it about the file
        sent = emsi_flow.send_emsi(uow, principal=REGULATOR, number=number, to=FIRE, now=T0)
    emsi = _example("EMSI", "EMSI-OPG-message.json")
    emsi["EVENT"]["MAIN_EVENT_ID"] = sent.body["EVENT"]["MAIN_EVENT_ID"]
    lrm.receive("EMSI", emsi, sender=FIRE)
    known = partner_resources(lrm.link(case_id))
    assert known[unit]["state"][0]["status"] == "DEPART"
    assert known[unit]["position"]["coord"] == position["coord"]
    assert "77_22245#VSAV2" in known  # the fire service's resource, from its EMSI
    notes = lrm.notes(number)
    assert any(n.startswith(f"Moyen engagé par {A}") for n in notes)
    assert any(n.startswith(f"EMSI de {FIRE}") for n in notes)


def test_the_lrm_applies_mutual_aid_requests_and_answers(lrm: Samu) -> None:
    body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
    lrm.receive("RS-EDA", body)
    number = lrm.link(body["caseId"]).number
    asked = _example("RS-DR", "RS-DR_partageRessources_DidierMorel.04a.json")
    lrm.receive("RS-DR", asked)
    with lrm.platform.uow() as uow:
        mine = mutual_aid.request_resources(
            uow, principal=REGULATOR, number=number, to=A, purpose="SMUR", now=T0
        )
    request_id = mine.body["request"]["requestId"]
    answer = _example("RS-RR", "RS-RR_partageRessources_DidierMorel.04b.json")
    lrm.receive("RS-RR", answer | {"caseId": body["caseId"], "requestId": request_id})
    with lrm.platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                hub_resource_request.c.direction, hub_resource_request.c.number, hub_resource_request.c.status
            )
        ).all()
    assert sorted(tuple(row) for row in rows) == [
        ("received", number, "PENDING"),
        ("sent", number, "ACCEPTEE"),
    ]


def test_the_lrm_keeps_the_smur_reports_of_a_file_it_shared(lrm: Samu) -> None:
    with lrm.platform.uow() as uow:
        file = cases.open_file(
            uow, principal=None, samu_id="250", now=T0, patients=[{"last_name": "Normand"}]
        )
        case_share.share_file(uow, principal=REGULATOR, number=file.number, to=SMUR_SOFTWARE, now=T0)
    case_id, patient = f"{US}.{file.number}", f"{US}.patient.{file.number}.1"
    bilan = _example("RS-BPV", "RS-BPV_FuiteDeGaz_GregoireNormand.14a.json")
    bilan |= {"caseId": case_id, "patient": bilan["patient"] | {"patientId": patient}}
    lrm.receive("RS-BPV", bilan, sender=SMUR_SOFTWARE)
    links = _example("RS-URL", "RS-URL_FuiteDeGaz_GregoireNormand.09.json")
    lrm.receive("RS-URL", links | {"caseId": case_id, "patientId": patient}, sender=SMUR_SOFTWARE)
    rpis = _example("RS-RPIS", "RS-RPIS_FuiteDeGaz_AliceNormand.15a.json")
    rpis["context"] |= {"orgId": US, "senderCaseId": file.number}
    rpis["patient"]["patientId"] = patient
    lrm.receive("RS-RPIS", rpis, sender=SMUR_SOFTWARE)
    with lrm.platform.uow() as uow:
        reports = smur.reports_of(uow, "250", file.number)
    assert [(b.direction, b.patient_no) for b in reports.bilans] == [("received", 1)]
    assert [(d.direction, d.patient_no, d.partner) for d in reports.documents] == [
        ("received", 1, SMUR_SOFTWARE)
    ]
    assert [(r.direction, r.patient_no) for r in reports.rpis] == [("received", 1)]


def test_the_smur_software_applies_the_lrm_file_its_updates_and_engagement_requests(
    smur_software: Samu,
) -> None:
    lrm = US  # the SMUR software's LRM: its SAMU's
    body = _example("RS-EDA", "RS-EDA-SMUR_FuiteDeGaz_AliceGregoireNormand.01.json")
    case_id = body["caseId"]
    smur_software.receive("RS-EDA", body, sender=lrm)
    link = smur_software.link(case_id, lrm)
    with smur_software.platform.engine.connect() as conn:
        (row,) = conn.execute(sa.text("SELECT number, case_id, lrm, client_id FROM smur_intervention")).all()
    assert tuple(row) == (link.number, case_id, lrm, SMUR)
    note = {"operator": {"role": "MEDECIN"}, "medicalNoteId": "fr.health.samu440.medicalNote.0009"}
    note |= {"creation": "2026-03-02T10:00:00+01:00", "freetext": "Deux enfants intoxiqués"}
    smur_software.receive("RS-EDA-MAJ", {"caseId": case_id, "medicalNote": [note]}, sender=lrm)
    asked = _example("RS-ER", "RS-ER_FuiteDeGaz_AliceGregoireNORMAND.02.json") | {"caseId": case_id}
    smur_software.receive("RS-ER", asked, sender=lrm)
    unit = f"{lrm}.resource.VSAV1"
    resource = {"datetime": "2026-03-02T10:01:00+01:00", "resourceId": unit, "vehicleType": "SIS.VSAV"}
    smur_software.receive("RS-RI", {"caseId": case_id, "resource": [resource]}, sender=lrm)
    state = {"datetime": "2026-03-02T10:05:00+01:00", "status": "ARRIVEE"}
    smur_software.receive("RS-SR", {"caseId": case_id, "resourceId": unit, "state": state}, sender=lrm)
    notes = smur_software.notes(link.number)
    assert "Deux enfants intoxiqués" in notes
    assert "Engagement demandé au SMUR : SMUR.VLM (MED)" in notes
    assert partner_resources(smur_software.link(case_id, lrm))[unit]["state"][0]["status"] == "ARRIVEE"
