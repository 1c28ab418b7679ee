"""Issue 16 part 4: hospital capacity in crisis over HTTP — a hospital's account reports for its own establishment
only, the supervisor for any of the SAMU's; figures carry the time and author of the last update, are kept in a
history, audited, flagged when stale; a report based on an old version is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hospital_world import CH, CHU

from sisamu.domain.clock import FakeClock
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db
BASE = "/api/samus/250/hospitals"
REPORT = {
    "beds": {"UA": {"available": 5, "baseline": 8}, "UR": {"available": 12}, "REA": {"available": 2}},
    "ed_status": "TENSION",
    "plan_blanc": 1,
}


@pytest.fixture(autouse=True)
def _clock(platform):
    platform.clock = FakeClock(datetime(2026, 11, 13, 22, 0, tzinfo=UTC))


def test_a_hospital_reports_its_own_capacity_and_the_room_reads_it(platform, api):
    hospital = api("hospital.250")
    reported = hospital.put(f"{BASE}/{CHU}/status", json=REPORT)
    assert reported.status_code == 200, reported.text
    body = reported.json()
    assert body["beds"]["UA"] == {
        "available": 5, "baseline": 8, "label": "Urgences absolues (UA)", "have_bed_type": "EmergencyDepartment"
    }  # fmt: skip
    assert (body["ed_status"], body["ed_label"], body["plan_blanc"]) == ("TENSION", "En tension", 1)
    assert body["updated_by"] == "hospital.250"
    assert body["updated_at"].startswith("2026-11-13T22:00")
    assert body["version"] == 1
    assert not body["stale"]

    listed = api("regulator.250").get(f"{BASE}/status")
    assert listed.status_code == 200, listed.text
    by_id = {item["hospital_id"]: item for item in listed.json()}
    assert set(by_id) == {CHU, CH}
    assert by_id[CHU]["beds"]["REA"]["available"] == 2
    assert not by_id[CH]["reported"]
    assert by_id[CH]["stale"]
    # the hospital's account sees its own establishment only
    own = hospital.get(f"{BASE}/status").json()
    assert [item["hospital_id"] for item in own] == [CHU]
    assert hospital.get(f"{BASE}/{CH}/status").status_code == 404


def test_a_hospital_account_cannot_speak_for_another_establishment(api):
    refused = api("hospital.250").put(f"{BASE}/{CH}/status", json=REPORT)
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Un établissement ne met à jour que ses propres capacités.", "code": "AUTRE_ETABLISSEMENT"
    }  # fmt: skip
    unattached = api("unattached.250").put(f"{BASE}/{CHU}/status", json=REPORT)
    assert unattached.status_code == 403
    assert unattached.json()["code"] == "ETABLISSEMENT_NON_RATTACHE"
    assert api("unattached.250").get(f"{BASE}/status").status_code == 403
    # another SAMU's hospital account, staff or supervisor: the SAMU's hospitals are not found
    for who in ("hospital.680", "supervisor.680", "regulator.680"):
        assert api(who).put(f"{BASE}/{CHU}/status", json=REPORT).status_code == 404, who
        assert api(who).get(f"{BASE}/status").status_code == 404, who
    # room staff read but do not report; a hospital of another département is not the SAMU's
    assert api("regulator.250").put(f"{BASE}/{CHU}/status", json=REPORT).status_code == 403
    assert api("supervisor.250").put(f"{BASE}/ch-colmar-68/status", json=REPORT).status_code == 404
    assert api("montbeliard.250").put(f"{BASE}/{CH}/status", json=REPORT).status_code == 200


def test_the_supervisor_reports_history_is_kept_and_every_change_audited(platform, api):
    supervisor = api("supervisor.250")
    first = supervisor.put(f"{BASE}/{CH}/status", json=REPORT).json()
    platform.clock.advance(600)
    second = supervisor.put(
        f"{BASE}/{CH}/status",
        json={
            "beds": {"UA": {"available": 0, "baseline": 8}},
            "ed_status": "SATURE",
            "version": first["version"],
        },
    )
    assert second.status_code == 200, second.text
    assert second.json()["beds"]["UR"]["available"] == 12  # categories left out are unchanged
    assert second.json()["plan_blanc"] == 1
    history = supervisor.get(f"{BASE}/{CH}/status/history").json()
    assert [
        (h["version"], h["state"]["ed_status"], h["state"]["beds"]["UA"]["available"]) for h in history
    ] == [
        (2, "SATURE", 0),
        (1, "TENSION", 5),
    ]
    assert {h["author"] for h in history} == {"supervisor.250"}
    with platform.engine.connect() as conn:
        audited = conn.execute(
            sa.select(audit_event.c.actor, audit_event.c.detail)
            .where(audit_event.c.action == "hospital.status", audit_event.c.object_id == CH)
            .order_by(audit_event.c.seq)
        ).all()
    assert [(a.actor, a.detail["version"], a.detail["ed_status"]) for a in audited] == [
        ("supervisor.250", 1, "TENSION"),
        ("supervisor.250", 2, "SATURE"),
    ]
    # a report made from an old reading is refused: someone changed the figures meanwhile
    stale = supervisor.put(f"{BASE}/{CH}/status", json={**REPORT, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "VERSION_PERIMEE"


def test_figures_older_than_the_setting_are_flagged(platform, api):
    api("hospital.250").put(f"{BASE}/{CHU}/status", json=REPORT)
    platform.clock.advance(platform.settings.hospital_stale_s - 1)
    assert not api("supervisor.250").get(f"{BASE}/{CHU}/status").json()["stale"]
    platform.clock.advance(2)
    assert api("supervisor.250").get(f"{BASE}/{CHU}/status").json()["stale"]


@pytest.mark.parametrize(
    "body",
    [
        {"beds": {"UA": {"available": -1}}},
        {"beds": {"UA": {"available": 6000}}},
        {"beds": {"CARDIO": {"available": 1}}},
        {"ed_status": "OUVERT"},
        {"plan_blanc": 3},
        {"beds": {}, "unknown": 1},
    ],
)
def test_impossible_figures_are_refused(api, body):
    refused = api("hospital.250").put(f"{BASE}/{CHU}/status", json=body)
    assert refused.status_code == 422, refused.text


def test_the_everyday_free_beds_route_still_works_and_an_attached_account_reports_for_its_own(api):
    reported = api("supervisor.250").put(f"{BASE}/{CH}/capacity", json={"free_beds": {"urgences": 3}})
    assert reported.status_code == 200, reported.text
    assert api("regulator.250").get(f"{BASE}/capacity").json()[0]["free_beds"] == 3
    body = {"free_beds": {"urgences": 1}}
    assert api("hospital.250").put(f"{BASE}/{CHU}/capacity", json=body).status_code == 200
    refused = api("hospital.250").put(f"{BASE}/{CH}/capacity", json=body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "AUTRE_ETABLISSEMENT"
    assert (
        api("unattached.250").put(f"{BASE}/{CH}/capacity", json=body).status_code == 200
    )  # not attached yet
