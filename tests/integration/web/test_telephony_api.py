"""Telephony over HTTP: the gateway offers calls with a bearer token, ARMs work at their seats, supervisors read
the wallboard; overflowed calls are visible to the partner SAMU only through their grant; the SI-SAMU CTI
interface answers with bodies the official Swagger accepts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sisamu.calls.cti.schema import validate_body
from sisamu.security import service, store
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db
BASE = "/api/samus/{}/telephony"


def _token(platform, username: str) -> dict[str, str]:
    with platform.engine.connect() as conn:
        principal = store.principal_from_row(store.account_by_username(conn, username))
    with platform.uow() as uow:
        token = service.issue_token(uow, principal=principal, name="gateway", now=platform.clock.now())
    return {"Authorization": f"Bearer {token}"}


def test_gateway_offers_arm_answers_supervisor_sees(platform, client, accounts, login):
    gateway = _token(platform, "telephony_gateway.250")
    base = BASE.format("250")
    offered = client.post(
        f"{base}/calls", json={"call_id": "a1", "caller_number": "0612345678"}, headers=gateway
    )
    assert offered.status_code == 201, offered.text
    assert offered.json()["state"] == "queued"
    assert client.post(f"{base}/calls", json={"call_id": "a1"}, headers=gateway).status_code == 409

    arm = login("arm.250")
    seat = arm.post(f"{base}/seats/P1/login", json={"after_call_work_s": 0})
    assert seat.status_code == 200, seat.text
    assert arm.get(f"{base}/seats").json()[0] | {"since": None} == seat.json() | {
        "since": None,
        "state": "presented",
        "call_id": "a1",
        "call_samu_id": "250",
        "version": 2,
    }
    answered = arm.post(f"{base}/seats/P1/answer")
    assert answered.json()["state"] == "answered", answered.text
    assert login("regulator.250").post(f"{base}/seats/P1/answer").status_code == 403  # not their seat
    regulator = login("regulator.250")
    assert regulator.post(f"{base}/calls/a1/end").status_code == 403  # not the physician's: the ARM's seat
    transfer = {"target": "physician", "target_id": "regulation"}
    assert regulator.post(f"{base}/calls/a1/transfer", json=transfer).status_code == 403
    assert arm.post(f"{base}/calls/a1/end").json()["state"] == "ended"

    board = login("supervisor.250").get(f"{base}/wallboard").json()
    assert board["answered_today"] == board["answered_within_30s"] == 1
    assert board["seats_by_state"] == {"available": 1}
    assert board["lost_call_threshold_s"] == 15
    assert arm.get(f"{base}/wallboard").status_code == 200
    assert (
        arm.request("PUT", f"{base}/overflow", json={"partners": ["680"], "wait_threshold_s": 0}).status_code
        == 403
    )


def test_overflowed_call_is_visible_to_the_partner_through_its_grant_only(platform, client, accounts, login):
    supervisor = login("supervisor.250")
    agreement = {"partners": ["680"], "wait_threshold_s": 0}
    assert supervisor.request("PUT", f"{BASE.format('250')}/overflow", json=agreement).status_code == 200
    assert supervisor.get(f"{BASE.format('250')}/overflow").json()["partners"] == ["680"]
    arm_b = login("arm.680")
    assert arm_b.post(f"{BASE.format('680')}/seats/B1/login", json={}).status_code == 200
    gateway = _token(platform, "telephony_gateway.250")
    client.post(f"{BASE.format('250')}/calls", json={"call_id": "over"}, headers=gateway)
    client.post(f"{BASE.format('250')}/calls", json={"call_id": "kept"}, headers=gateway)

    seen = arm_b.get(f"{BASE.format('680')}/calls/over")
    assert seen.status_code == 200, seen.text
    assert (seen.json()["samu_id"], seen.json()["handling_samu_id"]) == ("250", "680")
    assert arm_b.post(f"{BASE.format('680')}/seats/B1/answer").json()["call_id"] == "over"
    assert arm_b.get(f"{BASE.format('680')}/calls/kept").status_code == 404  # A's other call: not granted
    assert arm_b.get(f"{BASE.format('250')}/calls/over").status_code == 403  # never through A's own routes
    assert arm_b.post(f"{BASE.format('680')}/calls/over/end").json()["state"] == "ended"
    assert login("supervisor.680").get(f"{BASE.format('680')}/wallboard").json()["overflow_in_today"] == 1
    board_a = supervisor.get(f"{BASE.format('250')}/wallboard").json()
    assert (board_a["overflow_out_today"], board_a["waiting"]) == (1, 1)


def test_the_partner_opens_an_overflowed_calls_file_for_the_callers_samu(platform, client, accounts, login):
    supervisor = login("supervisor.250")
    agreement = {"partners": ["680"], "wait_threshold_s": 0}
    assert supervisor.request("PUT", f"{BASE.format('250')}/overflow", json=agreement).status_code == 200
    arm_b = login("arm.680")
    assert arm_b.post(f"{BASE.format('680')}/seats/B1/login", json={}).status_code == 200
    gateway = _token(platform, "telephony_gateway.250")
    client.post(f"{BASE.format('250')}/calls", json={"call_id": "over"}, headers=gateway)
    assert arm_b.post(f"{BASE.format('680')}/seats/B1/answer").json()["call_id"] == "over"

    opened = arm_b.post("/api/samus/680/files", json={"call_id": "over"})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    assert (opened.json()["samu_id"], opened.json()["call_id"]) == ("250", "over")  # the caller's SAMU's file
    assert arm_b.get(f"/api/files/{number}").status_code == 200
    others = login("arm.250").post("/api/samus/250/files", json={}).json()["number"]
    assert arm_b.get(f"/api/files/{others}").status_code == 404  # no other file of A
    assert login("arm.250").get(f"/api/files/{number}").status_code == 200  # A holds it as its own
    with platform.engine.connect() as conn:
        (opening,) = conn.execute(
            select(audit_event).where(audit_event.c.object_id == number, audit_event.c.action == "file.open")
        ).all()
    assert (opening.samu_id, opening.actor) == ("250", "arm.680")
    assert opening.detail["by_samu"] == "680"


def test_hangups_fill_the_callback_list_and_without_a_telephony_the_arm_dials(
    app, platform, client, accounts, login
):
    gateway = _token(platform, "telephony_gateway.250")
    base = BASE.format("250")
    client.post(f"{base}/calls", json={"call_id": "h1", "caller_number": "0611111111"}, headers=gateway)
    platform.clock = _Later(platform.clock, 40)
    lost = client.post(f"{base}/calls/h1/hangup", headers=gateway)
    assert lost.status_code == 200, lost.text
    assert lost.json()["state"] == "abandoned"
    assert lost.json()["waited_s"] >= 40
    arm = login("arm.250")
    ((entry),) = arm.get(f"{base}/callbacks").json()
    assert entry["call_ids"] == ["h1"]
    arm.post(f"{base}/seats/P1/login", json={"id_nat_ps": "810000000001"})
    start = f"{base}/callbacks/{entry['callback_id']}/start"
    assert login("regulator.250").post(start, json={"seat_id": "P1"}).status_code == 403  # not their seat
    unknown = arm.post(start, json={"seat_id": "P9"})
    # NotFoundError → 404 once web/app.py maps subclasses of its security errors (it looks up the exact type)
    assert (unknown.status_code, unknown.json()["detail"]) in {
        (403, "Élément introuvable."),
        (404, "Élément introuvable."),
    }
    started = arm.post(start, json={"seat_id": "P1"})
    assert started.status_code == 200, started.text
    assert started.json()["dial"] == "manual"  # no telephony configured: the ARM dials by hand
    assert started.json()["callback"]["state"] == "in_progress"
    done = arm.post(f"{base}/callbacks/{entry['callback_id']}/outcome", json={"outcome": "reached"})
    assert done.json()["state"] == "done"
    assert arm.get(f"{base}/callbacks").json() == []
    assert login("supervisor.250").get(f"{base}/wallboard").json()["lost_today"] == 1


def test_a_supervisor_ends_a_call_at_an_arms_seat(platform, client, accounts, login):
    base = BASE.format("250")
    client.post(f"{base}/calls", json={"call_id": "s1"}, headers=_token(platform, "telephony_gateway.250"))
    arm = login("arm.250")
    assert arm.post(f"{base}/seats/P1/login", json={}).json()["state"] == "available"
    assert arm.post(f"{base}/seats/P1/answer").json()["call_id"] == "s1"
    assert login("supervisor.680").post(f"{base}/calls/s1/end").status_code == 403  # another SAMU's room
    ended = login("supervisor.250").post(f"{base}/calls/s1/end")
    assert ended.status_code == 200, ended.text
    assert ended.json()["state"] == "ended"


class _Later:
    def __init__(self, clock, seconds: float) -> None:
        from datetime import timedelta

        self._at = clock.now() + timedelta(seconds=seconds)

    def now(self):
        return self._at


def test_cti_appel_entrant_and_affichage_dossier(platform, client, accounts, login):
    arm = login("arm.250")
    arm.post(f"{BASE.format('250')}/seats/P1/login", json={"id_nat_ps": "810000000001"})
    telephony = _token(platform, "telephony_gateway.250")
    body = {"idAppel": "SI-1", "idFlux": "FR250-15-Samu-UV-F01", "numTel": "0612345678"}
    validate_body("lrm", "AppelEntrant", body)
    url = "/v1/cti/FR250/agents/810000000001/calls"
    assert client.post(url, json=body, headers=telephony).status_code == 202
    assert client.post(url, json=body, headers=telephony).status_code == 202  # repeated: same call
    call = arm.get(f"{BASE.format('250')}/calls/SI-1").json()
    assert (call["state"], call["seat_id"], call["priority"]) == ("presented", "P1", "UV")

    refusals = [
        (url, {"idAppel": "SI-2"}, telephony, 400),
        (url, {**body, "idFlux": "nonsense"}, telephony, 400),
        ("/v1/cti/FR250/agents/unknown/calls", {**body, "idAppel": "SI-3"}, telephony, 404),
        ("/v1/cti/FR680/agents/810000000001/calls", body, telephony, 403),
        ("/v1/cti/FR250/agents/810000000001/calls", body, _token(platform, "telephony_gateway.680"), 403),
        ("/v1/cti/FR250/dossiers/D1", {"numTel": "0612345678"}, telephony, 400),
    ]
    for target, payload, headers, expected in refusals:
        response = client.post(target, json=payload, headers=headers)
        assert response.status_code == expected, (target, payload, response.text)
        validate_body("lrm", "Error", response.json())
    display = {"idNatPs": "810000000001", "idAppel": "SI-1"}
    validate_body("lrm", "AffichageDossier", display)
    assert client.post("/v1/cti/FR250/dossiers/D1", json=display, headers=telephony).status_code == 202
    assert client.post("/v1/cti/FR250/dossiers/D1", json=display).status_code == 401


def test_arm_reads_the_callers_aml_location_and_the_read_is_audited(platform, client, accounts, login):
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from sisamu.storage.tables import audit_event

    gateway = _token(platform, "telephony_gateway.250")
    base = BASE.format("250")
    assert (
        client.post(
            f"{base}/calls", json={"call_id": "g1", "caller_number": "0612345678"}, headers=gateway
        ).status_code
        == 201
    )
    top = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    sms = f'A"ML=1;lt=+47.23672;lg=+6.02230;rd=25;top={top};lc=68;pm=G'
    received = client.post(f"{base}/aml", json={"text": sms, "msisdn": "0612345678"}, headers=gateway)
    assert received.status_code == 201, received.text
    assert received.json()["call_id"] == "g1"

    arm = login("arm.250")
    points = arm.get(f"{base}/calls/g1/locations")
    assert points.status_code == 200, points.text
    assert [(p["lat"], p["lon"], p["radius_m"]) for p in points.json()] == [(47.23672, 6.0223, 25.0)]
    assert login("supervisor.250").get(f"{base}/calls/g1/locations").status_code == 403
    assert login("arm.680").get(f"{BASE.format('680')}/calls/g1/locations").status_code == 404
    with platform.engine.connect() as conn:
        reads = conn.execute(
            sa.select(sa.func.count()).where(
                audit_event.c.action == "call.location.read", audit_event.c.object_id == "g1"
            )
        ).scalar_one()
    assert reads == 1
