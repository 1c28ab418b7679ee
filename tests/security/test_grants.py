"""Issue 12, "Roles and grants": a file is opened to another SAMU by its owner SAMU only. A grantee can neither
re-grant it (to a third SAMU, or to itself without expiry) nor revoke; every grant ends, and its end is enforced on
every read and write; the owner revokes (route, audit) and the grantee loses the file at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from bearers import bearers
from fastapi.testclient import TestClient

from sisamu.domain.clock import FakeClock
from sisamu.security.roles import Role
from sisamu.storage.tables import audit_event
from sisamu.web.app import create_app

pytestmark = pytest.mark.db
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEOPLE = {
    "arm.250": Role.ARM,
    "regulator.250": Role.REGULATOR,
    "supervisor.250": Role.SUPERVISOR,
    "regulator.680": Role.REGULATOR,
    "supervisor.680": Role.SUPERVISOR,
    "regulator.440": Role.REGULATOR,
}


class Rooms:
    """SAMU 250 owns a file; 680 and 440 are other SAMUs. `as_(username)` calls the app as that person."""

    def __init__(self, client: TestClient, headers: dict[str, dict[str, str]], clock: FakeClock) -> None:
        self.client, self.headers, self.clock = client, headers, clock
        opened = client.post("/api/samus/250/files", json={}, headers=headers["arm.250"])
        assert opened.status_code == 201, opened.text
        self.number: str = opened.json()["number"]

    def get(self, who: str, path: str = "") -> int:
        return self.client.get(f"/api/files/{self.number}{path}", headers=self.headers[who]).status_code

    def note(self, who: str) -> int:
        url = f"/api/files/{self.number}/notes"
        return self.client.post(url, json={"body": f"note de {who}"}, headers=self.headers[who]).status_code

    def grant(self, who: str, samu_id: str, expires_at: datetime | None = None, **extra: object):
        body = {"samu_id": samu_id, "reason": "SHARED", **extra}
        if expires_at is not None:
            body["expires_at"] = expires_at.isoformat()
        return self.client.post(f"/api/files/{self.number}/grants", json=body, headers=self.headers[who])

    def revoke(self, who: str, samu_id: str):
        return self.client.delete(f"/api/files/{self.number}/grants/{samu_id}", headers=self.headers[who])


@pytest.fixture
def rooms(platform) -> Iterator[Rooms]:
    platform.clock = clock = FakeClock(START)
    headers = bearers(platform, PEOPLE)
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        yield Rooms(client, headers, clock)


def _refused_as_not_owner(response) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == {
        "code": "PARTAGE_RESERVE_AU_PROPRIETAIRE",
        "detail": "Seul le SAMU propriétaire du dossier peut le partager ou retirer un partage.",
    }


def _audited(platform, action: str) -> list[sa.Row]:
    with platform.engine.connect() as conn:
        query = sa.select(audit_event).where(audit_event.c.action == action).order_by(audit_event.c.seq)
        return conn.execute(query).all()


def test_a_grantee_cannot_re_grant_the_file_to_a_third_samu(rooms):
    assert rooms.grant("supervisor.250", "680", START + timedelta(hours=2)).status_code == 204
    assert rooms.get("regulator.680") == 200
    for who in ("supervisor.680", "regulator.680"):
        _refused_as_not_owner(rooms.grant(who, "440", START + timedelta(hours=1)))
    assert rooms.get("regulator.440") == 404
    assert rooms.note("regulator.440") == 404


def test_a_grantee_cannot_extend_its_own_grant(rooms):
    assert rooms.grant("supervisor.250", "680", START + timedelta(hours=2)).status_code == 204
    _refused_as_not_owner(rooms.grant("supervisor.680", "680"))  # to itself, with no expiry
    _refused_as_not_owner(rooms.grant("regulator.680", "680", START + timedelta(days=7)))
    rooms.clock.advance(3 * 3600)
    assert rooms.get("regulator.680") == 404


def test_the_expiry_is_enforced_on_every_read_and_write(rooms):
    assert rooms.grant("supervisor.250", "680", START + timedelta(hours=1)).status_code == 204
    assert (rooms.get("regulator.680"), rooms.note("regulator.680")) == (200, 201)
    rooms.clock.advance(3600)
    assert rooms.get("regulator.680") == 404
    assert rooms.get("regulator.680", "/rs-eda") == 404
    assert rooms.note("regulator.680") == 404
    assert rooms.get("regulator.250") == 200  # the owner's staff keep it


def test_every_grant_ends_within_seven_days(rooms):
    for expires_at in (START - timedelta(minutes=1), START + timedelta(days=7, seconds=1)):
        refused = rooms.grant("supervisor.250", "680", expires_at)
        assert refused.status_code == 422
        assert refused.json()["code"] == "ECHEANCE_DE_PARTAGE_INVALIDE"
    assert rooms.grant("supervisor.250", "680").status_code == 204  # no expiry given: 24 hours
    listed = rooms.client.get(f"/api/files/{rooms.number}/grants", headers=rooms.headers["supervisor.250"])
    assert listed.status_code == 200
    (grant,) = listed.json()
    assert (grant["samu_id"], grant["reason"], grant["granted_by"]) == ("680", "SHARED", "supervisor.250")
    assert datetime.fromisoformat(grant["expires_at"]) == START + timedelta(hours=24)
    rooms.clock.advance(24 * 3600)
    assert rooms.get("regulator.680") == 404


def test_only_the_owners_supervisor_or_physician_shares(rooms):
    _refused = rooms.grant("arm.250", "680", START + timedelta(hours=1))
    assert _refused.status_code == 403
    assert rooms.grant("regulator.250", "680", START + timedelta(hours=1)).status_code == 204
    assert rooms.grant("regulator.440", "440", START + timedelta(hours=1)).status_code == 404  # a stranger
    assert (
        rooms.get("regulator.680", "/grants") == 403
    )  # a grantee does not see whom else the file is open to


def test_the_owner_revokes_and_the_grantee_loses_the_file_at_once(platform, rooms):
    assert rooms.grant("supervisor.250", "680", START + timedelta(hours=4)).status_code == 204
    assert rooms.get("regulator.680") == 200
    _refused_as_not_owner(rooms.revoke("supervisor.680", "680"))
    assert rooms.revoke("regulator.250", "680").status_code == 204
    assert rooms.get("regulator.680") == 404
    assert rooms.note("regulator.680") == 404
    again = rooms.revoke("supervisor.250", "680")
    assert (again.status_code, again.json()["code"]) == (404, "PARTAGE_INTROUVABLE")
    (entry,) = _audited(platform, "file.grant.revoke")
    assert (entry.actor, entry.samu_id, entry.object_id, entry.detail) == (
        "regulator.250",
        "250",
        rooms.number,
        {"grantee": "680"},
    )
    (granted,) = _audited(platform, "file.grant")
    assert granted.detail["expires_at"] == (START + timedelta(hours=4)).isoformat()
