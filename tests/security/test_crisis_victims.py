"""Issue 16 part 3, the victims registry over HTTP: who may register and read victims (the crisis' participants,
reinforcements included; another SAMU, analysts and partner machines refused), a bracelet typed or scanned, the
optimistic version, the link to a regulation file's patient, duplicate candidates, the SI-VIC and information-cell
exports, and the audit of every access."""

from __future__ import annotations

import csv
import io

import pytest
from bearers import bearers
from sqlalchemy import select
from staff import login, staff

from sisamu.hospitals.directory import hospital
from sisamu.security.roles import Role
from sisamu.storage.tables import audit_event

__all__ = ["login", "staff"]
pytestmark = pytest.mark.db

NOVI = {"kind": "novi", "level": 2, "title": "Effondrement d'une tribune", "place": "Stade de Besançon"}
BRACELET = "FR025NOVI2026TR000001"


@pytest.fixture
def crisis(staff, login) -> str:
    opened = login("supervisor.250").post("/api/crises", json=NOVI)
    assert opened.status_code == 201, opened.text
    return f"/api/crises/{opened.json()['crisis_id']}/victims"


def _rows(body: str) -> list[list[str]]:
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_participants_register_victims_and_others_are_refused(platform, client, login, crisis):
    arm = login("arm.250")
    scanned = arm.post(crisis, json={"bracelet": f"sinus:{BRACELET.lower()}", "triage": "UA", "pma": "PMA 1"})
    assert scanned.status_code == 201, scanned.text
    victim = scanned.json()
    assert (victim["number"], victim["status"], victim["version"]) == (BRACELET, "pma", 1)
    assert victim["external_id"] == {"source": "SINUS", "value": BRACELET}
    allocated = login("regulator.250").post(crisis, json={"triage": "UR", "site": "Tribune sud"}).json()
    assert allocated["number"].endswith("-000001")
    assert allocated["allocated"] is True
    assert allocated["external_id"] is None

    again = arm.post(crisis, json={"bracelet": BRACELET, "triage": "UR"})
    assert (again.status_code, again.json()["code"]) == (409, "VICTIME_EXISTE")
    bad = arm.post(crisis, json={"bracelet": "FR025NOVI", "triage": "UR"})
    assert (bad.status_code, bad.json()["code"]) == (422, "NUMERO_SINUS_INVALIDE")
    assert "SINUS" in bad.json()["detail"]
    assert arm.post(crisis, json={"triage": "ZZ"}).status_code == 422

    for username in (
        "arm.680",
        "regulator.680",
        "supervisor.680",
    ):  # another SAMU: not told the crisis exists
        other = login(username)
        assert other.get(crisis).status_code == 404
        assert other.post(crisis, json={"triage": "UR"}).status_code == 404
        assert other.get(f"{crisis}/{BRACELET}").status_code == 404
        assert (
            other.request("PATCH", f"{crisis}/{BRACELET}", json={"version": 1, "triage": "EU"}).status_code
            == 404
        )
        assert other.get(f"{crisis}/sivic.csv").status_code == 404
    for username in ("crew.250", "auditor.250", "admin.250"):
        assert login(username).get(crisis).status_code == 403
    machines = bearers(platform, {"hospital.250": Role.HOSPITAL, "hub_partner.250": Role.HUB_PARTNER})
    for headers in machines.values():
        assert client.get(crisis, headers=headers).status_code == 403
        assert client.post(crisis, json={"triage": "UR"}, headers=headers).status_code == 403
    assert login("analyst").get(crisis).status_code == 403  # statistics, never patients
    assert login("national").get(crisis).status_code == 200


def test_a_reinforcement_registers_while_it_lasts(login, crisis):
    supervisor = login("supervisor.250")
    crisis_path = crisis.removesuffix("/victims")
    assert supervisor.post(f"{crisis_path}/reinforcements", json={"username": "arm.680"}).status_code == 201
    helper = login("arm.680")
    assert helper.post(crisis, json={"bracelet": BRACELET, "triage": "EU"}).status_code == 201
    assert [v["number"] for v in helper.get(crisis).json()] == [BRACELET]
    assert supervisor.request("DELETE", f"{crisis_path}/reinforcements/arm.680").status_code == 204
    assert helper.get(crisis).status_code == 404


def test_changes_versions_links_duplicates_and_exports(platform, login, crisis):
    arm, regulator = login("arm.250"), login("regulator.250")
    zoe = {"last_name": "Lefèvre", "first_name": "Zoé", "sex": "F", "age_band": "25-44"}
    assert arm.post(crisis, json={"bracelet": BRACELET, "triage": "UR", "identity": zoe}).status_code == 201
    arm.post(crisis, json={"triage": "UA", "identity": {"last_name": "LEFEVRE", "first_name": "zoe"}})
    arm.post(crisis, json={"triage": "IMPLIQUE"})  # nobody knows who

    path = f"{crisis}/{BRACELET}"
    changed = regulator.request(
        "PATCH", path, json={"version": 1, "triage": "UA", "vector": "SMUR", "destination": "chu-besancon-25"}
    )
    assert changed.status_code == 200, changed.text
    assert [h["triage"] for h in changed.json()["history"]] == ["UR", "UA"]
    stale = arm.request("PATCH", path, json={"version": 1, "triage": "EU"})
    assert (stale.status_code, stale.json()["code"]) == (409, "VERSION_PERIMEE")
    assert "modifiée entre-temps" in stale.json()["detail"]
    jump = arm.request("PATCH", path, json={"version": 2, "status": "admitted"})
    assert (jump.status_code, jump.json()["code"]) == (409, "TRANSITION_REFUSEE")
    assert (
        arm.request("PATCH", path, json={"version": 2, "status": "evacuated"}).json()["status"] == "evacuated"
    )
    assert arm.request("PATCH", path, json={"version": 2, "unknown": 1}).status_code == 422
    unchanged = arm.request("PATCH", path, json={"version": 3, "identity": None})
    assert (unchanged.status_code, unchanged.json()["version"]) == (200, 3)  # nothing said, nothing changed

    # linked to a patient of a regulation file, through the file's own service (the caller's rights on the file)
    number = arm.post("/api/samus/250/files", json={"qualification": {"priority": "P1"}}).json()["number"]
    assert arm.post(f"/api/files/{number}/patients", json={"last_name": "Lefèvre"}).status_code == 201
    missing = arm.request(
        "PUT", f"{path}/patient", json={"version": 3, "file_number": number, "patient_no": 9}
    )
    assert (missing.status_code, missing.json()["code"]) == (422, "PATIENT_INCONNU")
    linked = arm.request(
        "PUT", f"{path}/patient", json={"version": 3, "file_number": number, "patient_no": 1}
    )
    assert linked.status_code == 200, linked.text
    assert (linked.json()["file_number"], linked.json()["patient_no"]) == (number, 1)

    pairs = regulator.get(f"{crisis}/duplicates").json()
    assert [(p["first"]["number"], p["second"]["number"]) for p in pairs] == [
        (BRACELET, pairs[0]["second"]["number"])
    ]
    assert pairs[0]["second"]["allocated"] is True
    assert len(arm.get(crisis).json()) == 3  # flagged, never merged

    sivic = arm.get(f"{crisis}/sivic.csv")
    assert sivic.status_code == 200
    assert sivic.headers["content-type"].startswith("text/csv")
    rows = _rows(sivic.text)
    assert rows[0][:3] == ["N° SINUS", "Numéro attribué par le SAMU", "Nom"]
    assert len(rows) == 4
    assert rows[1][0] == BRACELET
    assert rows[1][8] == "UA — urgence absolue"
    assert rows[1][13] == hospital("chu-besancon-25").name
    assert rows[1][15] == number
    cell = _rows(arm.get(f"{crisis}/information-cell.csv").text)
    assert cell[0][-3:] == ["Situation", "Établissement", "Mise à jour le"]
    assert len(cell) == 3  # the two whose name is known
    assert not any("urgence" in value for row in cell for value in row)  # no clinical detail
    assert {row[7] for row in cell[1:]} == {"évacuée", "sur site"}

    log = [e for e in arm.get(crisis.removesuffix("/victims") + "/log").json() if e["source"] == "Victimes"]
    assert len(log) == 6  # 3 registrations, the triage and destination change, the evacuation, the link
    assert not any("Lefèvre" in e["information"] for e in log)  # the log names no victim
    with platform.engine.connect() as conn:
        actions = set(
            conn.execute(
                select(audit_event.c.action).where(audit_event.c.action.like("crisis.victim%"))
            ).scalars()
        )
    assert {
        "crisis.victim.create", "crisis.victim.update", "crisis.victim.link", "crisis.victims.read",
        "crisis.victims.duplicates", "crisis.victims.export.sivic", "crisis.victims.export.cell",
    } <= actions  # fmt: skip


def test_a_closed_crisis_keeps_its_registry_readable_only(login, crisis):
    arm, supervisor = login("arm.250"), login("supervisor.250")
    assert arm.post(crisis, json={"bracelet": BRACELET, "triage": "UR"}).status_code == 201
    closing = supervisor.post(crisis.removesuffix("/victims") + "/close", json={"summary": "Fin"})
    assert closing.status_code == 200
    refused = arm.post(crisis, json={"triage": "UR"})
    assert (refused.status_code, refused.json()["code"]) == (409, "CRISE_CLOSE")
    assert (
        arm.request("PATCH", f"{crisis}/{BRACELET}", json={"version": 1, "triage": "EU"}).status_code == 409
    )
    assert [v["number"] for v in arm.get(crisis).json()] == [BRACELET]
