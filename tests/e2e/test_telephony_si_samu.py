"""The real `sisamu serve` under a (fake) SI-SAMU national telephony, `SISAMU_CTI_URL` pointing at it: over HTTP,
a file opened from an answered call is correlated with it (`CorrelationDossier`), a lost call's callback dials
(`DemandeAppelSortant`), and a dial the telephony turns down is retried while it answers 503, then the ARM's live
feed says it failed. Every body the fake receives is checked against the official Swagger."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_si_samu import FakeSiSamu
from sqlalchemy import select
from websockets.sync.client import connect

from processes import ARTIFACTS, free_port, sisamu_command, stop, wait_ready
from sisamu.security import service, store
from sisamu.storage.tables import account
from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.db, pytest.mark.slow]
TOKEN = "jeton-de-sisamu-chez-la-telephonie"
AGENT = "810000000250"
TEL = "/api/samus/250/telephony"


@dataclass(frozen=True)
class Site:
    base_url: str
    log: Path


@pytest.fixture
def telephony() -> Iterator[FakeSiSamu]:
    fake = FakeSiSamu(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def site(pilots_seeded, platform, database_url, tmp_path, request, telephony) -> Iterator[Site]:
    """`sisamu serve` with the SI-SAMU telephony configured, on this test's database seeded with the pilots
    (cloned from the seeded template: `pilots_seeded`)."""
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"serve-{request.node.name}.log"
    env = {
        **os.environ,
        "SISAMU_DATABASE_URL": database_url,
        "SISAMU_DATA_DIR": str(tmp_path / "var"),
        "SISAMU_DEMO": "1",  # seeded with the demo accounts
        "SISAMU_SECRET_KEY": "e2e-secret",
        "SISAMU_CTI_URL": telephony.base_url,
        "SISAMU_CTI_TOKEN": TOKEN,
        "SISAMU_CTI_TIMEOUT_S": "2",
        "SISAMU_LOST_CALL_THRESHOLD_S": "0",  # a caller who hangs up at once is a lost call: no 15 s wait here
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*sisamu_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_ready(base_url, proc, log)
        yield Site(base_url, log)
    finally:
        stop(proc)


@contextmanager
def _session(base_url: str, username: str) -> Iterator[tuple[httpx.Client, str]]:
    """A person logged in through the form: a client sending their cookie and CSRF header, and the cookie."""
    with httpx.Client(base_url=base_url, timeout=10, follow_redirects=False) as client:
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 303, response.text
        token = response.cookies["sisamu_session"]  # Secure: sent back as a plain header over http
        client.cookies.clear()
        client.headers["cookie"] = f"sisamu_session={token}"
        me = client.get("/api/me")
        assert me.status_code == 200, me.text
        client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
        yield client, token


def _gateway(platform) -> dict[str, str]:
    with platform.engine.connect() as conn:
        row = conn.execute(select(account).where(account.c.username == "telephony_gateway.250")).one()
    with platform.uow() as uow:
        token = service.issue_token(
            uow, principal=store.principal_from_row(row), name="e2e-gateway", now=platform.clock.now()
        )
    return {"Authorization": f"Bearer {token}"}


def _until(condition: Callable[[], Any], what: str, timeout_s: float = 15) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        assert time.monotonic() < deadline, f"not within {timeout_s} s: {what}"
        time.sleep(0.05)
    return found


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    return response.json()


def _lost_call(base_url: str, gateway: dict[str, str], call_id: str, number: str) -> None:
    """A call offered, then the caller hangs up before anybody answers: a lost call, on the callback list."""
    _ok(
        httpx.post(
            f"{base_url}{TEL}/calls", json={"call_id": call_id, "caller_number": number}, headers=gateway
        ),
        201,
    )
    hung_up = _ok(httpx.post(f"{base_url}{TEL}/calls/{call_id}/hangup", headers=gateway))
    assert hung_up["state"] == "abandoned"


def test_sisamu_serve_under_the_si_samu_telephony(site, platform, telephony):
    gateway = _gateway(platform)
    with _session(site.base_url, "arm.250") as (arm, cookie):
        _ok(arm.post(f"{TEL}/seats/P1/login", json={"id_nat_ps": AGENT, "after_call_work_s": 0}))

        # The ARM answers a call and opens its file: the telephony is told which file goes with the call.
        _ok(httpx.post(f"{site.base_url}{TEL}/calls", json={"call_id": "e2e-1"}, headers=gateway), 201)
        assert _ok(arm.post(f"{TEL}/seats/P1/answer"))["state"] == "answered"
        number = _ok(arm.post("/api/samus/250/files", json={"call_id": "e2e-1"}), 201)["number"]
        (correlation,) = _until(lambda: telephony.of("CorrelationDossier"), "the CorrelationDossier")
        assert (correlation.method, correlation.params) == ("PUT", {"idCrra": "FR250", "idDossier": number})
        assert correlation.body == {"idNatPs": AGENT, "idAppel": "e2e-1"}
        _ok(arm.post(f"{TEL}/calls/e2e-1/end"))

        # A lost call called back: the telephony is asked to ring the ARM's seat and dial the number.
        _lost_call(site.base_url, gateway, "e2e-lost-1", "0622222222")
        (entry,) = _ok(arm.get(f"{TEL}/callbacks"))
        started = _ok(arm.post(f"{TEL}/callbacks/{entry['callback_id']}/start", json={"seat_id": "P1"}))
        assert started["dial"] == "requested"
        (dial,) = _until(lambda: telephony.of("DemandeAppelSortant"), "the DemandeAppelSortant")
        assert (dial.method, dial.params, dial.body) == (
            "POST", {"idCrra": "FR250", "idNatPs": AGENT}, {"numTel": "0622222222"},
        )  # fmt: skip

        # The telephony answers 503 (tried again after a backoff), then refuses: the ARM's live feed says so.
        telephony.script = [503, 503, 409]
        live = site.base_url.replace("http", "ws") + "/ws/live"
        with connect(live, additional_headers={"Cookie": f"sisamu_session={cookie}"}) as feed:
            assert json.loads(feed.recv(timeout=10))["kind"] == "hello"
            _lost_call(site.base_url, gateway, "e2e-lost-2", "0633333333")
            (second,) = [c for c in _ok(arm.get(f"{TEL}/callbacks")) if c["caller_number"] == "0633333333"]
            _ok(arm.post(f"{TEL}/callbacks/{second['callback_id']}/start", json={"seat_id": "P1"}))
            deadline = time.monotonic() + 20
            while True:
                event = json.loads(feed.recv(timeout=max(deadline - time.monotonic(), 0.1)))
                if event["kind"] == "telephony.failed":
                    break
    attempts = [r for r in telephony.of("DemandeAppelSortant") if r.body["numTel"] == "0633333333"]
    assert [r.status for r in attempts] == [503, 503, 409]
    first, second, third = (r.at for r in attempts)
    assert second - first >= 0.45  # tried again after its backoff: 0.5 s, then 1 s
    assert third - second >= 0.95
    assert (event["id"], event["data"]["state"], event["data"]["number"]) == ("P1", "failed", "0633333333")
    assert event["data"]["message"].startswith(
        "Le 0633333333 n'a pas été composé : la téléphonie SI-SAMU a répondu 409"
    )
    assert all(r.errors == [] and r.authorization == f"Bearer {TOKEN}" for r in telephony.received)
