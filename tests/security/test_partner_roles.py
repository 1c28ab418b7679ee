"""Issue 12, "Roles and grants": the former `partner` role is split by kind of partner. A telephony gateway offers
calls, reports hang-ups and AML locations; a hospital reports its free beds; a Hub partner neither. A hospital's
token can no longer offer a call or place an AML location on a live call. Migration 0012 gives each existing
`partner` account the role of what it did."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from alembic import command
from bearers import bearers
from fastapi.testclient import TestClient

from factories import add_account, add_samu
from sisamu import migrations
from sisamu.domain.clock import FakeClock
from sisamu.security import audit
from sisamu.security.roles import Role
from sisamu.storage.tables import account
from sisamu.web.app import create_app

pytestmark = pytest.mark.db
BASE = "/api/samus/250/telephony"
CAPACITY = "/api/samus/250/hospitals/ch-montbeliard-25/capacity"
MACHINES = {
    "telephony_gateway.250": Role.TELEPHONY_GATEWAY,
    "hospital.250": Role.HOSPITAL,
    "hub_partner.250": Role.HUB_PARTNER,
}


@pytest.fixture
def machines(platform) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    platform.clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    headers = bearers(platform, MACHINES)
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        yield client, headers


def _aml(platform) -> dict[str, object]:
    top = platform.clock.now().strftime("%Y%m%d%H%M%S")
    return {"text": f'A"ML=1;lt=+47.23672;lg=+6.02230;rd=25;top={top};lc=68;pm=G', "msisdn": "0612345678"}


@pytest.mark.parametrize("who", ["hospital.250", "hub_partner.250"])
def test_only_the_telephony_gateway_offers_calls_and_places_aml_locations(platform, machines, who):
    client, headers = machines
    offer = {"call_id": "c1", "caller_number": "0612345678"}
    refused = client.post(f"{BASE}/calls", json=offer, headers=headers[who])
    assert refused.status_code == 403
    assert refused.json()["code"] == "ACCES_REFUSE"
    assert (
        client.post(f"{BASE}/calls", json=offer, headers=headers["telephony_gateway.250"]).status_code == 201
    )
    assert client.post(f"{BASE}/aml", json=_aml(platform), headers=headers[who]).status_code == 403
    assert client.post(f"{BASE}/calls/c1/hangup", headers=headers[who]).status_code == 403
    placed = client.post(f"{BASE}/aml", json=_aml(platform), headers=headers["telephony_gateway.250"])
    assert placed.status_code == 201, placed.text


@pytest.mark.parametrize("who", ["telephony_gateway.250", "hub_partner.250"])
def test_only_a_hospital_reports_beds_among_the_partners(machines, who):
    client, headers = machines
    body = {"free_beds": {"urgences": 4}}
    assert client.put(CAPACITY, json=body, headers=headers[who]).status_code == 403
    reported = client.put(CAPACITY, json=body, headers=headers["hospital.250"])
    assert reported.status_code == 200, reported.text


def test_the_migration_gives_each_partner_account_the_role_of_what_it_did(platform, owner_database_url):
    """Back at 0011: a gateway that placed an AML location, a hospital's account that reported beds, an account
    that did both, one that did nothing; at 0012 the hospital alone becomes `hospital`."""
    config = migrations.alembic_config(owner_database_url)
    command.downgrade(config, "0011")
    owner = sa.create_engine(owner_database_url)
    now = platform.clock.now()
    names = ("gw", "beds", "both", "idle")
    try:
        add_samu(owner, "250")
        with platform.uow() as uow:
            for name in names:
                add_account(uow, name, Role.ARM, "250", now=now)
        with owner.begin() as conn:
            conn.execute(account.update().where(account.c.username.in_(names)).values(role="partner"))
            ids = dict(conn.execute(sa.select(account.c.username, account.c.account_id)).all())
        done = {"gw": ["call.location.receive"], "beds": ["hospital.capacity"]}
        done["both"] = done["gw"] + done["beds"]
        with platform.uow() as uow:
            for name, actions in done.items():
                actor = SimpleNamespace(account_id=ids[name], username=name, role="partner")
                for action in actions:
                    audit.record(
                        uow.conn, principal=actor, samu_id="250", action=action,
                        object_type="x", object_id=str(uuid.uuid4()), at=now,
                    )  # fmt: skip
        migrations.upgrade(owner_database_url, "head")
        with owner.connect() as conn:
            roles = dict(conn.execute(sa.select(account.c.username, account.c.role)).all())
    finally:
        owner.dispose()
    assert roles == {
        "gw": "telephony_gateway",
        "beds": "hospital",
        "both": "telephony_gateway",
        "idle": "telephony_gateway",
    }
