"""What the consoles need to keep the working file (issue 13): "my files" — the files a physician holds and the file
of the ARM's call in hand — by role × tenant, audited as a read of patient data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

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
