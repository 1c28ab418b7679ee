"""With a telephony configured, the web app's relay carries out what ARMs and an external LRM ask over HTTP: a
callback rings the seat and dials, a file opened from a call is correlated with it, an LRM's click-to-call dials
too; a dial the telephony refuses reaches the ARM's console."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from sisamu.bootstrap import build_platform
from sisamu.calls.cti.adapters import RecordingTelephony
from sisamu.domain.ports import DialRequest, FileCorrelation, TelephonyRefused
from sisamu.security import service, store
from sisamu.storage.database import Database

pytestmark = pytest.mark.db
BASE = "/api/samus/250/telephony"
AGENT = "810000000001"


@pytest.fixture
def telephony() -> RecordingTelephony:
    return RecordingTelephony()


@pytest.fixture
def platform(settings, telephony) -> Iterator:
    """The web fixtures' platform, with a telephony that records what the relay sends it."""
    built = build_platform(settings, database=Database(url=settings.database_url), telephony=telephony)
    yield built
    built.close()


def _until(condition: Callable[[], object], what: str, timeout_s: float = 5) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not done within {timeout_s} s: {what}"
        time.sleep(0.01)


def _gateway(platform) -> dict[str, str]:
    with platform.engine.connect() as conn:
        principal = store.principal_from_row(store.account_by_username(conn, "telephony_gateway.250"))
    with platform.uow() as uow:
        token = service.issue_token(uow, principal=principal, name="telephony", now=platform.clock.now())
    return {"Authorization": f"Bearer {token}"}


def test_callbacks_files_and_click_to_call_reach_the_telephony(platform, telephony, client, accounts, login):
    gateway = _gateway(platform)
    arm = login("arm.250")
    assert arm.post(f"{BASE}/seats/P1/login", json={"id_nat_ps": AGENT}).status_code == 200

    # A call answered at P1, then the file opened from it: correlated at that seat.
    assert client.post(f"{BASE}/calls", json={"call_id": "c1"}, headers=gateway).status_code == 201
    assert arm.post(f"{BASE}/seats/P1/answer").json()["state"] == "answered"
    opened = arm.post("/api/samus/250/files", json={"call_id": "c1"})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    _until(lambda: telephony.correlations, "the file's correlation")
    assert telephony.correlations == [FileCorrelation("250", number, AGENT, "c1")]
    assert arm.post(f"{BASE}/calls/c1/end").status_code == 200

    # A lost call called back: the telephony rings P1, then dials the number.
    client.post(f"{BASE}/calls", json={"call_id": "lost", "caller_number": "0611111111"}, headers=gateway)
    platform.clock = _Later(platform.clock, 40)
    client.post(f"{BASE}/calls/lost/hangup", headers=gateway)
    (entry,) = arm.get(f"{BASE}/callbacks").json()
    started = arm.post(f"{BASE}/callbacks/{entry['callback_id']}/start", json={"seat_id": "P1"})
    assert started.json()["dial"] == "requested", started.text
    _until(lambda: telephony.dials, "the callback's dial")
    assert telephony.dials == [DialRequest("250", "P1", AGENT, "0611111111")]

    # An external LRM's click-to-call through sisamu's SI-SAMU routes: the same relay dials.
    click = client.post(
        f"/api/si-samu/v1/cti/FR250/agents/{AGENT}/calls",
        json={"numTel": "0622222222", "idDossier": number},
        headers=gateway,
    )
    assert click.status_code == 202, click.text
    _until(lambda: len(telephony.dials) == 2, "the click-to-call's dial")
    assert telephony.dials[1] == DialRequest("250", "P1", AGENT, "0622222222", number)


def test_a_refused_dial_reaches_the_arms_console(platform, telephony, client, accounts, login):
    arm = login("arm.250")
    arm.post(f"{BASE}/seats/P1/login", json={"id_nat_ps": AGENT})
    telephony.refuse_all = TelephonyRefused("la téléphonie SI-SAMU a répondu 409 (POSTE_OCCUPE)", retry=False)
    with arm.websocket_connect("/ws/live") as ws:
        assert ws.receive_json()["kind"] == "hello"
        click = client.post(
            f"/api/si-samu/v1/cti/FR250/agents/{AGENT}/calls",
            json={"numTel": "0622222222"},
            headers=_gateway(platform),
        )
        assert click.status_code == 202, click.text
        kinds = []
        while "telephony.failed" not in kinds:
            event = ws.receive_json()
            kinds.append(event["kind"])
    # the console hears that the dial was asked for, then that it failed
    assert kinds == ["cti.outgoing_call", "telephony.failed"]
    assert event["id"] == "P1"
    assert event["data"]["message"] == (
        "Le 0622222222 n'a pas été composé : la téléphonie SI-SAMU a répondu 409 (POSTE_OCCUPE). "
        "Composez-le à la main."
    )


class _Later:
    def __init__(self, clock, seconds: float) -> None:
        from datetime import timedelta

        self._at = clock.now() + timedelta(seconds=seconds)

    def now(self):
        return self._at
