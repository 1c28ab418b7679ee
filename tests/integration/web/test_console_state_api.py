"""What the consoles need to keep the working file (issue 13): "my files" — the files a physician holds and the file
of the ARM's call in hand — by role × tenant, audited as a read of patient data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from factories import add_unit
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db


def _open(arm, call_id: str | None = None, **qualification) -> str:
    body = {"call_id": call_id, "qualification": qualification}
    opened = arm.post("/api/samus/250/files", json=body)
    assert opened.status_code == 201, opened.text
    return opened.json()["number"]


def test_my_files_are_the_call_in_hand_and_the_files_held(platform, accounts, login):
    arm, mr, other_mr = login("arm.250"), login("regulator.250"), login("regulator.680")
    from_call = _open(arm, "call-mine-1", motif="M01.01")
    other = _open(arm, "call-mine-2")
    held = _open(arm, None, priority="P1")

    # The ARM's reload: the file opened from the call in hand, and nothing else.
    mine = arm.get("/api/samus/250/files/mine", params={"call_id": "call-mine-1"})
    assert mine.status_code == 200, mine.text
    assert [(f["number"], f["call_id"], f["held_by_me"]) for f in mine.json()] == [
        (from_call, "call-mine-1", False)
    ]
    assert mine.json()[0]["motif_label"]
    assert arm.get("/api/samus/250/files/mine").json() == []

    # The physician's files: those they hold, not the others, and no longer once released.
    assert arm.post(f"/api/files/{held}/handover").status_code == 200
    assert mr.post(f"/api/files/{held}/take").status_code == 200
    mine = mr.get("/api/samus/250/files/mine").json()
    assert [(f["number"], f["held_by_me"]) for f in mine] == [(held, True)]
    assert mine[0]["held_since"]
    assert other not in {f["number"] for f in mine}
    assert mr.post(f"/api/files/{held}/release").status_code == 200
    assert mr.get("/api/samus/250/files/mine").json() == []

    # Role × tenant: another SAMU's physician is refused, a supervisor of the room may read (held by nobody).
    assert other_mr.get("/api/samus/250/files/mine", params={"call_id": "call-mine-1"}).status_code in {
        403,
        404,
    }
    assert login("national").get("/api/samus/250/files/mine").status_code == 403
    assert login("crew.250").get("/api/samus/250/files/mine").status_code == 403

    with platform.engine.connect() as conn:
        details = conn.execute(
            sa.select(audit_event.c.detail, audit_event.c.actor)
            .where(audit_event.c.action == "file.mine")
            .order_by(audit_event.c.seq)
        ).all()
    assert details[0].detail["numbers"] == [from_call]
    assert details[0].detail["call_id"] == "call-mine-1"
    assert {d.actor for d in details} >= {"arm.250", "regulator.250"}


def _status(user, resource_id: str, *statuses: str) -> None:
    for status in statuses:
        answer = user.post(f"/api/samus/250/resources/{resource_id}/status", json={"status": status})
        assert answer.status_code == 200, answer.text


def test_acheve_refused_while_a_decision_is_not_carried_out(platform, accounts, login):
    """The P0 cardiac arrest: a reflex SMUR and no unit — ACHEVE is refused with a code and the gaps in French;
    with a reason it passes, is kept in the history, and the file leaves the queue."""
    arm, mr = login("arm.250"), login("regulator.250")
    number = _open(arm, None, motif="M01.01")
    assert arm.post(f"/api/files/{number}/reflex", json={"resource_type": "SMUR"}).status_code == 201
    assert [q["number"] for q in mr.get("/api/samus/250/files/queue").json()] == [number]

    refused = mr.post(f"/api/files/{number}/transitions", json={"to": "ACHEVE"})
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "decisions_not_carried_out"
    assert body["gaps"] == ["Intervention SMUR (départ réflexe) : aucun moyen engagé"]
    assert body["detail"].startswith("Toutes les décisions ne sont pas exécutées")
    assert mr.get(f"/api/files/{number}").json()["state"] == "ACTIF"  # nothing changed

    done = mr.post(f"/api/files/{number}/transitions", json={"to": "ACHEVE", "reason": "Décès constaté"})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "ACHEVE"
    assert done.json()["step"] == "REGULATED"
    assert done.json()["history"][-1]["reason"] == "completed by hand: Décès constaté"
    assert mr.get("/api/samus/250/files/queue").json() == []
    with platform.engine.connect() as conn:
        detail = conn.execute(
            sa.select(audit_event.c.detail)
            .where((audit_event.c.action == "file.state") & (audit_event.c.object_id == number))
            .order_by(audit_event.c.seq.desc())
        ).first()
    assert detail is not None
    assert detail.detail == {"to": "ACHEVE", "reason": "Décès constaté"}


def test_acheve_once_the_unit_finished_its_mission(platform, accounts, login):
    arm, mr = login("arm.250"), login("regulator.250")
    number = _open(arm, None, motif="M01.01", priority="P1")
    assert arm.post(f"/api/files/{number}/handover").status_code == 200
    decided = mr.post(f"/api/files/{number}/decisions", json={"kind": "INTER", "resource_type": "SMUR"})
    assert decided.status_code == 201, decided.text
    with platform.uow() as uow:
        add_unit(uow, "250", "VLM.250", name="VLM 250", now=platform.clock.now())
    engaged = mr.post(f"/api/files/{number}/missions", json={"resource_id": "VLM.250"})
    assert engaged.status_code == 201, engaged.text

    _status(mr, "VLM.250", "DECLENCHE", "DEPART", "ARRIVEE")
    refused = mr.post(f"/api/files/{number}/transitions", json={"to": "ACHEVE"})
    assert refused.status_code == 422
    assert refused.json()["gaps"] == ["VLM 250 : mission en cours (Arrivée sur les lieux)"]

    _status(mr, "VLM.250", "PEC", "BILAN", "FINPEC")
    done = mr.post(f"/api/files/{number}/transitions", json={"to": "ACHEVE"})
    assert done.status_code == 200, done.text
    assert done.json()["history"][-1]["reason"] == "all decisions carried out"
    # Released after ACHEVE, the file does not go back to waiting for a physician.
    assert mr.post(f"/api/files/{number}/release").json()["step"] == "REGULATED"
    assert mr.get("/api/samus/250/files/queue").json() == []


def test_no_pre_set_priority_and_a_typed_commune_is_kept_flagged(platform, accounts, login):
    arm, mr = login("arm.250"), login("regulator.250")
    opened = arm.post("/api/samus/250/files", json={"call_id": "call-prio", "qualification": {}})
    file = opened.json()
    assert file["qualification"]["priority"] is None  # the ARM has not chosen yet
    assert file["qualification"]["commune_unverified"] is False

    typed = {"commune_name": "Montbenoit-le-Haut", "commune_insee": None, "address": "la ferme"}
    patched = arm.request(
        "PATCH", f"/api/files/{file['number']}", json={"location": typed, "version": file["version"]}
    )
    assert patched.status_code == 200, patched.text
    q = patched.json()["qualification"]
    assert (q["location"]["commune_name"], q["location"]["commune_insee"]) == ("Montbenoit-le-Haut", None)
    assert q["commune_unverified"] is True
    assert mr.get(f"/api/files/{file['number']}").json()["qualification"]["location"]["commune_name"] == (
        "Montbenoit-le-Haut"
    )

    # Handed over without a priority, it waits after the graded files; the queue and board say so (null).
    assert arm.post(f"/api/files/{file['number']}/handover").status_code == 200
    graded = _open(arm, None, priority="P3")
    assert arm.post(f"/api/files/{graded}/handover").status_code == 200
    queue = mr.get("/api/samus/250/files/queue").json()
    assert [(e["number"], e["priority"]) for e in queue] == [(graded, "P3"), (file["number"], None)]
    assert login("supervisor.250").get("/api/samus/250/files/board").status_code == 200
    chosen = arm.request("PATCH", f"/api/files/{file['number']}", json={"priority": "P1"})
    assert chosen.json()["qualification"]["priority"] == "P1"


def test_reflex_departure_engages_the_nearest_smur_at_once(platform, accounts, login):
    """Issue 13: "Départ réflexe P0" engaged no unit. Now the nearest available SMUR leaves, triggered; a closer
    fire-service VSAV or private ambulance is not taken for a SMUR."""
    now = platform.clock.now()
    with platform.uow() as uow:
        add_unit(uow, "250", "VSAV.NEAR", name="VSAV proche", vehicle="SIS.VSAV", crew_level="SECOURS",
                 base=(47.2370, 6.0230), now=now)  # fmt: skip
        add_unit(uow, "250", "AMB.NEAR", name="Ambulance proche", vehicle="TSU.AMB", crew_level="SECOURS",
                 base=(47.2371, 6.0231), now=now)  # fmt: skip
        add_unit(uow, "250", "VLM.FAR", name="VLM Pontarlier", base=(46.9046, 6.3540), now=now)
        add_unit(uow, "250", "VLM.MID", name="VLM Besançon", base=(47.2500, 6.0300), now=now)
    arm = login("arm.250")
    number = _open(arm, None, location={"commune_insee": "25056", "lat": 47.2367, "lon": 6.0223})
    reflex = arm.post(f"/api/files/{number}/reflex", json={"resource_type": "SMUR"})
    assert reflex.status_code == 201, reflex.text
    missions = arm.get(f"/api/files/{number}/missions").json()
    assert [(m["resource_id"], m["status"]) for m in missions] == [("VLM.MID", "DECLENCHE")]
    file = arm.get(f"/api/files/{number}").json()
    assert (file["qualification"]["priority"], file["step"]) == ("P0", "DIRECT")

    # A second P0 at once: the next SMUR goes; a third finds none and keeps its reflex decision, unit-less.
    second = _open(arm, None, location={"commune_insee": "25056", "lat": 47.2367, "lon": 6.0223})
    assert arm.post(f"/api/files/{second}/reflex", json={"resource_type": "SMUR"}).status_code == 201
    assert [m["resource_id"] for m in arm.get(f"/api/files/{second}/missions").json()] == ["VLM.FAR"]
    third = _open(arm, None, location={"commune_insee": "25056"})
    assert arm.post(f"/api/files/{third}/reflex", json={"resource_type": "SMUR"}).status_code == 201
    assert arm.get(f"/api/files/{third}/missions").json() == []
    assert arm.get(f"/api/files/{third}").json()["decisions"][0]["reflex"] is True


def test_recommendation_follows_the_decided_resource_type(platform, accounts, login):
    """Issue 13: after INTER SMUR the nearer fire-service VSAV and private ambulance were ranked first."""
    now = platform.clock.now()
    with platform.uow() as uow:
        add_unit(uow, "250", "VSAV.NEAR", name="VSAV proche", vehicle="SIS.VSAV", crew_level="SECOURS",
                 base=(47.2370, 6.0230), now=now)  # fmt: skip
        add_unit(uow, "250", "AMB.NEAR", name="Ambulance proche", vehicle="TSU.AMB", crew_level="SECOURS",
                 base=(47.2371, 6.0231), now=now)  # fmt: skip
        add_unit(uow, "250", "VLM.FAR", name="VLM Pontarlier", base=(46.9046, 6.3540), now=now)
    arm, mr = login("arm.250"), login("regulator.250")
    number = _open(
        arm, None, priority="P1", location={"commune_insee": "25056", "lat": 47.2367, "lon": 6.0223}
    )
    before = mr.get(f"/api/files/{number}/recommendation", params={"coverage": "false"}).json()
    assert before["resource_type"] is None
    assert before["units"][0]["resource_id"] in {"VSAV.NEAR", "AMB.NEAR"}  # R2, no decision: every type

    assert (
        mr.post(f"/api/files/{number}/decisions", json={"kind": "INTER", "resource_type": "SMUR"}).status_code
        == 201
    )
    after = mr.get(f"/api/files/{number}/recommendation", params={"coverage": "false"}).json()
    assert after["resource_type"] == "SMUR"
    assert [u["resource_id"] for u in after["units"]] == ["VLM.FAR"]

    # Another type asked for explicitly; an ambulance decided for an R1 patient is still proposed (R3 tried).
    asked = mr.get(
        f"/api/files/{number}/recommendation", params={"coverage": "false", "resource_type": "SIS"}
    )
    assert [u["resource_id"] for u in asked.json()["units"]] == ["VSAV.NEAR"]
    assert (
        mr.post(f"/api/files/{number}/decisions", json={"kind": "INTER", "resource_type": "TSU"}).status_code
        == 201
    )
    r1 = mr.get(f"/api/files/{number}/recommendation", params={"coverage": "false", "level": "R1"}).json()
    assert [u["resource_id"] for u in r1["units"]] == ["AMB.NEAR"]
    assert login("crew.250").get(f"/api/files/{number}/recommendation").status_code == 403
