"""National pooling (a route for the `national` role only) and sisamu's telephony serving an external LRM
(`DemandeAppelSortant`, `CorrelationDossier` under `/api/si-samu`), with the route-access conventions: 401
without credentials (the gate), 403 for every other role, nothing reaches another SAMU."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sisamu.calls.cti.client import CtiRequestFailed, HttpSiSamuTelephony
from sisamu.calls.cti.models import CorrelationDossier, DemandeAppelSortant
from sisamu.calls.distribution import service as calls
from sisamu.calls.seats import service as seat_service
from sisamu.security import service, store
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db
POOLING = "/api/telephony/pooling"
BASE = "/api/samus/{}/telephony"


def _token(platform, username: str) -> dict[str, str]:
    with platform.engine.connect() as conn:
        principal = store.principal_from_row(store.account_by_username(conn, username))
    with platform.uow() as uow:
        token = service.issue_token(uow, principal=principal, name="gateway", now=platform.clock.now())
    return {"Authorization": f"Bearer {token}"}


def test_only_the_national_operator_sets_pooling(platform, client, accounts, login):
    assert client.get(POOLING).status_code == 401
    assert client.put(POOLING, json={"national_pooling": True}).status_code == 401
    for username in accounts:
        if username == "national":
            continue
        person = login(username)
        assert person.request("PUT", POOLING, json={"national_pooling": True}).status_code == 403, username
        expected = 200 if username == "national" else 403  # no SAMU role reads the platform's setting
        assert person.get(POOLING).status_code == expected, username
    assert (
        client.put(
            POOLING, json={"national_pooling": True}, headers=_token(platform, "telephony_gateway.250")
        ).status_code
        == 403
    )

    national = login("national")
    assert national.get(POOLING).json() == {"national_pooling": False, "pooling_wait_s": 0.0}
    put = national.request("PUT", POOLING, json={"national_pooling": True, "pooling_wait_s": 30})
    assert put.status_code == 200, put.text
    assert national.get(POOLING).json() == {"national_pooling": True, "pooling_wait_s": 30.0}
    assert (
        national.request("PUT", POOLING, json={"national_pooling": True, "pooling_wait_s": -1}).status_code
        == 422
    )
    with platform.engine.connect() as conn:
        actions = [
            r.action
            for r in conn.execute(select(audit_event).where(audit_event.c.action == "overflow.pooling"))
        ]
    assert actions == ["overflow.pooling"]


def test_pooling_on_sends_waiting_calls_to_any_samu(platform, client, accounts, login, rooms):
    now = platform.clock.now()
    with platform.uow() as uow:
        seat_service.log_in(uow, principal=None, samu_id="680", seat_id="P9", now=now)
        calls.offer(
            uow, principal=None, samu_id="250", call_id="crisis-1", flux=calls.Flux.CENTRE_15, now=now
        )
    national = login("national")
    assert (
        national.request("PUT", POOLING, json={"national_pooling": True, "pooling_wait_s": 0}).status_code
        == 200
    )
    call = login("arm.680").get(f"{BASE.format('680')}/calls/crisis-1").json()
    assert (call["state"], call["samu_id"], call["handling_samu_id"], call["seat_id"]) == (
        "presented", "250", "680", "P9",
    )  # fmt: skip


def test_sisamu_telephony_serves_an_external_lrm(platform, client, accounts, login):
    arm = login("arm.250")
    assert (
        arm.post(f"{BASE.format('250')}/seats/P1/login", json={"id_nat_ps": "810000000001"}).status_code
        == 200
    )
    token = _token(platform, "telephony_gateway.250")["Authorization"].removeprefix("Bearer ")
    lrm = HttpSiSamuTelephony(
        f"{client.base_url}/api/si-samu", token, client=client
    )  # the official client side
    lrm.request_outgoing_call(
        "FR250", "810000000001", DemandeAppelSortant(num_tel="0612345678", id_dossier="D1")
    )

    def refused(call) -> int:
        with pytest.raises(CtiRequestFailed) as failed:
            call()
        assert failed.value.error is not None  # an `Error` body the Swagger accepts (checked by the client)
        return failed.value.status

    dial = DemandeAppelSortant(num_tel="0612345678")
    assert refused(lambda: lrm.request_outgoing_call("FR250", "unknown", dial)) == 404
    assert refused(lambda: lrm.request_outgoing_call("FR680", "810000000001", dial)) == 403
    other = HttpSiSamuTelephony(
        f"{client.base_url}/api/si-samu",
        _token(platform, "telephony_gateway.680")["Authorization"][7:],
        client=client,
    )
    assert refused(lambda: other.request_outgoing_call("FR250", "810000000001", dial)) == 403

    correlation = CorrelationDossier(id_nat_ps="810000000001", priorite_regul="P1")
    assert refused(lambda: lrm.correlate_file("FR250", "D1", correlation)) == 409  # no call at the seat
    gateway = _token(platform, "telephony_gateway.250")
    assert (
        client.post(f"{BASE.format('250')}/calls", json={"call_id": "x1"}, headers=gateway).status_code == 201
    )
    assert refused(lambda: lrm.request_outgoing_call("FR250", "810000000001", dial)) == 409  # ringing: busy
    lrm.correlate_file("FR250", "D1", correlation)  # the call ringing at the agent's seat
    lrm.correlate_file("FR250", "D1", CorrelationDossier(id_nat_ps="810000000001", id_appel="x1"))
    unknown = CorrelationDossier(id_nat_ps="810000000001", id_appel="nope")
    assert refused(lambda: lrm.correlate_file("FR250", "D1", unknown)) == 400
    assert refused(lambda: lrm.correlate_file("FR250", "D1", CorrelationDossier(id_nat_ps="999"))) == 400
    malformed = client.put("/api/si-samu/v1/cti/FR250/dossiers/D1", json={"idAppel": "x1"}, headers=gateway)
    assert malformed.status_code == 400
    assert client.post("/api/si-samu/v1/cti/FR250/agents/810000000001/calls", json={}).status_code == 401
