"""Issue 12, "Roles and grants": a SMUR's RPIS summary (the patient's diagnosis, birth date, sex, commune) goes only
to the recipient the platform's settings name (`SISAMU_HUB_RPIS_RECIPIENT`), never to an address a supervisor
types into the console: `PUT …/smur-client` refuses any other, and the RPIS recorded over HTTP leaves for the
configured recipient."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from bearers import bearers
from fastapi.testclient import TestClient

from factories import add_unit
from sisamu.cases import service as cases
from sisamu.domain.clock import FakeClock
from sisamu.hubsante.tables import hub_outbox
from sisamu.resources import service as fleet
from sisamu.security.roles import Role
from sisamu.smur import queries as smur_queries
from sisamu.smur.tables import smur_client
from sisamu.web.app import create_app

pytestmark = pytest.mark.db
ORU = "fr.health.oru.paysdelaloire"
ATTACKER = "fr.health.samu999.collect"
SMUR = "fr.health.samu440.smur"
T0 = datetime(2024, 5, 18, 16, 19, tzinfo=UTC)
CYCLE = ["DECLENCHE", "DEPART", "ARRIVEE", "PEC", "BILAN", "ORIENTAT", "TRANSP", "DESTIN", "FINPEC", "RETOUR"]
CLIENT = "/api/samus/440/smur-client"


@pytest.fixture
def room(platform) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """SAMU 440 on a platform whose settings name ORU as its RPIS recipient."""
    platform.clock = FakeClock(T0)
    platform.settings.hub_rpis_recipient = f"440={ORU}"
    headers = bearers(platform, {"supervisor.440": Role.SUPERVISOR, "regulator.440": Role.REGULATOR})
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        yield client, headers


def test_the_console_cannot_name_another_rpis_recipient(platform, room):
    client, headers = room
    body = {"client_id": SMUR, "rpis_recipient": ATTACKER}
    refused = client.put(CLIENT, json=body, headers=headers["supervisor.440"])
    assert refused.status_code == 422
    assert refused.json()["code"] == "DESTINATAIRE_RPIS_IMPOSE"
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(smur_client)).all() == []
        assert "rpis_recipient" not in smur_client.c
    accepted = client.put(CLIENT, json={"client_id": SMUR}, headers=headers["supervisor.440"])
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["rpis_recipient"] == ORU  # what the platform says, read only
    same = client.put(
        CLIENT, json={"client_id": SMUR, "rpis_recipient": ORU}, headers=headers["supervisor.440"]
    )
    assert same.status_code == 200


def _mission_done(platform) -> int:
    """A file of SAMU 440's own, its SMUR unit through the whole cycle: an RPIS can be built."""
    with platform.uow() as uow:
        own = cases.open_file(
            uow,
            principal=None,
            samu_id="440",
            now=T0,
            qualification={"motif": "M03.10", "location": {"commune_insee": "44109"}},
            patients=[{"last_name": "Martin", "birth_date": date(1950, 2, 1), "sex": "M"}],
        )
        add_unit(uow, "440", "VLM3", base=(47.2, -1.55), now=T0)
        mission_id = fleet.engage(
            uow, principal=None, number=own.number, resource_id="VLM3", now=T0
        ).mission_id
        for i, status in enumerate([*CYCLE, "REN-BASE"], start=1):
            fleet.report_status(
                uow, principal=None, samu_id="440", mission_id=mission_id, status=status,
                now=T0 + i * timedelta(minutes=5),
            )  # fmt: skip
    return mission_id


def test_the_rpis_leaves_for_the_configured_recipient_only(platform, room):
    client, headers = room
    assert client.put(CLIENT, json={"client_id": SMUR}, headers=headers["supervisor.440"]).status_code == 200
    mission_id = _mission_done(platform)
    body = {"patient_no": 1, "orientation": "OK", "main_diagnosis": "I21"}
    url = f"/api/samus/440/missions/{mission_id}/rpis"
    recorded = client.post(url, json=body, headers=headers["regulator.440"])
    assert recorded.status_code == 201, recorded.text
    with platform.engine.connect() as conn:
        rows = conn.execute(sa.select(hub_outbox.c.distribution_id, hub_outbox.c.recipient)).all()
        assert smur_queries.client_of(conn, "440") is not None
    assert [(r.distribution_id, r.recipient) for r in rows] == [(recorded.json()["sent"], ORU)]


def test_without_a_configured_recipient_the_rpis_of_an_own_file_stays_on_the_file(platform, room):
    client, headers = room
    platform.settings.hub_rpis_recipient = None
    assert client.put(CLIENT, json={"client_id": SMUR}, headers=headers["supervisor.440"]).json() == {
        "client_id": SMUR,
        "rpis_recipient": None,
        "finess_legal": None,
        "finess_geo": None,
        "structure": "0",
    }
    mission_id = _mission_done(platform)
    body = {"patient_no": 1, "orientation": "OK", "main_diagnosis": "I21"}
    recorded = client.post(
        f"/api/samus/440/missions/{mission_id}/rpis", json=body, headers=headers["regulator.440"]
    )
    assert (recorded.status_code, recorded.json()["sent"]) == (201, None)
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(hub_outbox)).all() == []
