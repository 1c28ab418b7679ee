"""Who may listen to a call's recording (`GET /api/samus/{samu}/telephony/calls/{call}/recording`): the regulators
and supervisors of the call's SAMU, each listening audited; ARMs, analysts and other SAMUs' staff may not, and
another SAMU learns nothing of the call (404)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from staff import login, staff

from sisamu.calls.distribution import service
from sisamu.calls.flux import Flux
from sisamu.calls.recordings import service as recordings
from sisamu.storage.tables import audit_event
from sisamu.voice.media import write_wav

__all__ = ["login", "staff"]
pytestmark = pytest.mark.db
URL = "/api/samus/{samu}/telephony/calls/{call}/recording"


@pytest.fixture
def recorded(platform, staff) -> str:
    """Call `rec-1` of SAMU 250 with its recording; call `rec-2` without one."""
    now = platform.clock.now()
    with platform.uow() as uow:
        for call_id in ("rec-1", "rec-2"):
            service.offer(uow, principal=None, samu_id="250", call_id=call_id, flux=Flux.CENTRE_15, now=now)
    relative = recordings.relative_path("250", "rec-1")
    path = recordings.folder_of(platform.settings) / relative
    path.parent.mkdir(parents=True)
    write_wav(path, [(1000, 500)])
    with platform.uow() as uow:
        recordings.attach(
            uow,
            samu_id="250",
            call_id="rec-1",
            path=relative,
            started_at=now,
            duration_s=0.5,
            size_bytes=path.stat().st_size,
            now=now,
        )
    return path.read_bytes().hex()


def _listenings(platform) -> list[tuple[str, str, str]]:
    query = select(audit_event.c.samu_id, audit_event.c.actor, audit_event.c.object_id).where(
        audit_event.c.action == "call.recording.listen"
    )
    with platform.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def test_the_regulator_and_the_supervisor_of_the_call_s_samu_listen_and_are_audited(
    platform, recorded, login
):
    for username in ("regulator.250", "supervisor.250"):
        response = login(username).get(URL.format(samu="250", call="rec-1"))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "audio/wav"
        assert response.headers["cache-control"] == "no-store"
        assert response.content.hex() == recorded
    assert _listenings(platform) == [("250", "regulator.250", "rec-1"), ("250", "supervisor.250", "rec-1")]


def test_arms_analysts_and_other_samus_may_not_listen(platform, recorded, login):
    for username, samu, status in (
        ("arm.250", "250", 403),  # ARMs ask the regulator or the supervisor
        ("crew.250", "250", 403),
        ("analyst", "250", 403),
        ("auditor", "250", 403),
        ("regulator.680", "250", 403),  # another SAMU's route
        ("regulator.680", "680", 404),  # its own route: the call is not visible from there
        ("supervisor.680", "680", 404),
    ):
        response = login(username).get(URL.format(samu=samu, call="rec-1"))
        assert response.status_code == status, (username, response.text)
        assert "RIFF" not in response.text
    assert _listenings(platform) == []


def test_a_call_without_a_recording_is_404_and_nothing_is_audited(platform, recorded, login):
    response = login("regulator.250").get(URL.format(samu="250", call="rec-2"))
    assert response.status_code == 404
    assert response.json()["code"] == "ENREGISTREMENT_ABSENT"
    (recordings.folder_of(platform.settings) / "250" / "rec-1.wav").unlink()  # the file gone (purged by hand)
    assert login("regulator.250").get(URL.format(samu="250", call="rec-1")).status_code == 404
    assert _listenings(platform) == []
