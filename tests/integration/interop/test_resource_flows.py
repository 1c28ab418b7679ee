"""RS-RI, RS-SR, GEO-POS and EMSI flows against PostgreSQL: built from sisamu's missions and files (schema-valid,
through the outbox), and the official examples ingested into a linked file and acknowledged."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hub_network import EXAMPLE

from factories import add_samu, add_unit
from sisamu.cases import service as cases
from sisamu.hubsante.envelope import new_message, parse_document
from sisamu.hubsante.inbox import Inbox
from sisamu.hubsante.message_types import RS_EDA
from sisamu.hubsante.tables import hub_outbox
from sisamu.hubsante.validation import validate_envelope
from sisamu.interop import case_share, emsi, engagement, positions, resources_share
from sisamu.interop.common import link_of_case, links_of_file
from sisamu.interop.partner_state import partner_resources
from sisamu.interop.receivers import register_flows
from sisamu.resources import service as fleet
from sisamu.resources.positions import report_position
from sisamu.security.roles import Principal, Role
from support import DATA

pytestmark = pytest.mark.db
US, THEM, FIRE = "fr.health.samu680", "fr.health.samu250", "fr.fire.nexsis.sdis68"
EXAMPLES = DATA / "hubsante/examples"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHYSICIAN = Principal(uuid.uuid4(), "regulator.680", "Dr Marie Curie", Role.REGULATOR, "680")


def _examples(kind: str) -> list[Path]:
    return sorted((EXAMPLES / kind).glob("*.json"))


class Side:
    """SAMU 680 with a file received from SAMU 250 (linked by its shared case id) and one unit engaged on it."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        add_samu(platform, "680", hub_id=US)
        self.inbox = register_flows(Inbox(platform.uow, "680", US))
        body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
        self.case_id = str(body["caseId"])
        assert self.receive(RS_EDA, body).applied
        with platform.uow() as uow:
            link = link_of_case(uow.conn, "680", self.case_id, partner=THEM)
            assert link is not None
            self.number = link.number
            add_unit(uow, "680", "680-SMUR-COLMAR-VLM1", name="VLM Colmar 1", base=(48.08, 7.36), now=T0)
            self.mission = fleet.engage(
                uow, principal=None, number=self.number, resource_id="680-SMUR-COLMAR-VLM1", now=T0
            )

    def receive(self, message_type: str, body: dict[str, Any], sender: str = THEM) -> Any:
        message = new_message(
            message_type, body, sender_id=sender, recipient_id=US, sent_at=datetime.now(UTC)
        )
        return self.inbox.receive(json.dumps(message.to_envelope()).encode())

    def acked(self, distribution_id: str) -> bool:
        with self.platform.engine.connect() as conn:
            bodies = conn.execute(sa.select(hub_outbox.c.body).where(hub_outbox.c.kind == "Ack")).scalars()
            return any(distribution_id in json.dumps(b) for b in bodies)

    def sent(self, message_type: str) -> list[dict[str, Any]]:
        with self.platform.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(hub_outbox.c.body)
                    .where(hub_outbox.c.message_type == message_type)
                    .order_by(hub_outbox.c.id)
                ).scalars()
            )

    def partner(self) -> dict[str, dict[str, Any]]:
        with self.platform.uow() as uow:
            link = link_of_case(uow.conn, "680", self.case_id, partner=THEM)
            assert link is not None
            return partner_resources(link)

    def notes(self) -> list[str]:
        with self.platform.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.text(
                        "SELECT body FROM case_note WHERE samu_id = '680' AND number = :n ORDER BY note_no"
                    ),
                    {"n": self.number},
                ).scalars()
            )


@pytest.fixture
def side(platform: Any) -> Side:
    return Side(platform)


def _inner(envelope: dict[str, Any]) -> dict[str, Any]:
    return dict(envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"])


def test_rs_ri_and_rs_sr_are_built_from_our_missions(side: Side) -> None:
    with side.platform.uow() as uow:
        fleet.report_status(
            uow,
            principal=None,
            samu_id="680",
            mission_id=side.mission.mission_id,
            status="DECLENCHE",
            now=T0 + timedelta(minutes=1),
        )
        (info,) = resources_share.share_resources(
            uow, principal=None, samu_id="680", number=side.number, now=T0 + timedelta(minutes=1)
        )
        fleet.report_status(
            uow,
            principal=None,
            samu_id="680",
            mission_id=side.mission.mission_id,
            status="DEPART",
            now=T0 + timedelta(minutes=3),
        )
        (status,) = resources_share.share_status(
            uow,
            principal=None,
            samu_id="680",
            mission_id=side.mission.mission_id,
            now=T0 + timedelta(minutes=3),
        )
    assert info.recipient_id == THEM
    assert status.recipient_id == THEM
    ri, sr = (
        side.sent("RS-RI")[-1],
        side.sent("RS-SR")[-1],
    )  # the ones asked for, after those sent by the service
    for envelope in (ri, sr):
        assert validate_envelope(envelope) == []
    resource = _inner(ri)["resourcesInfo"]["resource"][0]
    assert _inner(ri)["resourcesInfo"]["caseId"] == side.case_id
    assert resource["resourceId"] == f"{US}.resource.680-SMUR-COLMAR-VLM1"
    assert resource["vehicleType"] == "SMUR.VLM"
    assert resource["team"] == {"medicalLevel": "MED"}
    assert [s["status"] for s in resource["state"]] == ["DECLENCHE", "DECISION"]
    assert resource["state"][0]["availability"] is False
    assert resource["datetime"] == "2026-03-02T10:01:00+01:00"  # "Date/heure de déclenchement": DECLENCHE
    assert _inner(sr)["resourcesStatus"]["state"] == {
        "datetime": "2026-03-02T10:03:00+01:00",
        "status": "DEPART",
        "availability": False,
    }


def test_engagement_and_statuses_on_a_shared_file_are_sent_to_the_partner(side: Side) -> None:
    # Side engaged its VLM on the file received from SAMU 250: the engagement went out as an RS-RI.
    (ri,) = side.sent("RS-RI")
    assert side.sent("RS-SR") == []
    with side.platform.uow() as uow:
        fleet.report_status(
            uow,
            principal=None,
            samu_id="680",
            mission_id=side.mission.mission_id,
            status="DECLENCHE",
            now=T0 + timedelta(minutes=1),
        )
    (sr,) = side.sent("RS-SR")
    for envelope in (ri, sr):
        assert validate_envelope(envelope) == []
        assert envelope["descriptor"]["explicitAddress"]["explicitAddressValue"] == THEM
    (resource,) = _inner(ri)["resourcesInfo"]["resource"]
    assert resource["resourceId"] == f"{US}.resource.680-SMUR-COLMAR-VLM1"
    assert resource["state"] == [
        {"datetime": "2026-03-02T10:00:00+01:00", "status": "DECISION", "availability": False}
    ]
    assert _inner(sr)["resourcesStatus"] == {
        "caseId": side.case_id,
        "resourceId": f"{US}.resource.680-SMUR-COLMAR-VLM1",
        "state": {"datetime": "2026-03-02T10:01:00+01:00", "status": "DECLENCHE", "availability": False},
    }


def test_engagement_statuses_and_moves_on_an_unshared_file_send_nothing(side: Side) -> None:
    with side.platform.uow() as uow:
        file = cases.open_file(uow, principal=None, samu_id="680", now=T0, qualification={})
        add_unit(uow, "680", "680-SMUR-MULHOUSE-VLM1", name="VLM Mulhouse 1", base=(47.7, 7.3), now=T0)
        item = fleet.engage(
            uow, principal=None, number=file.number, resource_id="680-SMUR-MULHOUSE-VLM1", now=T0
        )
        fleet.report_status(
            uow, principal=None, samu_id="680", mission_id=item.mission_id, status="DECLENCHE", now=T0
        )
        report_position(
            uow,
            principal=None,
            samu_id="680",
            resource_id="680-SMUR-MULHOUSE-VLM1",
            lat=47.71,
            lon=7.31,
            now=T0,
        )
    assert len(side.sent("RS-RI")) == 1  # only the shared file's engagement (Side)
    assert side.sent("RS-SR") == []
    assert side.sent("GEO-POS") == []


def test_a_partner_unit_and_a_crew_are_described_as_the_partner_must_see_them(side: Side) -> None:
    with side.platform.uow() as uow:
        add_unit(
            uow,
            "680",
            "VSAV-COLMAR-2",
            name="VSAV Colmar 2",
            vehicle="SIS.VSAV",
            crew_level="SECOURS",
            base=(48.08, 7.36),
            partner=True,
            team_name="Equipe Rouge",
            crew_phone="06 45 98 72 97",
            now=T0,
        )
        fleet.engage(
            uow,
            principal=None,
            number=side.number,
            resource_id="VSAV-COLMAR-2",
            now=T0 + timedelta(minutes=2),
            triggered=True,
        )
    (resource,) = _inner(side.sent("RS-RI")[-1])["resourcesInfo"]["resource"]
    assert resource["team"] == {"medicalLevel": "SECOURS", "name": "Equipe Rouge"}
    assert resource["contact"] == {"type": "TEL", "details": "+33645987297"}
    # Triggered at once by its own centre: no DECISION; its availability is the fire service's, unknown to us.
    assert resource["state"] == [{"datetime": "2026-03-02T10:02:00+01:00", "status": "DECLENCHE"}]
    assert resource["datetime"] == "2026-03-02T10:02:00+01:00"


def test_nothing_is_sent_for_a_file_shared_with_no_one(platform: Any, side: Side) -> None:
    with platform.uow() as uow:
        uow.execute(sa.text("DELETE FROM hub_case_link"))
        assert (
            resources_share.share_resources(uow, principal=None, samu_id="680", number=side.number, now=T0)
            == []
        )
        assert positions.share_position(uow, samu_id="680", resource_id="680-SMUR-COLMAR-VLM1", now=T0) == []


def test_a_partners_resources_are_kept_on_its_own_link_of_a_case_shared_on(side: Side) -> None:
    """The file received from SAMU 250 is shared on with SAMU 440 (the same case id, an older link here): what
    250 says about its resources is kept on 250's link, what 440 says on 440's."""
    onward = "fr.health.samu440"
    with side.platform.uow() as uow:
        principal = Principal(uuid.uuid4(), "arm.680", "ARM 680", Role.ARM, "680")
        case_share.share_file(uow, principal=principal, number=side.number, to=onward, now=T0)
    for sender, unit in ((THEM, "VLM 25"), (onward, "VLM 44")):
        resource = {
            "datetime": "2026-03-02T10:00:00+01:00",
            "resourceId": f"{sender}.resource.{unit[-2:]}",
            "vehicleType": "SMUR.VLM",
            "name": unit,
        }
        assert side.receive("RS-RI", {"caseId": side.case_id, "resource": [resource]}, sender=sender).applied
    with side.platform.uow() as uow:
        links = {link.partner: link for link in links_of_file(uow.conn, "680", side.number)}
    assert set(partner_resources(links[THEM])) == {f"{THEM}.resource.25"}
    assert set(partner_resources(links[onward])) == {f"{onward}.resource.44"}


@pytest.mark.parametrize("path", _examples("RS-RI"), ids=lambda p: p.stem)
def test_rs_ri_examples_are_ingested(side: Side, path: Path) -> None:
    body = parse_document(json.loads(path.read_text(encoding="utf-8"))).body
    body["caseId"] = side.case_id
    outcome = side.receive("RS-RI", body)
    assert outcome.applied, outcome.error
    assert side.acked(outcome.distribution_id)
    known = side.partner()
    assert set(known) == {r["resourceId"] for r in body["resource"]}
    assert any("Moyen engagé par" in note for note in side.notes())


@pytest.mark.parametrize("path", _examples("RS-SR"), ids=lambda p: p.stem)
def test_rs_sr_examples_are_ingested(side: Side, path: Path) -> None:
    body = parse_document(json.loads(path.read_text(encoding="utf-8"))).body
    body["caseId"] = side.case_id
    outcome = side.receive("RS-SR", body)
    assert outcome.applied, outcome.error
    assert side.acked(outcome.distribution_id)
    assert side.partner()[body["resourceId"]]["state"][0]["status"] == body["state"]["status"]
    assert side.notes()[-1].endswith(body["state"]["status"]) or any(
        body["state"]["status"] in note for note in side.notes()
    )
    again = side.receive("RS-SR", body)  # a new message with the same status: no second note
    assert again.applied
    assert sum(body["state"]["status"] in note for note in side.notes()) == 1


def test_rs_sr_on_an_unknown_case_is_refused_702(side: Side) -> None:
    body = parse_document(json.loads(_examples("RS-SR")[0].read_text(encoding="utf-8"))).body
    body["caseId"] = "fr.health.samu250.DRFR152502600100001"
    outcome = side.receive("RS-SR", body)
    assert not outcome.applied
    assert "702" in json.dumps(side.sent("RS-ERROR"))


@pytest.mark.parametrize("path", _examples("GEO-POS"), ids=lambda p: p.stem)
def test_geo_pos_examples_update_the_partner_resource(side: Side, path: Path) -> None:
    body = parse_document(json.loads(path.read_text(encoding="utf-8"))).body
    for position in body["position"]:
        announce = {
            "caseId": side.case_id,
            "resource": [
                {
                    "datetime": position["datetime"],
                    "resourceId": position["resourceId"],
                    "vehicleType": "SMUR.VLM",
                }
            ],
        }
        assert side.receive("RS-RI", announce).applied
    outcome = side.receive("GEO-POS", body)
    assert outcome.applied, outcome.error
    assert side.acked(outcome.distribution_id)
    known = side.partner()
    for position in body["position"]:
        assert known[position["resourceId"]]["position"]["coord"] == position["coord"]
    older = json.loads(json.dumps(body))
    for position in older["position"]:
        position["datetime"] = "2020-01-01T00:00:00+01:00"
        position["coord"] = {"lat": 1.0, "lon": 1.0}
    assert side.receive("GEO-POS", older).applied  # an older fix never replaces a newer one
    assert side.partner() == known


def test_a_geo_pos_of_a_resource_nobody_announced_is_only_recorded(side: Side) -> None:
    body = parse_document(json.loads(_examples("GEO-POS")[0].read_text(encoding="utf-8"))).body
    outcome = side.receive("GEO-POS", body)
    assert outcome.applied
    assert side.acked(outcome.distribution_id)
    assert side.partner() == {}


def test_geo_pos_is_published_when_a_unit_on_a_shared_file_moves(side: Side) -> None:
    with side.platform.uow() as uow:
        fleet.report_status(
            uow,
            principal=None,
            samu_id="680",
            mission_id=side.mission.mission_id,
            status="DECLENCHE",
            now=T0 + timedelta(minutes=1),
        )
        fleet.report_status(
            uow,
            principal=None,
            samu_id="680",
            mission_id=side.mission.mission_id,
            status="DEPART",
            now=T0 + timedelta(minutes=2),
        )
        report_position(
            uow,
            principal=None,
            samu_id="680",
            resource_id="680-SMUR-COLMAR-VLM1",
            lat=48.09,
            lon=7.37,
            now=T0 + timedelta(minutes=3),
            speed_kmh=72.0,
            heading=90.0,
        )
        report_position(
            uow,
            principal=None,
            samu_id="680",
            resource_id="680-SMUR-COLMAR-VLM1",
            lat=48.0,
            lon=7.0,
            now=T0 + timedelta(minutes=4),
            at=T0,
        )
    (envelope,) = side.sent("GEO-POS")  # the older fix did not move the unit: nothing sent for it
    assert validate_envelope(envelope) == []
    (position,) = _inner(envelope)["geoPositionsUpdate"]["position"]
    assert position == {
        "resourceId": f"{US}.resource.680-SMUR-COLMAR-VLM1",
        "datetime": "2026-03-02T10:03:00+01:00",
        "coord": {"lat": 48.09, "lon": 7.37},
        "speed": 72.0,
        "cap": 90.0,
        "move": "MOBILE",
        "status": "INDISPONIBLE",
        "engagedStatus": "PARTIE",
    }


def test_emsi_is_built_from_a_file(side: Side) -> None:
    regulator = Principal(__import__("uuid").uuid4(), "regulator.680", "Dr Test", Role.REGULATOR, "680")
    with side.platform.uow() as uow:
        first = emsi.send_emsi(uow, principal=regulator, number=side.number, to=FIRE, now=T0)
        second = emsi.send_emsi(
            uow, principal=regulator, number=side.number, to=FIRE, now=T0 + timedelta(minutes=5)
        )
    assert first.recipient_id == FIRE
    assert second.recipient_id == FIRE
    built = side.sent("EMSI")
    assert len(built) == 2
    for envelope in built:
        assert validate_envelope(envelope) == []
    body = _inner(built[0])["emsi"]
    assert body["CONTEXT"]["MSGTYPE"] == "ALERT"
    assert _inner(built[1])["emsi"]["CONTEXT"]["MSGTYPE"] == "UPDATE"
    assert body["EVENT"]["ID"] == side.number
    assert body["EVENT"]["MAIN_EVENT_ID"] == side.case_id
    assert body["EVENT"]["STATUS"] == "IPR"
    assert body["RESOURCE"][0]["ID"] == f"{US}.resource.680-SMUR-COLMAR-VLM1"
    assert body["RESOURCE"][0]["STATUS"] == "IN_USE/MOBILE"


@pytest.mark.parametrize("path", _examples("EMSI"), ids=lambda p: p.stem)
def test_emsi_examples_are_ingested_into_the_linked_file(side: Side, path: Path) -> None:
    """The fire service answers the EMSI we sent it about the file (it names the case as we did)."""
    with side.platform.uow() as uow:
        emsi.send_emsi(uow, principal=PHYSICIAN, number=side.number, to=FIRE, now=T0)
    body = parse_document(json.loads(path.read_text(encoding="utf-8"))).body
    body["EVENT"]["MAIN_EVENT_ID"] = side.case_id
    outcome = side.receive("EMSI", body, sender=FIRE)
    assert outcome.applied, outcome.error
    assert side.acked(outcome.distribution_id)
    assert any(note.startswith(f"EMSI de {FIRE}") for note in side.notes())
    assert {r["ID"] for r in body.get("RESOURCE", [])} <= set(side.partner())


def test_emsi_about_an_unknown_event_is_refused_702(side: Side) -> None:
    body = parse_document(json.loads(_examples("EMSI")[0].read_text(encoding="utf-8"))).body
    body["EVENT"]["MAIN_EVENT_ID"] = "fr.fire.nexsis.sdis68.unknown"
    body["EVENT"]["ID"] = "unknown"
    outcome = side.receive("EMSI", body, sender=FIRE)
    assert not outcome.applied


def test_rs_er_asks_the_smur_for_a_kind_of_unit_or_one_of_its_units(side: Side) -> None:
    with side.platform.uow() as uow:
        fleet.update_resource(
            uow,
            principal=Principal(uuid.uuid4(), "sup.680", "Chef de salle", Role.SUPERVISOR, "680"),
            samu_id="680",
            resource_id="680-SMUR-COLMAR-VLM1",
            now=T0,
            team_name="Equipe Etoile",
            phone="07 62 86 54 26",
        )
        engagement.request_engagement(
            uow,
            principal=PHYSICIAN,
            number=side.number,
            to=THEM,
            asked=[
                engagement.Asked(vehicle="SMUR.AR", medical_level="MED", freetext=("Patrice ARMAND",)),
                engagement.Asked(resource_id="680-SMUR-COLMAR-VLM1"),
            ],
            now=T0,
        )
    (envelope,) = side.sent("RS-ER")
    assert validate_envelope(envelope) == []
    assert _inner(envelope)["resourcesEngagement"] == {
        "caseId": side.case_id,
        "resource": [
            {"vehicleType": "SMUR.AR", "team": {"medicalLevel": "MED"}, "freetext": ["Patrice ARMAND"]},
            {
                "vehicleType": "SMUR.VLM",
                "name": "VLM Colmar 1",
                "team": {"medicalLevel": "MED", "name": "Equipe Etoile"},
            },
        ],
    }


def test_rs_er_needs_a_file_shared_with_that_smur_and_known_codes(side: Side) -> None:
    with side.platform.uow() as uow, pytest.raises(engagement.InvalidEngagement, match="not shared"):
        engagement.request_engagement(
            uow,
            principal=PHYSICIAN,
            number=side.number,
            to="fr.health.samu680.smur",
            asked=[engagement.Asked(vehicle="SMUR.VLM")],
            now=T0,
        )
    with side.platform.uow() as uow, pytest.raises(engagement.InvalidEngagement, match="typeVecteur"):
        engagement.request_engagement(
            uow, principal=PHYSICIAN, number=side.number, to=THEM, asked=[engagement.Asked("VLM")], now=T0
        )
    assert side.sent("RS-ER") == []
