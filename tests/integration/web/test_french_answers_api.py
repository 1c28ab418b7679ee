"""Issue 13, French throughout, at the API: every refusal carries a `code` and a French `message` (the console shows
it), the file's timeline reads in French, and the supervisor's seat commands are theirs alone (role × SAMU) and
audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db


def _file(arm, **qualification) -> str:
    opened = arm.post("/api/samus/250/files", json={"call_id": None, "qualification": qualification})
    assert opened.status_code == 201, opened.text
    return opened.json()["number"]


def test_refusals_carry_a_code_and_a_french_message(platform, accounts, login):
    arm, mr = login("arm.250"), login("regulator.250")
    number = _file(arm, priority="P1")

    # A rule without a French message of its own: the kind of refusal, in French; `detail` keeps the reason.
    refused = mr.post(f"/api/files/{number}/transitions", json={"to": "ACHEVE"})
    assert refused.status_code == 422
    body = refused.json()
    assert (body["code"], body["message"]) == (
        "TRANSITION_REFUSEE",
        "Cette action n'est pas possible dans l'état actuel.",
    )
    assert "no decision" in body["detail"]
    # Malformed input: a code and a French message too.
    bad = mr.request(
        "PUT", f"/api/files/{number}/patients/1/hypothesis", json={"hypothesis": {"main": {"code": "x"}}}
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "REQUETE_INVALIDE"
    assert bad.json()["message"].startswith("Saisie refusée")
    # A refusal whose message is already French is said as it is.
    self_share = mr.post(f"/api/files/{number}/share", json={"to": "fr.health.samu250"})
    assert self_share.status_code == 422
    assert self_share.json()["message"] == "un dossier ne se partage pas avec son propre SAMU"


def test_timeline_reads_in_french(platform, accounts, login):
    arm, mr = login("arm.250"), login("regulator.250")
    number = _file(arm, priority="P2")
    assert arm.post(f"/api/files/{number}/patients", json={"last_name": "LEROY"}).status_code == 201
    assert arm.post(f"/api/files/{number}/handover").status_code == 200
    assert mr.post(f"/api/files/{number}/take").status_code == 200
    assert (
        mr.request("PUT", f"/api/files/{number}/patients/1/care-level", json={"level": "R3"}).status_code
        == 200
    )
    decided = mr.post(f"/api/files/{number}/decisions", json={"kind": "INTER", "resource_type": "SMUR"})
    assert decided.status_code == 201, decided.text
    texts = [t["text"] for t in mr.get(f"/api/files/{number}").json()["timeline"]]
    assert texts[0] == "Dossier actif — ouvert sans appel"
    assert "Niveau de soin R3 pour le patient 1" in texts
    assert "Décision d’intervention — INTER SMUR" in texts


def test_supervisor_logs_a_seat_out_and_puts_it_back(platform, accounts, login):
    arm, supervisor = login("arm.250"), login("supervisor.250")
    assert arm.post("/api/samus/250/telephony/seats/P-e2e/login", json={}).status_code == 200
    assert (
        arm.post("/api/samus/250/telephony/seats/P-e2e/pause", json={"reason": "absent"}).status_code == 200
    )
    seat = next(s for s in supervisor.get("/api/samus/250/telephony/seats").json() if s["seat_id"] == "P-e2e")
    assert (seat["state"], seat["pause_reason_label"]) == ("paused", "Absent (appels présentés sans réponse)")

    # Not the ARM's command, not another SAMU's supervisor's.
    assert arm.post("/api/samus/250/telephony/seats/P-e2e/supervisor/resume").status_code == 403
    assert login("supervisor.680").post(
        "/api/samus/250/telephony/seats/P-e2e/supervisor/resume"
    ).status_code in {
        403,
        404,
    }
    resumed = supervisor.post("/api/samus/250/telephony/seats/P-e2e/supervisor/resume")
    assert (resumed.status_code, resumed.json()["state"]) == (200, "available")
    out = supervisor.post("/api/samus/250/telephony/seats/P-e2e/supervisor/logout")
    assert (out.status_code, out.json()["state"]) == (200, "logged_out")
    again = supervisor.post("/api/samus/250/telephony/seats/P-e2e/supervisor/logout")
    assert (again.status_code, again.json()["code"]) == (422, "TRANSITION_REFUSEE")
    # The ARM can take the seat again.
    assert arm.post("/api/samus/250/telephony/seats/P-e2e/login", json={}).status_code == 200

    with platform.engine.connect() as conn:
        audited = conn.execute(
            sa.select(audit_event.c.action, audit_event.c.actor)
            .where(audit_event.c.object_type == "seat")
            .order_by(audit_event.c.seq)
        ).all()
    assert [(a.action, a.actor) for a in audited] == [
        ("seat.supervisor_resume", "supervisor.250"),
        ("seat.supervisor_logout", "supervisor.250"),
    ]
