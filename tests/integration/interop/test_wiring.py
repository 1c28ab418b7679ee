"""The Hub flows wired on the platform's bus: a change made through the features' services on a shared file reaches
its partners through the outbox in the same transaction (RS-EDA-MAJ, RS-RI, RS-SR, GEO-POS), nothing is sent for a
file shared with no one, and a partner's own change is never sent back to it (the inbox is the one `sisamu hub
worker` runs: `interop.worker.HubWorker`)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hub_network import EXAMPLE

from factories import add_samu, add_unit
from sisamu.cases import service as cases
from sisamu.cases.scheduler import run_automatic_steps
from sisamu.hubsante.envelope import new_message, parse_document
from sisamu.hubsante.inbox import Inbox
from sisamu.hubsante.tables import hub_outbox
from sisamu.hubsante.validation import validate_envelope
from sisamu.interop import case_share
from sisamu.interop.common import link_of_case, links_of_file
from sisamu.interop.worker import HubWorker, Identity
from sisamu.resources import service as fleet
from sisamu.resources.positions import report_position
from sisamu.security.roles import Principal, Role
from sisamu.smur import service as smur
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db
US, A, B = "fr.health.samu250", "fr.health.samu680", "fr.health.samu440"
SMUR = "fr.health.samu250.smur"
ARM = Principal(uuid.uuid4(), "arm.250", "ARM 250", Role.ARM, "250")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def inbox(platform: Any) -> Inbox:
    """SAMU 250's LRM inbox, as its Hub worker builds it."""
    add_samu(platform, "250", hub_id=US)
    return HubWorker(platform, Identity("250", US, smur=False)).inbox


def _receive(inbox: Inbox, message_type: str, body: dict[str, Any], sender: str = A) -> None:
    message = new_message(
        message_type, body, sender_id=sender, recipient_id=inbox.client_id, sent_at=datetime.now(UTC)
    )
    outcome = inbox.receive(json.dumps(message.to_envelope()).encode())
    assert outcome.applied, outcome.error


def _updates(platform: Any) -> list[tuple[str, dict[str, Any]]]:
    """The RS-EDA-MAJ in the outbox, oldest first: (recipient, createCaseHealthUpdate)."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(hub_outbox.c.recipient, hub_outbox.c.body)
            .where(hub_outbox.c.message_type == "RS-EDA-MAJ")
            .order_by(hub_outbox.c.id)
        ).all()
    found = []
    for recipient, envelope in rows:
        assert validate_envelope(envelope) == []
        inner = envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
        found.append((recipient, inner["createCaseHealthUpdate"]))
    return found


def _sent_types(platform: Any) -> list[tuple[str, str]]:
    with platform.engine.connect() as conn:
        query = sa.select(hub_outbox.c.message_type, hub_outbox.c.recipient).where(hub_outbox.c.kind != "Ack")
        return [tuple(row) for row in conn.execute(query.order_by(hub_outbox.c.id))]


def _notes(update: dict[str, Any]) -> list[str]:
    return [n["freetext"] for n in update.get("medicalNote", [])]


def _partner_note(case_id: str, text: str, n: int = 1) -> dict[str, Any]:
    return {
        "caseId": case_id,
        "medicalNote": [
            {
                "operator": {"role": "MEDECIN", "label": "Dr Partenaire"},
                "medicalNoteId": f"{A}.medicalNote.{n:04d}",
                "creation": "2026-03-02T10:10:00+01:00",
                "freetext": text,
            }
        ],
    }


def _our_file(platform: Any, *partners: str) -> tuple[str, str]:
    """A file of SAMU 250 shared with `partners`: (number, shared case id)."""
    with platform.uow() as uow:
        file = cases.open_file(uow, principal=ARM, samu_id="250", now=T0, qualification={"motif": "M03.10"})
        for partner in partners:
            case_share.share_file(uow, principal=ARM, number=file.number, to=partner, now=T0)
        links = links_of_file(uow.conn, "250", file.number)
    return file.number, links[0].case_id if links else ""


def _note(platform: Any, number: str, text: str, minutes: int = 5) -> None:
    with platform.uow() as uow:
        cases.add_note(uow, principal=ARM, number=number, now=T0 + timedelta(minutes=minutes), body=text)


def _rolled_back_note(platform: Any, number: str) -> None:
    with platform.uow() as uow:
        cases.add_note(uow, principal=ARM, number=number, now=T0, body="Annulée")
        raise RuntimeError("rolled back")


def test_the_platform_bus_runs_the_hub_flows(platform: Any) -> None:
    subscribers = platform.bus.subscribers()
    assert subscribers["FileChanged"] == ["sisamu.interop.handlers.file_changed (in transaction)"]
    for event in ("MissionEngaged", "MissionStatusChanged", "UnitMoved", "SmurReportRecorded"):
        hub_flows = [h for h in subscribers[event] if h.startswith("sisamu.interop.handlers.")]
        assert len(hub_flows) == 1, event


def test_a_change_of_a_shared_file_reaches_its_partner_with_the_change(platform: Any, inbox: Inbox) -> None:
    number, case_id = _our_file(platform, A)
    _note(platform, number, "Douleur thoracique")
    with pytest.raises(RuntimeError, match="rolled back"):  # a change that does not commit sends nothing
        _rolled_back_note(platform, number)
    with platform.uow() as uow:
        cases.update_qualification(
            uow, principal=ARM, number=number, now=T0 + timedelta(minutes=6), changes={"priority": "P1"}
        )
    (first, second) = _updates(platform)
    assert first[0] == second[0] == A
    assert first[1]["caseId"] == case_id
    assert _notes(first[1]) == ["Douleur thoracique"]
    assert _notes(second[1]) == []  # each update carries what changed since the partner last heard
    assert second[1]["qualification"]["details"]["priority"] == "P1"
    with platform.engine.connect() as conn:
        actors = conn.execute(
            sa.select(audit_event.c.actor).where(audit_event.c.action == "file.hub.update")
        ).scalars()
        assert list(actors) == ["arm.250", "arm.250"]  # who made the change that was sent


def test_a_file_shared_with_no_one_costs_one_query_and_sends_nothing(platform: Any, inbox: Inbox) -> None:
    number, _ = _our_file(platform)
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if "hub_case_link" in sql:
            seen.append(sql)

    sa.event.listen(platform.engine, "before_cursor_execute", statement)
    try:
        _note(platform, number, "Chute dans l'escalier")
    finally:
        sa.event.remove(platform.engine, "before_cursor_execute", statement)
    assert len(seen) == 1
    assert "EXISTS" in seen[0]
    assert _sent_types(platform) == []


def test_a_partners_change_is_not_sent_back_to_it(platform: Any, inbox: Inbox) -> None:
    number, case_id = _our_file(platform, A)
    _receive(inbox, "RS-EDA-MAJ", _partner_note(case_id, "Patient conscient"))
    assert _updates(platform) == []
    with platform.engine.connect() as conn:
        (actor,) = conn.execute(
            sa.select(audit_event.c.actor).where(audit_event.c.action == "file.hub.receive_update")
        ).scalars()
    assert actor == A  # the partner's change, audited as the partner
    _note(platform, number, "SMUR 25 engagé", minutes=15)
    ((to, update),) = _updates(platform)
    assert (to, _notes(update)) == (A, ["SMUR 25 engagé"])  # what it told us is not echoed


def test_a_partners_change_goes_on_at_once_to_the_others_when_we_are_in_charge(
    platform: Any, inbox: Inbox
) -> None:
    _, case_id = _our_file(platform, A, B)
    _receive(inbox, "RS-EDA-MAJ", _partner_note(case_id, "Patient conscient"))
    ((to, update),) = _updates(platform)
    assert (to, update["caseId"], _notes(update)) == (B, case_id, ["Patient conscient"])
    with platform.engine.connect() as conn:
        (detail,) = conn.execute(
            sa.select(audit_event.c.detail).where(audit_event.c.action == "file.hub.update")
        ).scalars()
    assert (detail["to"], detail["from"]) == (B, A)


def test_a_partners_change_waits_for_our_next_when_another_is_in_charge(platform: Any, inbox: Inbox) -> None:
    body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
    case_id = f"{A}.DRFR156802600100007"
    _receive(inbox, "RS-EDA", body | {"caseId": case_id, "owner": A})
    with platform.uow() as uow:
        link = link_of_case(uow.conn, "250", case_id, partner=A)
        assert link is not None
        number = link.number
        # shared on (B's link is the older here: A's update must still be read against A's own link)
        case_share.share_file(uow, principal=ARM, number=number, to=B, now=T0)
    _receive(inbox, "RS-EDA-MAJ", _partner_note(case_id, "Patient conscient"))
    assert _updates(platform) == []  # A is in charge: it tells its partners itself
    _note(platform, number, "SMUR 25 engagé", minutes=15)
    sent = dict(_updates(platform))
    assert _notes(sent[B]) == ["Patient conscient", "SMUR 25 engagé"]  # all it had not heard yet
    assert _notes(sent[A]) == ["SMUR 25 engagé"]


def test_an_update_the_schemas_refuse_is_logged_and_the_change_stands(
    platform: Any, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    number, _ = _our_file(platform, A)
    with platform.engine.begin() as conn:  # a case id the Hub's pattern refuses
        conn.execute(sa.text("UPDATE hub_case_link SET case_id = 'pas un identifiant'"))
    with caplog.at_level(logging.WARNING, logger="sisamu.interop.handlers"):
        _note(platform, number, "Douleur thoracique")
    assert "RS-EDA-MAJ not sent" in caplog.text
    assert _updates(platform) == []
    with platform.uow() as uow:
        file = cases.load_file(uow, "250", number, lock=False)
    assert [n.body for n in file.notes] == ["Douleur thoracique"]


def test_engagement_status_and_moves_on_our_shared_file_reach_the_partner(
    platform: Any, inbox: Inbox
) -> None:
    number, _ = _our_file(platform, A)
    alone, _ = _our_file(platform)
    with platform.uow() as uow:
        for unit, base in (("VLM1", (47.24, 6.02)), ("VLM2", (47.25, 6.03))):
            add_unit(uow, "250", unit, base=base, now=T0)
    for unit, file in (("VLM1", number), ("VLM2", alone)):
        with platform.uow() as uow:
            item = fleet.engage(uow, principal=None, number=file, resource_id=unit, now=T0)
        with platform.uow() as uow:
            fleet.report_status(
                uow, principal=None, samu_id="250", mission_id=item.mission_id, status="DECLENCHE", now=T0
            )
        with platform.uow() as uow:
            report_position(
                uow, principal=None, samu_id="250", resource_id=unit, lat=47.3, lon=6.1, now=T0, speed_kmh=60
            )
    assert _sent_types(platform) == [("RS-EDA", A), ("RS-RI", A), ("RS-SR", A), ("GEO-POS", A)]


def test_the_smur_software_sends_no_update_of_the_lrm_file(platform: Any, inbox: Inbox) -> None:
    with platform.uow() as uow:
        smur.configure_client(uow, principal=None, samu_id="250", client_id=SMUR, now=T0)
    smur_inbox = HubWorker(platform, Identity("250", SMUR, smur=True)).inbox
    body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
    _receive(smur_inbox, "RS-EDA", body, sender=US)  # the SMUR software hears from its SAMU's LRM
    with platform.uow() as uow:
        link = link_of_case(uow.conn, "250", body["caseId"], partner=US)
        assert link is not None
    _note(platform, link.number, "Équipe sur place")
    assert _updates(platform) == []  # its crew's reports go as RS-BPV, RS-RPIS, RS-URL


def test_the_automatic_cloture_of_a_shared_file_reaches_its_partner(platform: Any, inbox: Inbox) -> None:
    _, case_id = _our_file(platform, A)
    moved = run_automatic_steps(platform.uow, T0 + timedelta(hours=25))  # CLOTURE 24 h after ACTIF
    assert moved == {"CLOTURE": 1}
    ((partner, update),) = _updates(platform)
    assert (partner, update["caseId"]) == (A, case_id)
    assert update["qualification"]["details"]["status"] == "CLOTURE"
