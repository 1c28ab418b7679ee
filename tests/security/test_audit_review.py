"""Issue 12, audit review: only auditors read the trail (not the account administrators: separation of duties),
each their SAMU's chain unless they have no home SAMU; filters and pages; every reading and every verification is
itself audited; the verification on demand finds what `sisamu audit verify` finds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import select
from staff import Session, log_in, login, staff

from sisamu.bootstrap import build_platform
from sisamu.security import audit
from sisamu.security import audit_checkpoints as checkpoints
from sisamu.security.roles import ROLE_PERMISSIONS, Permission, Role
from sisamu.storage.database import Database
from sisamu.storage.tables import audit_event
from sisamu.web.app import create_app

__all__ = ["login", "staff"]
pytestmark = pytest.mark.db

FILE = "DRFR152502601100001"
DAY = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def trail(platform, staff) -> None:
    """Reads of a file of 250 on two days by two people, one of a file of 680."""
    entries = [
        ("250", "regulator.250", "patient.read", FILE, DAY),
        ("250", "arm.250", "patient.write", FILE, DAY + timedelta(minutes=5)),
        ("250", "arm.250", "patient.read", "DRFR152502601200002", DAY + timedelta(days=1)),
        ("680", "arm.680", "patient.read", "DRFR156802601100001", DAY),
    ]
    for samu_id, actor, action, number, at in entries:
        with platform.uow() as uow:
            audit.record(
                uow.conn,
                principal=None,
                samu_id=samu_id,
                action=action,
                object_type="file",
                object_id=number,
                at=at,
                actor=actor,
            )


def _chain(platform, samu_id: str) -> list:
    with platform.engine.connect() as conn:
        return list(conn.execute(select(audit_event).where(audit_event.c.samu_id == samu_id)))


def test_the_auditor_role_reads_the_trail_and_nothing_else():
    assert ROLE_PERMISSIONS[Role.AUDITOR] == {Permission.CONSOLE, Permission.AUDIT_READ}
    assert Permission.AUDIT_READ not in ROLE_PERMISSIONS[Role.ADMIN]
    assert [r for r, held in ROLE_PERMISSIONS.items() if Permission.AUDIT_READ in held] == [Role.AUDITOR]


def test_only_auditors_reach_the_audit_routes(staff, client, login):
    routes = [("GET", "/api/audit"), ("GET", "/api/audit?samu=250"), ("POST", "/api/audit/verify")]
    for method, path in routes:
        assert client.request(method, path, headers={"Accept": "application/json"}).status_code == 401
    refused = [
        "arm.250",
        "regulator.250",
        "supervisor.250",
        "crew.250",
        "admin.250",
        "admin",
        "national",
        "analyst",
    ]
    for username in refused:
        session = login(username)
        for method, path in routes:
            response = session.request(method, path)
            assert response.status_code == 403, f"{username}: {method} {path} → {response.status_code}"
            assert response.json() == {
                "code": "audit.forbidden",
                "detail": "Vous n'avez pas accès au journal d'audit.",
            }


def test_a_samu_auditor_reads_their_samus_chain_only(platform, trail, login):
    auditor = login("auditor.250")
    known = len(_chain(platform, "250"))
    page = auditor.get("/api/audit?limit=200").json()
    assert page["total"] == known
    assert {e["samu_id"] for e in page["entries"]} == {"250"}
    assert "DRFR156802601100001" not in {e["object_id"] for e in page["entries"]}
    for other in ("680", "*"):
        for method, path in (
            ("GET", f"/api/audit?samu={other}"),
            ("POST", f"/api/audit/verify?samu={other}"),
        ):
            response = auditor.request(method, path)
            assert (response.status_code, response.json()["code"]) == (403, "audit.beyond_scope"), path
    assert FILE not in {
        e["object_id"] for e in login("auditor.680").get("/api/audit?limit=200").json()["entries"]
    }


def test_filters_and_pages(trail, login):
    auditor = login("auditor.250")

    def found(query: str) -> list[tuple[str, str, str]]:
        return [
            (e["actor"], e["action"], e["object_id"])
            for e in auditor.get("/api/audit?" + query).json()["entries"]
        ]

    assert found(f"subject={FILE}") == [
        ("arm.250", "patient.write", FILE),
        ("regulator.250", "patient.read", FILE),
    ]
    assert found("actor=ARM.250&action=patient.") == [
        ("arm.250", "patient.read", "DRFR152502601200002"),
        ("arm.250", "patient.write", FILE),
    ]
    assert found("action=patient.read&since=2026-01-12T00:00:00Z") == [
        ("arm.250", "patient.read", "DRFR152502601200002")
    ]
    assert found("action=patient.&until=2026-01-11T09:05:00%2B00:00") == [
        ("regulator.250", "patient.read", FILE)
    ]
    assert found("action=patient%25") == []  # a prefix, not a pattern
    first = auditor.get("/api/audit?action=patient.&limit=2").json()
    second = auditor.get("/api/audit?action=patient.&limit=2&offset=2").json()
    assert (first["total"], len(first["entries"]), len(second["entries"])) == (3, 2, 1)
    assert {e["seq"] for e in first["entries"]}.isdisjoint({e["seq"] for e in second["entries"]})
    assert auditor.get("/api/audit?limit=500").status_code == 422
    assert auditor.get("/api/audit?since=2026-01-12").status_code == 422  # a moment needs its offset


def test_reading_the_trail_is_audited(platform, trail, login):
    login("auditor.250").get(f"/api/audit?subject={FILE}&actor=arm.250")
    (read,) = [e for e in _chain(platform, "250") if e.action == "audit.read"]
    assert (read.actor, read.role, read.object_id) == ("auditor.250", "auditor", "250")
    assert read.detail == {"filters": {"subject": FILE, "actor": "arm.250"}, "offset": 0, "matched": 1}
    seen = login("auditor.250").get("/api/audit?action=audit.").json()["entries"]
    assert [(e["actor"], e["action"]) for e in seen] == [("auditor.250", "audit.read")]
    login("auditor").get("/api/audit?samu=680")
    (national,) = [e for e in _chain(platform, "*") if e.action == "audit.read"]
    assert (national.actor, national.object_id) == ("auditor", "680")


def test_an_auditor_without_a_home_samu_reads_every_chain(trail, login):
    auditor = login("auditor")
    chains = {e["samu_id"] for e in auditor.get("/api/audit?limit=200").json()["entries"]}
    assert {"250", "680", "*"} <= chains  # the platform's chain: nationwide accounts created, logins…
    assert {e["samu_id"] for e in auditor.get("/api/audit?samu=680&limit=200").json()["entries"]} == {"680"}


def _as_dba(platform, statement: str) -> None:
    owner = sa.create_engine(platform.database.owner_url)
    with owner.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        conn.execute(sa.text(statement))
        conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    owner.dispose()


def test_the_verification_on_demand_finds_a_changed_entry_in_the_auditors_chain(platform, trail, login):
    auditor = login("auditor.250")
    intact = auditor.post("/api/audit/verify")
    assert intact.status_code == 200, intact.text
    body = intact.json()
    assert (body["intact"], body["samu_id"], body["problems"]) == (True, "250", [])
    assert body["checked"] == len(_chain(platform, "250")) - 1  # all but the verification's own entry
    assert body["summary"].startswith("Journal intègre : ")
    (changed,) = [e for e in _chain(platform, "250") if e.object_id == FILE and e.action == "patient.read"]
    _as_dba(
        platform, f"UPDATE audit_event SET actor = 'quelqu''un' WHERE samu_id = '250' AND seq = {changed.seq}"
    )
    broken = auditor.post("/api/audit/verify").json()
    assert broken["intact"] is False
    assert broken["summary"].startswith("Journal altéré : 1 anomalie(s)")
    assert [(p["samu_id"], p["seq"], p["reason_fr"]) for p in broken["problems"]] == [
        ("250", changed.seq, "contenu différent de son empreinte (entrée modifiée)")
    ]
    assert (
        login("auditor.680").post("/api/audit/verify").json()["intact"] is True
    )  # another chain is not 250's
    assert login("auditor").post("/api/audit/verify").json()["intact"] is False
    verified = [e for e in _chain(platform, "250") if e.action == "audit.verify"]
    assert [(e.actor, e.detail["problems"]) for e in verified] == [("auditor.250", 0), ("auditor.250", 1)]


def test_the_console_offers_the_audit_review_to_auditors_only(staff, login):
    html = {"Accept": "text/html"}
    for username in ("auditor.250", "auditor"):
        page = login(username).get("/console", headers=html)
        assert page.status_code == 200
        assert 'id="audit-entries"' in page.text
        assert '<script src="/static/js/audit.js" defer></script>' in page.text
        assert 'href="/console/audit" aria-current="page">Journal d&#39;audit</a>' in page.text
    assert 'value="*"' in login("auditor").get("/console/audit", headers=html).text  # the platform's chain
    for username in ("arm.250", "supervisor.250", "admin.250", "admin", "national"):
        session = login(username)
        assert "/console/audit" not in session.get("/console", headers=html).text
        assert session.get("/console/audit", headers=html).status_code == 404, username


def test_the_verification_on_demand_checks_the_signed_checkpoints(platform, settings, staff, tmp_path):
    """As `sisamu audit verify`: a tail cut below a signed checkpoint, which the chain alone cannot show."""
    key = tmp_path / "keys" / "audit.pem"
    signing = checkpoints.load_signing_key(key, create=True)
    signed = settings.model_copy(
        update={"audit_signing_key": key, "audit_checkpoint_dir": tmp_path / "anchors"}
    )
    database = Database(url=str(signed.database_url), owner_url=signed.migration_database_url)
    site = build_platform(signed, database=database)
    try:
        with TestClient(
            create_app(site, live=False, services=[]), base_url="https://testserver", follow_redirects=False
        ) as client:
            assert log_in(client, "auditor.250").status_code == 303
            token = client.cookies["sisamu_session"]
            client.cookies.clear()
            csrf = client.get("/api/me", headers={"cookie": f"sisamu_session={token}"}).json()["csrf_token"]
            auditor = Session(client, token, csrf)
            for i in range(4):
                with site.uow() as uow:
                    audit.record(
                        uow.conn, principal=None, samu_id="250", action="patient.read", object_type="file",
                        object_id=f"F{i}", at=site.clock.now(), actor="arm.250",
                    )  # fmt: skip
            file = checkpoints.CheckpointFile(checkpoints.checkpoint_file_path(signed), fsync=False)
            with site.engine.connect() as conn:
                assert checkpoints.write_checkpoints(conn, signing, file, site.clock.now(), file.latest())
            ok = auditor.post("/api/audit/verify").json()
            assert (ok["intact"], ok["checkpoints"], ok["anchors"]) == (True, 1, 1), ok
            assert ok["summary"].endswith("1 point(s) de contrôle signé(s) concordent.")
            with platform.engine.connect() as conn:
                keep = conn.execute(
                    select(audit_event.c.hash).where(audit_event.c.samu_id == "250", audit_event.c.seq == 2)
                ).scalar_one()
            _as_dba(platform, "DELETE FROM audit_event WHERE samu_id = '250' AND seq > 2")
            _as_dba(platform, f"UPDATE audit_head SET seq = 2, hash = '{keep}' WHERE samu_id = '250'")
            cut = auditor.post("/api/audit/verify").json()
            assert cut["intact"] is False
            assert [p["reason_fr"] for p in cut["problems"]] == [
                "entrée d'un point de contrôle signé absente (fin de chaîne coupée)"
            ]
    finally:
        site.close()
