"""Attacks from Hub Santé clients (issue 12, "Partners over Hub Santé"): a message changes a file only through the
link of its sender; the SMUR software hears from its LRM only; a body is bounded before it is parsed; an RS-ERROR
never carries an exception's text.

SAMU 250 (`US`) holds a file SAMU 680 (`A`) shared with it and a file of its own it shared with A; SAMU 440
(`STRANGER`) is a Hub client neither file was ever shared with. Case ids are sequential (`{org}.{file number}`):
the stranger guesses them, it is never told them. Each inbox is the one `sisamu hub worker` runs."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from factories import add_samu
from sisamu.bootstrap import build_platform
from sisamu.cases import service as cases
from sisamu.config import Settings
from sisamu.hubsante.consumer import HubConsumer
from sisamu.hubsante.envelope import new_message
from sisamu.hubsante.inbox import DEFAULT_MAX_BODY_BYTES, Inbox
from sisamu.hubsante.message_types import RC_REF, RS_ERROR
from sisamu.hubsante.tables import hub_case_link, hub_inbox, hub_outbox, hub_resource_request
from sisamu.hubsante.transport import TransportSettings
from sisamu.interop import case_share, emsi, mutual_aid
from sisamu.interop.common import link_of_case
from sisamu.interop.partner_state import partner_resources
from sisamu.interop.worker import HubWorker, Identity
from sisamu.security.roles import Principal, Role
from sisamu.smur import service as smur
from support import DATA

pytestmark = pytest.mark.db
US, A, STRANGER = "fr.health.samu250", "fr.health.samu680", "fr.health.samu440"
SMUR_SOFTWARE = "fr.health.samu250.smur"  # SAMU 250's own SMUR software (sisamu), whose LRM is US
OTHER_SMUR = "fr.health.samu680.smur"  # a SMUR software SAMU 250 shared its file with
FIRE = "fr.fire.nexsis.sdis25"
A_CASE = f"{A}.DRFR156802600100007"
EXAMPLES = DATA / "hubsante/examples"
REGULATOR = Principal(uuid.uuid4(), "regulator.250", "Dr 250", Role.REGULATOR, "250")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET_NOTE = "Note du pirate"


def _example(kind: str, name: str) -> dict[str, Any]:
    (inner,) = json.loads((EXAMPLES / kind / name).read_text(encoding="utf-8")).values()
    return dict(inner)


def _note(text: str, sender: str) -> dict[str, Any]:
    return {
        "operator": {"role": "MEDECIN", "label": "Dr X"},
        "medicalNoteId": f"{sender}.medicalNote.0001",
        "creation": "2026-03-02T10:00:00+01:00",
        "freetext": text,
    }


def _envelope(message_type: str, body: dict[str, Any], sender: str, to: str = US) -> bytes:
    message = new_message(message_type, body, sender_id=sender, recipient_id=to, sent_at=datetime.now(UTC))
    return json.dumps(message.to_envelope()).encode()


class Samu250:
    """SAMU 250's LRM inbox, a file A shared with it (P1) and a file of its own shared with A (P1)."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        add_samu(platform, "250", hub_id=US)
        self.inbox = HubWorker(platform, Identity("250", US, smur=False)).inbox
        shared = _example("RS-EDA", "RS-EDA_partageDossier_DidierMorel.01a.json")
        shared |= {"caseId": A_CASE, "owner": A}
        shared["qualification"]["details"]["priority"] = "P1"
        assert self.receive("RS-EDA", shared, A).applied
        with platform.uow() as uow:
            link = link_of_case(uow.conn, "250", A_CASE, partner=A)
            assert link is not None
            self.received = link.number
            own = cases.open_file(
                uow, principal=None, samu_id="250", now=T0, qualification={"priority": "P1"}
            )
            self.own = own.number
            case_share.share_file(uow, principal=REGULATOR, number=own.number, to=A, now=T0)
        self.own_case = f"{US}.{self.own}"  # what a stranger guesses from the file numbering

    def receive(self, message_type: str, body: dict[str, Any], sender: str) -> Any:
        return self.inbox.receive(_envelope(message_type, body, sender))

    def file(self, number: str) -> Any:
        with self.platform.uow() as uow:
            return cases.load_file(uow, "250", number, lock=False)

    def notes(self, number: str) -> list[str]:
        return [note.body for note in self.file(number).notes]

    def errors_to(self, recipient: str) -> list[dict[str, Any]]:
        """The RS-ERROR bodies sent to `recipient`, oldest first."""
        with self.platform.engine.connect() as conn:
            rows = conn.execute(
                sa.select(hub_outbox.c.body)
                .where((hub_outbox.c.message_type == RS_ERROR.schema) & (hub_outbox.c.recipient == recipient))
                .order_by(hub_outbox.c.id)
            ).scalars()
            return [
                dict(b["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["error"]) for b in rows
            ]

    def links_of(self, partner: str) -> list[Any]:
        with self.platform.engine.connect() as conn:
            return list(conn.execute(sa.select(hub_case_link).where(hub_case_link.c.partner == partner)))


@pytest.fixture
def samu(platform: Any) -> Samu250:
    return Samu250(platform)


def _refused(samu: Samu250, outcome: Any, code: int, sender: str = STRANGER) -> None:
    assert not outcome.applied
    assert samu.errors_to(sender)[-1]["errorCode"]["statusCode"] == code


# --- a message applies only through the link of its sender ----------------------------------------------------


def test_a_stranger_guessing_a_case_id_cannot_change_the_file(samu: Samu250) -> None:
    """The confirmed attack: an RS-EDA-MAJ from a client the file was never shared with turned P1 into P3 and
    added its note."""
    with samu.platform.engine.connect() as conn:
        assert link_of_case(conn, "250", samu.own_case, partner=A) is not None
    attack = {
        "caseId": samu.own_case,
        "qualification": {"details": {"priority": "P3"}},
        "medicalNote": [_note(SECRET_NOTE, STRANGER)],
    }
    _refused(samu, samu.receive("RS-EDA-MAJ", attack, STRANGER), 702)
    for number in (samu.own, samu.received):
        assert samu.file(number).qualification.priority == "P1"
        assert SECRET_NOTE not in samu.notes(number)
    assert samu.links_of(STRANGER) == []  # no file opened in our name either
    # the partner the file was shared with still changes it
    assert samu.receive("RS-EDA-MAJ", attack | {"medicalNote": [_note("Vu", A)]}, A).applied
    assert samu.file(samu.own).qualification.priority == "P3"


def test_a_strangers_update_of_a_partners_case_changes_nothing_of_that_file(samu: Samu250) -> None:
    status_only = {"caseId": A_CASE, "qualification": {"details": {"priority": "P3"}}}
    _refused(samu, samu.receive("RS-EDA-MAJ", status_only, STRANGER), 702)
    # With something to regulate it may start a shared file of its own (the fire service's case), never touch A's.
    with_note = status_only | {"medicalNote": [_note(SECRET_NOTE, STRANGER)]}
    samu.receive("RS-EDA-MAJ", with_note, STRANGER)
    assert samu.file(samu.received).qualification.priority == "P1"
    assert SECRET_NOTE not in samu.notes(samu.received)
    assert all(link.number != samu.received for link in samu.links_of(STRANGER))


def test_a_strangers_rs_eda_about_a_known_case_never_touches_that_file(samu: Samu250) -> None:
    before = samu.file(samu.received)
    body = _example("RS-EDA", "RS-EDA_partageDossier_DidierMorel.01a.json") | {"caseId": A_CASE}
    body["qualification"]["details"]["priority"] = "P3"
    body["medicalNote"] = [_note(SECRET_NOTE, STRANGER)]
    samu.receive("RS-EDA", body, STRANGER)
    after = samu.file(samu.received)
    assert after.qualification.priority == "P1"
    assert [p.patient_no for p in after.patients] == [p.patient_no for p in before.patients]
    assert SECRET_NOTE not in samu.notes(samu.received)
    assert all(link.number != samu.received for link in samu.links_of(STRANGER))
    # and no partner opens a case in our name
    _refused(samu, samu.receive("RS-EDA", body | {"caseId": f"{US}.DRFR152502600100099"}, STRANGER), 702)


def test_resources_and_statuses_from_a_stranger_are_refused(samu: Samu250) -> None:
    resource = {"datetime": "2026-03-02T10:01:00+01:00", "resourceId": f"{STRANGER}.resource.X"}
    resource |= {"vehicleType": "SMUR.VLM", "name": "Faux VLM"}
    notes = samu.notes(samu.received)
    _refused(samu, samu.receive("RS-RI", {"caseId": A_CASE, "resource": [resource]}, STRANGER), 702)
    state = {"datetime": "2026-03-02T10:05:00+01:00", "status": "DEPART"}
    status = {"caseId": A_CASE, "resourceId": resource["resourceId"], "state": state}
    _refused(samu, samu.receive("RS-SR", status, STRANGER), 702)
    with samu.platform.engine.connect() as conn:
        link = link_of_case(conn, "250", A_CASE, partner=A)
    assert link is not None
    assert partner_resources(link) == {}
    assert samu.notes(samu.received) == notes


def test_a_stranger_cannot_move_a_partners_resource(samu: Samu250) -> None:
    unit = f"{A}.resource.VLM1"
    announced = {"datetime": "2026-03-02T10:01:00+01:00", "resourceId": unit, "vehicleType": "SMUR.VLM"}
    assert samu.receive("RS-RI", {"caseId": A_CASE, "resource": [announced]}, A).applied
    position = _example("GEO-POS", "CU2_Geolocation_01.json")["position"][0] | {"resourceId": unit}
    position["datetime"] = "2026-03-02T10:06:00+01:00"
    samu.receive("GEO-POS", {"position": [position]}, STRANGER)  # recorded by the inbox row, applied nowhere
    with samu.platform.engine.connect() as conn:
        link = link_of_case(conn, "250", A_CASE, partner=A)
    assert link is not None
    assert "position" not in partner_resources(link)[unit]
    assert samu.receive("GEO-POS", {"position": [position]}, A).applied
    with samu.platform.engine.connect() as conn:
        link = link_of_case(conn, "250", A_CASE, partner=A)
    assert link is not None
    assert partner_resources(link)[unit]["position"]["coord"] == position["coord"]


def test_an_emsi_applies_only_from_a_partner_of_the_file_or_the_fire_service_we_alerted(
    samu: Samu250,
) -> None:
    body = _example("EMSI", "EMSI-OPG-message.json")
    body["EVENT"]["MAIN_EVENT_ID"] = samu.own_case  # our own file, by its guessable id
    notes = samu.notes(samu.own)
    _refused(samu, samu.receive("EMSI", body, STRANGER), 702)
    body["EVENT"]["MAIN_EVENT_ID"] = A_CASE
    _refused(samu, samu.receive("EMSI", body, FIRE), 702, sender=FIRE)  # never alerted about it
    assert samu.notes(samu.own) == notes
    assert not any(n.startswith("EMSI de") for n in samu.notes(samu.received))
    with samu.platform.uow() as uow:
        sent = emsi.send_emsi(uow, principal=REGULATOR, number=samu.received, to=FIRE, now=T0)
    assert sent.body["EVENT"]["MAIN_EVENT_ID"] == A_CASE
    assert samu.receive("EMSI", body, FIRE).applied  # its answer
    assert any(n.startswith(f"EMSI de {FIRE}") for n in samu.notes(samu.received))
    _refused(samu, samu.receive("EMSI", body, STRANGER), 702)  # still nobody else


def test_smur_reports_apply_only_from_the_smur_software_the_file_was_shared_with(samu: Samu250) -> None:
    with samu.platform.uow() as uow:
        case_share.share_file(uow, principal=REGULATOR, number=samu.own, to=OTHER_SMUR, now=T0)
    patient = f"{US}.patient.{samu.own}.1"
    bilan = _example("RS-BPV", "RS-BPV_FuiteDeGaz_GregoireNormand.14a.json")
    bilan |= {"caseId": samu.own_case, "patient": bilan["patient"] | {"patientId": patient}}
    _refused(samu, samu.receive("RS-BPV", bilan, STRANGER), 702)
    links = _example("RS-URL", "RS-URL_FuiteDeGaz_GregoireNormand.09.json") | {"caseId": samu.own_case}
    _refused(samu, samu.receive("RS-URL", links, STRANGER), 702)
    rpis = _example("RS-RPIS", "RS-RPIS_FuiteDeGaz_AliceNormand.15a.json")
    rpis["context"] |= {"orgId": US, "senderCaseId": samu.own}
    _refused(samu, samu.receive("RS-RPIS", rpis, STRANGER), 702)
    with samu.platform.uow() as uow:
        reports = smur.reports_of(uow, "250", samu.own)
    assert (reports.bilans, reports.documents, reports.rpis) == ([], [], [])
    assert samu.receive("RS-BPV", bilan, OTHER_SMUR).applied


def test_the_rpis_of_a_file_of_our_own_comes_from_our_own_smur_software_only(samu: Samu250) -> None:
    with samu.platform.uow() as uow:
        smur.configure_client(uow, principal=None, samu_id="250", client_id=SMUR_SOFTWARE, now=T0)
        own = cases.open_file(uow, principal=None, samu_id="250", now=T0).number  # shared with no one
    rpis = _example("RS-RPIS", "RS-RPIS_FuiteDeGaz_AliceNormand.15a.json")
    rpis["context"] |= {"orgId": US, "senderCaseId": own}
    _refused(samu, samu.receive("RS-RPIS", rpis, STRANGER), 702)
    assert samu.receive("RS-RPIS", rpis, SMUR_SOFTWARE).applied


def test_a_mutual_aid_answer_counts_only_from_the_samu_asked(samu: Samu250) -> None:
    with samu.platform.uow() as uow:
        asked = mutual_aid.request_resources(
            uow, principal=REGULATOR, number=samu.received, to=A, purpose="SMUR", now=T0
        )
    request_id = asked.body["request"]["requestId"]
    answer = _example("RS-RR", "RS-RR_partageRessources_DidierMorel.04b.json")
    answer |= {"caseId": A_CASE, "requestId": request_id}
    _refused(samu, samu.receive("RS-RR", answer, STRANGER), 702)

    def status() -> str:
        with samu.platform.engine.connect() as conn:
            query = sa.select(hub_resource_request.c.status).where(
                hub_resource_request.c.request_id == request_id
            )
            return str(conn.execute(query).scalar_one())

    assert status() == "PENDING"
    assert samu.receive("RS-RR", answer, A).applied
    assert status() == answer["response"]["answer"]


def test_a_strangers_request_is_never_attached_to_a_partners_file(samu: Samu250) -> None:
    request = _example("RS-DR", "RS-DR_partageRessources_DidierMorel.04a.json") | {"caseId": A_CASE}
    request["request"] = request["request"] | {"requestId": f"{STRANGER}.request.0001"}
    assert samu.receive("RS-DR", request, STRANGER).applied  # a request for the supervisor, about no file
    with samu.platform.engine.connect() as conn:
        number = conn.execute(
            sa.select(hub_resource_request.c.number).where(hub_resource_request.c.partner == STRANGER)
        ).scalar_one()
    assert number is None


def test_the_smur_software_takes_messages_from_its_lrm_only(platform: Any) -> None:
    add_samu(platform, "250", hub_id=US)
    with platform.uow() as uow:
        smur.configure_client(uow, principal=None, samu_id="250", client_id=SMUR_SOFTWARE, now=T0)
    inbox = HubWorker(platform, Identity("250", SMUR_SOFTWARE, smur=True)).inbox
    body = _example("RS-EDA", "RS-EDA-SMUR_FuiteDeGaz_AliceGregoireNormand.01.json")
    refused = inbox.receive(_envelope("RS-EDA", body, STRANGER, to=SMUR_SOFTWARE))
    assert not refused.applied
    assert _error_code(platform, STRANGER) == 703
    with platform.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM smur_intervention")).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(hub_case_link)).scalar_one() == 0
    assert inbox.receive(_envelope("RS-EDA", body, US, to=SMUR_SOFTWARE)).applied
    case_id = body["caseId"]
    asked = _example("RS-ER", "RS-ER_FuiteDeGaz_AliceGregoireNORMAND.02.json") | {"caseId": case_id}
    update = {"caseId": case_id, "medicalNote": [_note(SECRET_NOTE, STRANGER)]}
    for message_type, message in (("RS-ER", asked), ("RS-EDA-MAJ", update)):
        outcome = inbox.receive(_envelope(message_type, message, STRANGER, to=SMUR_SOFTWARE))
        assert not outcome.applied
        assert _error_code(platform, STRANGER) == 703
    with platform.uow() as uow:
        link = link_of_case(uow.conn, "250", case_id, partner=US)
        assert link is not None
        notes = [n.body for n in cases.load_file(uow, "250", link.number, lock=False).notes]
    assert SECRET_NOTE not in notes
    assert not any(n.startswith("Engagement demandé") for n in notes)


def _error_code(platform: Any, recipient: str) -> int:
    with platform.engine.connect() as conn:
        body = conn.execute(
            sa.select(hub_outbox.c.body)
            .where((hub_outbox.c.message_type == RS_ERROR.schema) & (hub_outbox.c.recipient == recipient))
            .order_by(hub_outbox.c.id.desc())
            .limit(1)
        ).scalar_one()
    return int(
        body["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["error"]["errorCode"][
            "statusCode"
        ]
    )


def test_acks_and_error_reports_count_only_from_the_recipient(samu: Samu250) -> None:
    with samu.platform.engine.connect() as conn:
        ours = conn.execute(
            sa.select(hub_outbox.c.distribution_id).where(
                (hub_outbox.c.recipient == A) & (hub_outbox.c.message_type == "RS-EDA")
            )
        ).scalar_one()

    def row() -> Any:
        with samu.platform.engine.connect() as conn:
            return conn.execute(
                sa.select(hub_outbox.c.acked_at, hub_outbox.c.remote_error).where(
                    hub_outbox.c.distribution_id == ours
                )
            ).one()

    ack = new_message(
        RC_REF, {"distributionID": ours}, sender_id=STRANGER, recipient_id=US, sent_at=datetime.now(UTC)
    )
    error = {
        "errorCode": {"statusCode": 700, "statusString": "INTERNAL_CLIENT_ERROR"},
        "errorCause": "faux",
        "referencedDistributionID": ours,
    }
    samu.inbox.receive(json.dumps(ack.to_envelope()).encode())
    samu.receive(RS_ERROR.schema, error, STRANGER)
    assert tuple(row()) == (None, None)
    genuine = new_message(
        RC_REF, {"distributionID": ours}, sender_id=A, recipient_id=US, sent_at=datetime.now(UTC)
    )
    samu.inbox.receive(json.dumps(genuine.to_envelope()).encode())
    assert row().acked_at is not None


# --- bodies are bounded before parsing ------------------------------------------------------------------------


def _huge_rs_eda(sender: str, size: int) -> bytes:
    """A valid RS-EDA envelope padded with JSON whitespace to `size` bytes: parsed, it would open a file."""
    body = _example("RS-EDA", "RS-EDA_partageDossier_DidierMorel.01a.json") | {"caseId": f"{sender}.DRFR1599"}
    raw = _envelope("RS-EDA", body, sender)
    assert json.loads(raw + b" " * 10)  # still a valid message
    return raw + b" " * (size - len(raw))


def test_an_oversized_body_is_refused_before_it_is_parsed(samu: Samu250) -> None:
    body = _huge_rs_eda(STRANGER, DEFAULT_MAX_BODY_BYTES + 1024)
    outcome = samu.inbox.receive(body)
    assert (outcome.status, outcome.nack) == ("invalid", True)
    assert outcome.distribution_id.startswith("oversized:")
    assert samu.links_of(STRANGER) == []  # not applied: no file opened
    (error,) = samu.errors_to(STRANGER)
    assert error["errorCode"]["statusCode"] == 300
    assert "too large" in error["errorCause"]
    assert len(json.dumps(error)) < 2000  # the reply does not carry the body back
    with samu.platform.engine.connect() as conn:
        stored = conn.execute(
            sa.select(hub_inbox.c.body, hub_inbox.c.sender).where(
                hub_inbox.c.distribution_id == outcome.distribution_id
            )
        ).one()
    assert stored.sender == STRANGER
    assert stored.body["size"] == len(body)
    assert len(json.dumps(stored.body)) < 10_000  # its size and first bytes only


def test_the_limit_is_a_setting_the_worker_applies(platform: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SISAMU_HUB_MAX_BODY_BYTES", "4096")
    assert Settings().hub_max_body_bytes == 4096
    small = build_platform(
        platform.settings.model_copy(update={"hub_max_body_bytes": 4096}), database=platform.database
    )
    add_samu(platform, "250", hub_id=US)
    inbox = HubWorker(small, Identity("250", US, smur=False)).inbox
    outcome = inbox.receive(_huge_rs_eda(A, 5000))
    assert (outcome.status, outcome.nack) == ("invalid", True)
    assert inbox.receive(_huge_rs_eda(A, 4000)).applied


def test_a_deeply_nested_body_is_refused_as_unparseable(samu: Samu250) -> None:
    """Under the size limit, but nested beyond what the parser and the schemas recurse through."""
    depth = 200_000
    body = b'{"distributionID": "x", "senderID": "' + STRANGER.encode() + b'", "a": '
    body += b"[" * depth + b"]" * depth + b"}"
    assert len(body) < DEFAULT_MAX_BODY_BYTES
    outcome = samu.inbox.receive(body)
    assert (outcome.status, outcome.nack) == ("invalid", True)
    assert outcome.distribution_id.startswith("unparseable:")


@dataclass
class Delivery:
    """An AMQP delivery as the consumer sees it."""

    body: bytes
    message_id: str = "delivery-1"
    acked: bool = False
    nacked: list[bool] = field(default_factory=list)

    async def ack(self) -> None:
        self.acked = True

    async def nack(self, requeue: bool = True) -> None:
        self.nacked.append(requeue)


async def test_the_consumer_rejects_an_oversized_delivery_without_requeue(samu: Samu250) -> None:
    consumer = HubConsumer(samu.inbox, TransportSettings(client_id=US))
    delivery = Delivery(_huge_rs_eda(STRANGER, DEFAULT_MAX_BODY_BYTES + 1))
    await consumer.handle(delivery)
    assert (delivery.acked, delivery.nacked) == (False, [False])
    assert samu.links_of(STRANGER) == []


# --- an RS-ERROR says what went wrong, never how ----------------------------------------------------------------

LEAKS = (
    "INSERT",
    "SELECT",
    "smur_bilan",
    "hub_case_link",
    "parameters",
    "psycopg",
    "sqlalche",
    "Error(",
    "Traceback",
)


def test_a_database_error_in_a_handler_is_answered_without_sql_or_parameters(
    samu: Samu250, caplog: pytest.LogCaptureFixture
) -> None:
    """A bilan naming a patient number beyond the database's integers fails in the INSERT, whose parameters hold
    the patient's identity: the RS-ERROR gives code 700 and a short reason; the detail is in our log only."""
    with samu.platform.uow() as uow:
        case_share.share_file(uow, principal=REGULATOR, number=samu.own, to=OTHER_SMUR, now=T0)
    bilan = _example("RS-BPV", "RS-BPV_FuiteDeGaz_GregoireNormand.14a.json")
    patient = bilan["patient"] | {"patientId": f"{US}.patient.{samu.own}.99999999999", "lastName": "Zyxwvut"}
    with caplog.at_level(logging.ERROR, logger="sisamu.hubsante.inbox"):
        outcome = samu.receive("RS-BPV", bilan | {"caseId": samu.own_case, "patient": patient}, OTHER_SMUR)
    assert not outcome.applied
    (error,) = samu.errors_to(OTHER_SMUR)
    assert error["errorCode"]["statusCode"] == 700
    cause = error["errorCause"]
    assert len(cause) < 120
    assert "Zyxwvut" not in cause
    assert not [leak for leak in LEAKS if leak.lower() in cause.lower()]
    reply = json.dumps(
        {k: v for k, v in error.items() if k != "sourceMessage"}
    )  # the source is the sender's own
    assert not [leak for leak in LEAKS if leak in reply]
    assert "smur_bilan" in caplog.text  # the detail, for us
    with samu.platform.engine.connect() as conn:
        kept = conn.execute(
            sa.select(hub_inbox.c.error).where(hub_inbox.c.distribution_id == outcome.distribution_id)
        ).scalar_one()
    assert "Zyxwvut" not in kept
    assert "INSERT" not in kept


def test_any_handler_failure_is_answered_by_category(platform: Any) -> None:
    """Whatever a handler raises, the sender reads a fixed sentence, never the exception's text."""
    add_samu(platform, "250", hub_id=US)

    def failing(uow: Any, message: Any) -> None:
        uow.execute(
            sa.text("SELECT CAST(:secret AS integer)"), {"secret": message.body["caseId"] + " Zyxwvut"}
        )

    inbox = Inbox(platform.uow, "250", US, handlers={"RS-EDA": failing})
    body = _example("RS-EDA", "RS-EDA_partageDossier_DidierMorel.01a.json")
    outcome = inbox.receive(_envelope("RS-EDA", body, A))
    assert not outcome.applied
    with platform.engine.connect() as conn:
        error = conn.execute(
            sa.select(hub_outbox.c.body).where(hub_outbox.c.message_type == RS_ERROR.schema)
        ).scalar_one()
    cause = error["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["error"]["errorCause"]
    assert cause == "internal error: the message could not be recorded"
