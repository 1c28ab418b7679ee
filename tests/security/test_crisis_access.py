"""Issue 16, crisis mode over HTTP: who may open, read and write a crisis (role × tenant), what opening switches
(files attributed with the official DRM code and linked in the log, national pooling, room instructions, the
banner) and what closing undoes; reinforcements of another SAMU for the crisis' duration; the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from staff import login, staff

from sisamu.calls.overflow.service import pooling_state
from sisamu.security import audit
from sisamu.storage.tables import audit_event

__all__ = ["login", "staff"]
pytestmark = pytest.mark.db

NOVI = {"kind": "novi", "level": 2, "title": "Effondrement d'une tribune", "place": "Stade de Besançon"}


def _open(session, body=NOVI):
    answer = session.post("/api/crises", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_arm_cannot_open_a_crisis_and_a_supervisor_opens_only_their_samus(staff, login):
    arm = login("arm.250")
    refused = arm.post("/api/crises", json=NOVI)
    assert refused.status_code == 403
    assert refused.json()["code"] == "ACCES_REFUSE"
    supervisor = login("supervisor.250")
    wider = supervisor.post("/api/crises", json={**NOVI, "samus": ["250", "680"]})
    assert wider.status_code == 403
    assert wider.json()["code"] == "CRISE_REGIONALE_NATIONALE"
    crisis = _open(supervisor)
    assert crisis["scope"] == "samu"
    assert crisis["samus"] == ["250"]
    assert crisis["attribution"] == "DRM.MRU.SSE"
    again = supervisor.post("/api/crises", json=NOVI)
    assert again.status_code == 409
    assert again.json()["code"] == "CRISE_EN_COURS"


def test_a_samu_not_attached_cannot_read_or_write_the_log(staff, login):
    crisis = _open(login("supervisor.250"))
    log = f"/api/crises/{crisis['crisis_id']}/log"
    assert (
        login("arm.250").post(log, json={"source": "CODIS", "information": "12 victimes"}).status_code == 201
    )
    for username in ("arm.680", "supervisor.680", "regulator.680"):
        other = login(username)
        assert other.get(log).status_code == 404
        assert other.get(f"/api/crises/{crisis['crisis_id']}").status_code == 404
        assert other.post(log, json={"source": "x", "information": "y"}).status_code == 404
        assert other.get(log + ".csv").status_code == 404
        assert (
            other.post(f"/api/crises/{crisis['crisis_id']}/close", json={"summary": "x"}).status_code == 404
        )
        assert other.get("/api/crises").json() == []
    for username in ("crew.250", "auditor.250", "admin.250"):  # roles that take part in no crisis
        assert login(username).get(log).status_code == 403
    assert (
        login("arm.250").post(f"/api/crises/{crisis['crisis_id']}/close", json={"summary": "x"}).status_code
        == 403
    )
    assert login("national").get(log).status_code == 200  # the national operator takes part in every crisis


def test_opening_switches_the_room_and_closing_undoes_it(platform, staff, login):
    supervisor, arm = login("supervisor.250"), login("arm.250")
    assert arm.get("/api/samus/250/crisis").json() is None
    crisis = _open(supervisor, {**NOVI, "kind": "plan_blanc"})
    cid = crisis["crisis_id"]
    assert crisis["attribution"] == "DRM.MRU.PLANBLAN"
    banner = arm.get("/api/samus/250/crisis").json()
    assert banner["crisis_id"] == cid
    assert banner["kind_label"] == "Plan blanc"
    assert login("arm.680").get("/api/samus/250/crisis").status_code == 403
    with platform.engine.connect() as conn:
        assert pooling_state(conn)[0] is True
    instructions = arm.get("/api/samus/250/instructions").json()
    assert instructions[0]["body"].startswith("CRISE — Plan blanc, niveau 2")

    # A file opened in the room during the crisis: attributed to it, linked in its log.
    opened = arm.post("/api/samus/250/files", json={"qualification": {"priority": "P1"}})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    file = arm.get(f"/api/files/{number}").json()
    assert file["qualification"]["attribution"] == "DRM.MRU.PLANBLAN"
    linked = arm.get(f"/api/crises/{cid}/log", params={"q": number}).json()
    assert [(e["link_kind"], e["link_id"], e["source"]) for e in linked] == [("file", number, "Dossier")]
    # Another SAMU's files are not touched.
    other = login("arm.680").post("/api/samus/680/files", json={"qualification": {}}).json()
    assert other["qualification"]["attribution"] is None

    closed = supervisor.post(f"/api/crises/{cid}/close", json={"summary": "14 victimes prises en charge."})
    assert closed.status_code == 200, closed.text
    assert closed.json()["open"] is False
    assert arm.get("/api/samus/250/crisis").json() is None
    with platform.engine.connect() as conn:
        assert pooling_state(conn)[0] is False
    assert arm.get("/api/samus/250/instructions").json()[0]["body"].startswith("Fin de crise")
    later = arm.post("/api/samus/250/files", json={"qualification": {}}).json()
    assert later["qualification"]["attribution"] is None
    refused = arm.post(f"/api/crises/{cid}/log", json={"source": "x", "information": "y"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "CRISE_CLOSE"
    entries = arm.get(f"/api/crises/{cid}/log").json()  # the closed crisis stays readable by its room
    assert entries[0]["source"] == "Clôture"
    assert entries[0]["information"] == "14 victimes prises en charge."
    assert entries[-1]["source"] == "Ouverture"
    with platform.engine.connect() as conn:
        actions = set(
            conn.execute(select(audit_event.c.action).where(audit_event.c.samu_id == "250")).scalars()
        )
        assert {"crisis.open", "crisis.close", "crisis.log.read", "file.attribution"} <= actions
        assert audit.verify(conn, "250")[1] == []


def test_verification_search_and_csv_export(staff, login):
    crisis = _open(login("supervisor.250"))
    log = f"/api/crises/{crisis['crisis_id']}/log"
    arm = login("arm.250")
    first = arm.post(
        log,
        json={
            "source": "CODIS 25",
            "information": '=HYPERLINK("x") Explosion signalée rue Battant',
            "decision": "Envoyer une VLM",
            "owner": "Dr Martin",
            "due_at": "2026-12-03T22:00:00+00:00",
        },
    ).json()
    assert first["verification"] == "non_verifiee"
    confirmed = login("regulator.250").post(
        f"{log}/{first['seq']}/verification",
        json={"verification": "confirmee", "note": "Confirmé par la police"},
    )
    assert confirmed.status_code == 201
    assert confirmed.json()["refers_to"] == first["seq"]
    assert confirmed.json()["verification_label"] == "confirmée"
    assert [e["seq"] for e in arm.get(log, params={"q": "battant"}).json()] == [first["seq"]]
    assert [
        e["seq"] for e in arm.get(log, params={"verification": "confirmee", "source": "codis 25"}).json()
    ] == [confirmed.json()["seq"]]
    assert arm.post(f"{log}/999/verification", json={"verification": "infirmee"}).status_code == 404
    exported = arm.get(log + ".csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["n°", "horodatage", "auteur"]
    written = next(r for r in rows[1:] if r[0] == str(first["seq"]))
    assert written[5].startswith("'=HYPERLINK")  # a formula is not run by the spreadsheet
    assert written[9] == "Dr Martin"


def test_a_reinforcement_takes_part_while_the_crisis_lasts(platform, staff, login):
    supervisor, arm = login("supervisor.250"), login("arm.250")
    before = arm.post("/api/samus/250/files", json={"qualification": {}}).json()[
        "number"
    ]  # not a crisis file
    crisis = _open(supervisor)
    cid = crisis["crisis_id"]
    early = arm.post("/api/samus/250/files", json={"qualification": {}}).json()["number"]
    helper = login("arm.680")
    assert helper.get(f"/api/crises/{cid}/log").status_code == 404
    assert helper.get(f"/api/files/{early}").status_code == 404
    refused = supervisor.post(f"/api/crises/{cid}/reinforcements", json={"username": "crew.680"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "RENFORT_ROLE"
    by_an_arm = arm.post(f"/api/crises/{cid}/reinforcements", json={"username": "arm.680"})
    assert by_an_arm.status_code == 403
    added = supervisor.post(f"/api/crises/{cid}/reinforcements", json={"username": "arm.680"})
    assert added.status_code == 201, added.text
    assert helper.get(f"/api/crises/{cid}/log").status_code == 200
    written = helper.post(f"/api/crises/{cid}/log", json={"source": "Renfort", "information": "En poste"})
    assert written.status_code == 201
    assert written.json()["author_samu_id"] == "680"
    assert [c["crisis_id"] for c in helper.get("/api/crises").json()] == [cid]
    listed = supervisor.get(f"/api/crises/{cid}/reinforcements").json()
    assert [(r["username"], r["home_samu_id"], r["revoked_at"]) for r in listed] == [("arm.680", "680", None)]
    # The crisis log is the person's, not their SAMU's.
    assert login("regulator.680").get(f"/api/crises/{cid}/log").status_code == 404
    # The crisis' files (and only those) are opened to the reinforcement's SAMU by the files' own CRISIS grants.
    later = arm.post("/api/samus/250/files", json={"qualification": {}}).json()["number"]
    for number in (early, later):
        assert helper.get(f"/api/files/{number}").status_code == 200
        grants = supervisor.get(f"/api/files/{number}/grants").json()
        assert [(g["samu_id"], g["reason"]) for g in grants] == [("680", "CRISIS")]
    assert helper.get(f"/api/files/{before}").status_code == 404

    supervisor.post(f"/api/crises/{cid}/close", json={"summary": "Fin."})
    assert helper.get(f"/api/crises/{cid}/log").status_code == 404
    for number in (early, later):
        assert helper.get(f"/api/files/{number}").status_code == 404
        assert supervisor.get(f"/api/files/{number}/grants").json() == []
    assert supervisor.get(f"/api/crises/{cid}/reinforcements").json()[0]["revoked_at"] is not None
    with platform.engine.connect() as conn:
        chain_680 = set(
            conn.execute(select(audit_event.c.action).where(audit_event.c.samu_id == "680")).scalars()
        )
    assert {"crisis.reinforcement.add"} <= chain_680


def test_ending_a_reinforcement_closes_the_files_to_its_samu(staff, login):
    supervisor, arm = login("supervisor.250"), login("arm.250")
    cid = _open(supervisor)["crisis_id"]
    number = arm.post("/api/samus/250/files", json={"qualification": {}}).json()["number"]
    for username in ("arm.680", "regulator.680"):
        assert (
            supervisor.post(f"/api/crises/{cid}/reinforcements", json={"username": username}).status_code
            == 201
        )
    helper = login("regulator.680")
    assert supervisor.request("DELETE", f"/api/crises/{cid}/reinforcements/arm.680").status_code == 204
    assert helper.get(f"/api/files/{number}").status_code == 200  # another person of 680 still reinforces
    assert supervisor.request("DELETE", f"/api/crises/{cid}/reinforcements/regulator.680").status_code == 204
    assert helper.get(f"/api/files/{number}").status_code == 404
    assert helper.get(f"/api/crises/{cid}/log").status_code == 404
    again = supervisor.request("DELETE", f"/api/crises/{cid}/reinforcements/regulator.680")
    assert again.status_code == 404
    assert again.json()["code"] == "RENFORT_INCONNU"


def test_the_national_operator_opens_a_regional_crisis_and_attaches_samus(staff, login):
    national = login("national")
    crisis = _open(national, {**NOVI, "kind": "heatwave", "level": 3, "samus": ["250"], "scope": "regional"})
    cid = crisis["crisis_id"]
    assert crisis["owner_samu_id"] is None
    assert login("arm.680").get(f"/api/crises/{cid}/log").status_code == 404
    attached = national.post(f"/api/crises/{cid}/samus", json={"samu_id": "680"})
    assert attached.status_code == 200, attached.text
    assert attached.json()["samus"] == ["250", "680"]
    assert login("arm.680").get(f"/api/crises/{cid}/log").status_code == 200
    assert login("arm.680").get("/api/samus/680/crisis").json()["crisis_id"] == cid
    # A supervisor of an attached SAMU takes part but does not run a regional crisis.
    assert login("supervisor.250").post(f"/api/crises/{cid}/close", json={"summary": "x"}).status_code == 403
    assert national.post(f"/api/crises/{cid}/close", json={"summary": "Fin de l'épisode."}).status_code == 200


def test_the_handover_summary_lists_what_the_next_shift_must_know(staff, login):
    crisis = _open(login("supervisor.250"))
    base = f"/api/crises/{crisis['crisis_id']}"
    arm = login("arm.250")
    rumour = arm.post(
        f"{base}/log",
        json={"source": "Appel", "information": "Fumée au 3e étage", "due_at": "2099-01-01T08:00:00+00:00"},
    ).json()
    doubt = arm.post(f"{base}/log", json={"source": "Police", "information": "Second site ?"}).json()
    decided = arm.post(
        f"{base}/log", json={"source": "COS", "information": "PMA installé", "verification": "confirmee",
                             "decision": "Évacuer vers le CHU"},
    ).json()  # fmt: skip
    arm.post(f"{base}/log/{doubt['seq']}/verification", json={"verification": "infirmee"})
    arm.post("/api/samus/250/files", json={"qualification": {}})
    summary = arm.get(f"{base}/handover", params={"hours": 8})
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert [e["seq"] for e in body["unverified"]] == [rumour["seq"]]  # the invalidated one is settled
    assert [e["seq"] for e in body["due"]] == [rumour["seq"]]
    assert [e["seq"] for e in body["decisions"]] == [decided["seq"]]
    assert body["files"] == 1
    assert body["entries"] == 6  # opening, three entries, a verification, a linked file
    assert login("arm.680").get(f"{base}/handover").status_code == 404
    assert arm.get(f"{base}/handover", params={"hours": 0}).status_code == 422
