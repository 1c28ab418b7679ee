"""sisamu as a SAMU's SMUR software (RS-EDA in, RS-RI/RS-SR/RS-BPV/RS-URL/RS-RPIS out from its own client id) and,
on the LRM's side, the SMUR's bilans, document links and RPIS received onto the file."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sent_reports import message_left

from factories import add_samu, add_unit
from sisamu.cases import service as cases
from sisamu.hubsante.envelope import new_message
from sisamu.hubsante.inbox import Inbox
from sisamu.hubsante.tables import hub_outbox
from sisamu.hubsante.validation import validate_envelope
from sisamu.interop import smur_role
from sisamu.interop.receivers import register_flows, register_smur_flows
from sisamu.interop.smur_reports import RpisIncomplete
from sisamu.platform.events import MissionEngaged, MissionStatusChanged, SmurReport
from sisamu.resources import service as fleet
from sisamu.security.roles import Principal, Role
from sisamu.smur import service as smur
from sisamu.smur.model import Bilan, BilanPatient, Evaluation, Rpis, VitalSign
from sisamu.smur.tables import smur_bilan, smur_document_link, smur_rpis
from sisamu.storage.tables import audit_event
from support import DATA

pytestmark = pytest.mark.db
LRM, SMUR = "fr.health.samu440", "fr.health.samu440.smur"
ORU = "fr.health.oru.paysdelaloire"
EXAMPLES = DATA / "hubsante/examples"
T0 = datetime(2024, 5, 18, 16, 19, tzinfo=UTC)
NANTES = (47.2, -1.55)  # the SMUR units' base
CYCLE = ["DECLENCHE", "DEPART", "ARRIVEE", "PEC", "BILAN", "ORIENTAT", "TRANSP", "DESTIN", "FINPEC", "RETOUR"]


def _example(kind: str, name: str) -> dict[str, Any]:
    (inner,) = json.loads((EXAMPLES / kind / name).read_text(encoding="utf-8")).values()
    return dict(inner)


def _sent(platform: Any, distribution_id: str) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        row = conn.execute(sa.select(hub_outbox).where(hub_outbox.c.distribution_id == distribution_id)).one()
    assert validate_envelope(row.body) == []
    assert (row.sender, row.samu_id) == (SMUR, "440")
    return dict(row.body["content"][0]["jsonContent"]["embeddedJsonContent"]["message"])


def _actions(platform: Any, samu_id: str) -> set[str]:
    with platform.engine.connect() as conn:
        query = sa.select(audit_event.c.action).where(audit_event.c.samu_id == samu_id)
        return set(conn.execute(query).scalars())


class Smur:
    """SAMU 44 whose SMUR software is sisamu: the LRM's file received on the SMUR client, VLM2 engaged on it."""

    def __init__(self, platform: Any, *, rpis_recipient: str | None = None) -> None:
        self.platform = platform
        self.sent: dict[int, Any] = {}
        platform.settings.hub_rpis_recipient = rpis_recipient  # SISAMU_HUB_RPIS_RECIPIENT, read at each send
        with platform.uow() as uow:
            add_samu(uow, "440", hub_id=LRM)
            smur.configure_client(
                uow,
                principal=None,
                samu_id="440",
                client_id=SMUR,
                finess_legal="440000271",
                finess_geo="440000289",
                now=T0,
            )
        self.inbox = register_smur_flows(Inbox(platform.uow, "440", SMUR))
        body = _example("RS-EDA", "RS-EDA-SMUR_FuiteDeGaz_AliceGregoireNormand.01.json")
        self.case_id = body["caseId"]
        assert self.receive("RS-EDA", body).applied
        with platform.engine.connect() as conn:
            self.number = conn.execute(sa.text("SELECT number FROM smur_intervention")).scalar_one()
        with platform.uow() as uow:
            add_unit(uow, "440", "VLM2", base=NANTES, now=T0)
            self.mission_id = fleet.engage(
                uow, principal=None, number=self.number, resource_id="VLM2", now=T0
            ).mission_id

    def receive(self, message_type: str, body: dict[str, Any]) -> Any:
        message = new_message(message_type, body, sender_id=LRM, recipient_id=SMUR, sent_at=datetime.now(UTC))
        return self.inbox.receive(json.dumps(message.to_envelope()).encode())

    def through(self, statuses: list[str], step: timedelta = timedelta(minutes=5)) -> None:
        with self.platform.uow() as uow:
            for i, status in enumerate(statuses, start=1):
                fleet.report_status(
                    uow,
                    principal=None,
                    samu_id="440",
                    mission_id=self.mission_id,
                    status=status,
                    now=T0 + i * step,
                )

    def bilan(self, patient_no: int, **evaluation: Any) -> int:
        """Record a bilan; the message it left in is kept in `self.sent`."""
        with self.platform.uow() as uow:
            bilan_id = smur.record_bilan(
                uow,
                principal=None,
                samu_id="440",
                mission_id=self.mission_id,
                patient_no=patient_no,
                bilan=Bilan(
                    redactor_role="MEDECIN",
                    redactor_label="Louis POINCINOT",
                    written_at=T0 + timedelta(minutes=22),
                    patient=BilanPatient(birth_name="Normand", weight_kg=36, height_cm=149, age=10),
                    evaluation=Evaluation(**evaluation),
                ),
                now=T0 + timedelta(minutes=22),
            )
            self.sent[bilan_id] = message_left(uow, SmurReport.BILAN, bilan_id)
        return bilan_id


def test_the_lrm_file_reaches_the_smur_and_its_units_answer_from_the_smur_client(platform):
    side = Smur(platform)
    with platform.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT case_id, lrm, client_id FROM smur_intervention")).one()
    assert tuple(row) == (side.case_id, LRM, SMUR)
    file = _file(platform, side.number)
    assert [p.first_name for p in file.patients] == ["Alice", "Grégoire"]
    side.through(["DECLENCHE", "DEPART"])
    with platform.uow() as uow:
        info = smur_role.share_engagement(uow, principal=None, samu_id="440", number=side.number, now=T0)
        status = smur_role.share_status(
            uow, principal=None, samu_id="440", mission_id=side.mission_id, now=T0
        )
    assert info is not None
    assert status is not None
    resources = _sent(platform, info.distribution_id)["resourcesInfo"]
    assert resources["caseId"] == side.case_id
    assert resources["resource"][0]["resourceId"] == "fr.health.samu440.resource.VLM2"
    sent_status = _sent(platform, status.distribution_id)["resourcesStatus"]
    assert sent_status["state"]["status"] == "DEPART"
    assert {"file.hub.receive", "file.hub.smur_resources", "file.hub.smur_status"} <= _actions(
        platform, "440"
    )


def test_an_engagement_asked_by_the_lrm_becomes_a_note_for_the_smur(platform):
    side = Smur(platform)
    asked = _example("RS-ER", "RS-ER_FuiteDeGaz_AliceGregoireNORMAND.02.json") | {"caseId": side.case_id}
    assert side.receive("RS-ER", asked).applied
    assert any(
        "Engagement demandé au SMUR : SMUR.VLM (MED)" in n.body for n in _file(platform, side.number).notes
    )
    unknown = side.receive("RS-ER", asked | {"caseId": "fr.health.samu440.DRFR154402400000001"})
    assert not unknown.applied


def test_a_bilan_leaves_for_the_lrm_with_its_patient_and_revisions_keep_its_id(platform):
    side = Smur(platform)
    first = side.bilan(2, medical_history="Crise d'asthme récurrente", treatment="PULMICORT 0,5 mg/2 ml")
    final = side.bilan(2, main_diagnosis="T58", vital_signs=(VitalSign("FREQUENCE_CARDIAQUE", "80-110"),))
    messages = [side.sent[b] for b in (first, final)]
    bodies = [_sent(platform, m.distribution_id)["interventionReport"] for m in messages if m is not None]
    assert bodies[0]["reportId"] == bodies[1]["reportId"]
    patient = bodies[1]["patient"]
    assert patient == {
        "patientId": "fr.health.samu440.patient.DRFR154402413800236.2",  # the LRM's id for Grégoire
        "lastName": "Normand",  # the file's names where the crew gave none
        "firstName": "Grégoire",
        "birthName": "Normand",
        "age": "10",
        "height": 149,
        "weight": 36,
    }
    assert bodies[1]["evaluation"] == {
        "mainDiagnosis": "T58",
        "parameter": [{"type": "FREQUENCE_CARDIAQUE", "value": "80-110"}],
    }
    assert bodies[1]["creation"] == "2024-05-18T18:41:00+02:00"
    assert "file.smur.bilan" in _actions(platform, "440")


def test_a_bilan_whose_message_the_schemas_refuse_stays_recorded_on_the_file(platform, caplog):
    side = Smur(platform)
    with platform.engine.begin() as conn:  # a case id the Hub's pattern refuses
        conn.execute(sa.text("UPDATE hub_case_link SET case_id = 'pas un identifiant'"))
    with caplog.at_level("WARNING", logger="sisamu.interop.handlers"):
        bilan_id = side.bilan(1, main_diagnosis="T58")
    assert side.sent[bilan_id] is None  # no message left, the answer says so
    assert "not sent" in caplog.text
    with platform.uow() as uow:
        (kept,) = smur.reports_of(uow, "440", side.number).bilans
    assert (kept.bilan_id, kept.partner) == (bilan_id, None)


def test_document_links_leave_for_the_lrm(platform):
    side = Smur(platform)
    with platform.uow() as uow:
        link_id = smur.record_documents(
            uow,
            principal=None,
            samu_id="440",
            mission_id=side.mission_id,
            documents=[("ECG", "https://example.org/ecg.pdf"), (None, "https://example.org/photo.jpg")],
            patient_no=1,
            code="AZ2892",
            now=T0,
        )
        message = message_left(uow, SmurReport.DOCUMENTS, link_id)
    assert message is not None
    assert _sent(platform, message.distribution_id)["documentLink"] == {
        "caseId": side.case_id,
        "patientId": "fr.health.samu440.patient.DRFR154402413800236.1",
        "code": "AZ2892",
        "document": [
            {"documentType": "ECG", "url": "https://example.org/ecg.pdf"},
            {"url": "https://example.org/photo.jpg"},
        ],
    }


def test_the_rpis_takes_its_times_from_the_mission_and_goes_to_the_rpis_recipient(platform):
    side = Smur(platform, rpis_recipient=ORU)
    side.bilan(1, main_diagnosis="T58")
    entered = Rpis(orientation="OK", nurse=False, residence_insee="44018", residence_city="Bouaye")
    with (
        pytest.raises(RpisIncomplete, match="left_base, team_available, back_at_base"),
        platform.uow() as uow,
    ):
        smur.record_rpis(
            uow, principal=None, samu_id="440", mission_id=side.mission_id, patient_no=1, rpis=entered, now=T0
        )
    side.through([*CYCLE, "REN-BASE"])
    corrected = Rpis(orientation="OK", times={"left_base": T0 + timedelta(minutes=3)})
    with platform.uow() as uow:
        rpis_id = smur.record_rpis(
            uow,
            principal=None,
            samu_id="440",
            mission_id=side.mission_id,
            patient_no=1,
            rpis=corrected,
            now=T0,
        )
        message = message_left(uow, SmurReport.RPIS, rpis_id)
    assert message is not None
    assert message.recipient_id == ORU
    rpis = _sent(platform, message.distribution_id)["rpis"]
    assert rpis["context"] == {
        "orgId": LRM,
        "senderCaseId": "DRFR154402413800236",
        "creationDate": "2024-05-18T18:15:00+02:00",  # the case's creation at the LRM
        "decisionDate": "2024-05-18T18:19:00+02:00",  # the mission's DECISION
        "ressourceFinessLegal": "440000271",
        "ressourceFinessGeo": "440000289",
        "ressourceStructure": "0",
    }
    assert rpis["intervention"]["smurStatus"] == {
        "departSmur": "2024-05-18T18:22:00+02:00",  # corrected by the crew
        "arrivedSmur": "2024-05-18T18:34:00+02:00",
        "departLocation": "2024-05-18T18:54:00+02:00",
        "arrivedDestination": "2024-05-18T18:59:00+02:00",
        "teamAvailable": "2024-05-18T19:09:00+02:00",
        "returnSmur": "2024-05-18T19:14:00+02:00",
    }
    assert rpis["regulation"]["whatsHappen"] == {"code": "C09.03.00", "label": "Fuite de gaz"}
    assert rpis["regulation"]["healthMotive"]["code"] == "M03.10"
    assert rpis["patient"] == {
        "patientId": "fr.health.samu440.patient.DRFR154402413800236.1",
        "birthDate": "2011-05-11",
        "sex": "F",
    }
    assert rpis["intervention"]["mainDiagnosis"] == "T58"  # from the bilan
    with platform.engine.connect() as conn:
        stored = conn.execute(
            sa.select(smur_rpis.c.rpis, smur_rpis.c.partner).order_by(smur_rpis.c.rpis_id)
        ).all()
    # the first one could not be sent: its recording was refused with it (the crew corrects and records again)
    assert [row.partner for row in stored] == [ORU]
    assert stored[0].rpis == rpis


def test_a_file_of_our_own_keeps_the_reports_without_sending(platform):
    side = Smur(platform)
    with platform.uow() as uow:
        own = cases.open_file(uow, principal=None, samu_id="440", now=T0, patients=[{"last_name": "Martin"}])
        add_unit(uow, "440", "VLM3", base=NANTES, now=T0)
        mission = fleet.engage(uow, principal=None, number=own.number, resource_id="VLM3", now=T0)
        bilan_id = smur.record_bilan(
            uow,
            principal=None,
            samu_id="440",
            mission_id=mission.mission_id,
            patient_no=1,
            bilan=Bilan(redactor_role="INFIRMIER", written_at=T0),
            now=T0,
        )
        assert message_left(uow, SmurReport.BILAN, bilan_id) is None
    assert side.number != own.number


# --- the LRM's side --------------------------------------------------------------------------------------------


class Lrm:
    """SAMU 440 as the LRM: its file shared with the SMUR software, which sends its reports back."""

    def __init__(self, platform: Any) -> None:
        from sisamu.interop import case_share

        self.platform = platform
        with platform.uow() as uow:
            add_samu(uow, "440", hub_id=LRM)
            file = cases.open_file(
                uow, principal=None, samu_id="440", now=T0, patients=[{"last_name": "Normand"}] * 2
            )
            self.number = file.number
            regulator = Principal(uuid.uuid4(), "regulator.440", "Dr Martin", Role.REGULATOR, "440")
            case_share.share_file(uow, principal=regulator, number=file.number, to=SMUR, now=T0)
        with platform.engine.connect() as conn:
            self.case_id = conn.execute(sa.text("SELECT case_id FROM hub_case_link")).scalar_one()
        self.inbox = register_flows(Inbox(platform.uow, "440", LRM))

    def receive(self, message_type: str, body: dict[str, Any]) -> Any:
        message = new_message(message_type, body, sender_id=SMUR, recipient_id=LRM, sent_at=datetime.now(UTC))
        return self.inbox.receive(json.dumps(message.to_envelope()).encode())

    def patient(self, n: int) -> str:
        return f"{LRM}.patient.{self.number}.{n}"


def test_the_lrm_keeps_the_smur_bilans_documents_and_rpis_on_the_file(platform):
    side = Lrm(platform)
    bilan = _example("RS-BPV", "RS-BPV_FuiteDeGaz_GregoireNormand.14a.json")
    bilan |= {"caseId": side.case_id, "patient": bilan["patient"] | {"patientId": side.patient(2)}}
    assert side.receive("RS-BPV", bilan).applied
    links = _example("RS-URL", "RS-URL_FuiteDeGaz_GregoireNormand.09.json")
    assert side.receive("RS-URL", links | {"caseId": side.case_id, "patientId": side.patient(2)}).applied
    rpis = _example("RS-RPIS", "RS-RPIS_FuiteDeGaz_AliceNormand.15a.json")
    rpis["context"] |= {"orgId": LRM, "senderCaseId": side.number}
    rpis["patient"]["patientId"] = side.patient(1)
    assert side.receive("RS-RPIS", rpis).applied
    with platform.engine.connect() as conn:
        bilans = conn.execute(sa.select(smur_bilan)).all()
        documents = conn.execute(sa.select(smur_document_link)).all()
        summaries = conn.execute(sa.select(smur_rpis)).all()
    assert [(b.direction, b.number, b.patient_no, b.partner) for b in bilans] == [
        ("received", side.number, 2, SMUR)
    ]
    assert bilans[0].evaluation["mainDiagnosis"] == "T58"
    assert [(d.patient_no, len(d.documents)) for d in documents] == [(2, 4)]
    assert [(s.patient_no, s.rpis["intervention"]["mainDiagnosis"]) for s in summaries] == [(1, "T58")]
    notes = [n.body for n in _file(platform, side.number).notes]
    assert any(
        n.startswith("Bilan SMUR de Gregoire Normand ; diagnostic T58 ; FREQUENCE_CARDIAQUE 80-110")
        for n in notes
    )
    assert any(n.startswith("Documents SMUR reçus : PRESCRIPTION, IDENTITE") for n in notes)
    assert {"file.hub.receive_bilan", "file.hub.receive_documents", "file.hub.receive_rpis"} <= _actions(
        platform, "440"
    )


def test_a_report_on_a_case_never_shared_is_refused(platform):
    side = Lrm(platform)
    bilan = _example("RS-BPV", "RS-BPV_FuiteDeGaz_GregoireNormand.12a.json")
    outcome = side.receive("RS-BPV", bilan | {"caseId": "fr.health.samu440.DRFR154402400000009"})
    assert not outcome.applied
    assert "unknown case" in (outcome.error or "")


def _file(platform: Any, number: str) -> Any:
    with platform.uow() as uow:
        return cases.load_file(uow, "440", number, lock=False)


def test_each_hub_client_of_the_samu_relays_its_own_rows(platform):
    from sisamu.hubsante import outbox

    side = Smur(platform)
    side.through(["DECLENCHE"])
    with platform.uow() as uow:
        status = smur_role.share_status(
            uow, principal=None, samu_id="440", mission_id=side.mission_id, now=T0
        )
    assert status is not None
    with platform.engine.begin() as conn:
        everything = outbox.claim_pending(conn, "440", 100)
        smur_rows = outbox.claim_pending(conn, "440", 100, sender=SMUR)
        lrm_rows = outbox.claim_pending(conn, "440", 100, sender=LRM)
    assert {row.sender for row in smur_rows} == {SMUR}
    assert status.distribution_id in {row.distribution_id for row in smur_rows}
    assert {row.sender for row in lrm_rows} <= {LRM}
    assert len(smur_rows) + len(lrm_rows) == len(everything)


def _engaged(item: Any) -> MissionEngaged:
    return MissionEngaged(
        samu_id=item.samu_id, mission_id=item.mission_id, file_number=item.file_number,
        resource_id=item.resource_id, at=T0, actor=None,
    )  # fmt: skip


def _status(item: Any) -> MissionStatusChanged:
    return MissionStatusChanged(
        samu_id=item.samu_id, mission_id=item.mission_id, file_number=item.file_number,
        resource_id=item.resource_id, status=str(item.status), at=T0, actor=None,
    )  # fmt: skip


def test_the_sharing_hooks_answer_from_the_smur_client_on_an_intervention_only(platform):
    side = Smur(platform)
    with platform.uow() as uow:
        item = fleet.load_mission(uow, "440", side.mission_id, lock=False)
        assert smur_role.mission_engaged(uow, _engaged(item))
        assert smur_role.mission_status(uow, _status(item))
        own = cases.open_file(uow, principal=None, samu_id="440", now=T0, patients=[{"last_name": "Martin"}])
        add_unit(uow, "440", "VLM3", base=NANTES, now=T0)
        other = fleet.engage(uow, principal=None, number=own.number, resource_id="VLM3", now=T0)
        assert not smur_role.mission_engaged(uow, _engaged(other))
        assert not smur_role.mission_status(uow, _status(other))
    with platform.engine.connect() as conn:
        types = conn.execute(
            sa.select(hub_outbox.c.message_type).where(hub_outbox.c.sender == SMUR).order_by(hub_outbox.c.id)
        ).scalars()
        # the engagement's own RS-RI (the Hub flows' handler of MissionEngaged), then the hooks called here
        assert [t for t in types if t != "RC-REF"] == ["RS-RI", "RS-RI", "RS-SR"]


def test_an_engagement_and_its_statuses_on_an_intervention_leave_from_the_smur_client_by_themselves(platform):
    side = Smur(platform)  # VLM2 engaged through resources.service.engage
    side.through(["DECLENCHE", "DEPART"])
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(hub_outbox.c.sender, hub_outbox.c.message_type)
            .where(hub_outbox.c.message_type.in_(["RS-RI", "RS-SR"]))
            .order_by(hub_outbox.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        (SMUR, "RS-RI"),
        (SMUR, "RS-SR"),
        (SMUR, "RS-SR"),
    ]


def test_the_rpis_of_a_file_of_our_own_goes_to_the_rpis_recipient_only(platform):
    Smur(platform, rpis_recipient=ORU)
    with platform.uow() as uow:
        own = cases.open_file(
            uow,
            principal=None,
            samu_id="440",
            now=T0,
            qualification={"motif": "M03.10", "location": {"commune_insee": "44109"}},
            patients=[{"last_name": "Martin", "birth_date": date(1950, 2, 1), "sex": "M"}],
        )
        add_unit(uow, "440", "VLM3", base=NANTES, now=T0)
        mission_id = fleet.engage(
            uow, principal=None, number=own.number, resource_id="VLM3", now=T0
        ).mission_id
        for i, status in enumerate([*CYCLE, "REN-BASE"], start=1):
            fleet.report_status(
                uow,
                principal=None,
                samu_id="440",
                mission_id=mission_id,
                status=status,
                now=T0 + i * timedelta(minutes=5),
            )
        rpis_id = smur.record_rpis(
            uow,
            principal=None,
            samu_id="440",
            mission_id=mission_id,
            patient_no=1,
            rpis=Rpis(orientation="OK", main_diagnosis="I21"),
            now=T0,
        )
        message = message_left(uow, SmurReport.RPIS, rpis_id)
    assert message is not None
    assert (message.sender_id, message.recipient_id) == (SMUR, ORU)
    rpis = _sent(platform, message.distribution_id)["rpis"]
    assert (rpis["context"]["orgId"], rpis["context"]["senderCaseId"]) == (LRM, own.number)
    assert rpis["patient"] == {
        "patientId": f"{LRM}.patient.{own.number}.1",
        "birthDate": "1950-02-01",
        "sex": "M",
    }
    assert rpis["regulation"]["healthMotive"]["code"] == "M03.10"
