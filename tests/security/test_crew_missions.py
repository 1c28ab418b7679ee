"""Issue 13, the crew terminal, role × tenant over HTTP against `sisamu serve`: a crew reaches its own unit's missions
only — another SAMU's crew, supervisor or physician does not see the mission exist (404), another crew of the same
SAMU is refused it (403) and lists nothing of it; the crew never reads the file itself. The room's supervisor may
report a status the crew gives by radio; the console's crew view is the crew's alone."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from factories import add_account
from sisamu.security import service, store
from sisamu.security.roles import Role

pytestmark = [pytest.mark.db, pytest.mark.slow]
DEMO = (
    "regulator.250",
    "supervisor.250",
    "arm.250",
    "crew.250",
    "crew.680",
    "supervisor.680",
    "regulator.680",
)


def _bearers(platform, usernames) -> dict[str, dict[str, str]]:
    headers = {}
    for username in usernames:
        with platform.engine.connect() as conn:
            principal = store.principal_from_row(store.account_by_username(conn, username))
        with platform.uow() as uow:
            token = service.issue_token(uow, principal=principal, name="crew-test", now=platform.clock.now())
        headers[username] = {"Authorization": f"Bearer {token}"}
    return headers


@pytest.fixture
def http(served, platform) -> Iterator[tuple[httpx.Client, dict[str, dict[str, str]]]]:
    """The served platform (pilots, demo accounts: crew.250 works on a SMUR car), a second crew of SAMU 250."""
    with platform.uow() as uow:
        add_account(uow, "crew2.250", Role.CREW, "250", now=platform.clock.now())
    with httpx.Client(base_url=served.base_url, timeout=15) as client:
        yield client, _bearers(platform, (*DEMO, "crew2.250"))


def test_a_crew_reaches_its_own_units_missions_only(http):
    client, as_ = http
    [unit] = client.get("/api/crew/units", headers=as_["crew.250"]).json()
    rid = unit["resource_id"]
    other = next(
        u["resource_id"]
        for u in client.get("/api/samus/250/resources", headers=as_["supervisor.250"]).json()
        if u["vehicle"] == "SMUR.AR"
    )
    linked = client.patch(
        f"/api/samus/250/resources/{other}",
        json={"crew_username": "crew2.250"},
        headers=as_["supervisor.250"],
    )
    assert linked.status_code == 200, linked.text
    file = client.post(
        "/api/samus/250/files",
        json={"qualification": {"priority": "P1", "location": {"lat": unit["lat"], "lon": unit["lon"]}}},
        headers=as_["regulator.250"],
    ).json()
    engaged = client.post(
        f"/api/files/{file['number']}/missions", json={"resource_id": rid}, headers=as_["regulator.250"]
    )
    assert engaged.status_code == 201, engaged.text
    mid = engaged.json()["mission_id"]
    status_url = f"/api/samus/250/missions/{mid}/status"
    step = {"status": "DECLENCHE"}

    # Another SAMU's crew, supervisor, physician: the mission does not exist for them.
    for who in ("crew.680", "supervisor.680", "regulator.680"):
        assert client.post(status_url, json=step, headers=as_[who]).status_code == 404, who
        assert (
            client.post(f"/api/samus/250/resources/{rid}/status", json=step, headers=as_[who]).status_code
            == 404
        )
        assert client.get(f"/api/samus/250/missions/{mid}", headers=as_[who]).status_code == 404
        assert client.get("/api/samus/250/missions", headers=as_[who]).status_code == 403  # the room's list
    assert client.get("/api/crew/missions", headers=as_["crew.680"]).json() == []

    # The same SAMU's other crew: refused the mission, and lists nothing of it.
    crew2 = as_["crew2.250"]
    assert client.post(status_url, json=step, headers=crew2).status_code == 403
    assert client.get(f"/api/samus/250/missions/{mid}", headers=crew2).status_code == 403
    radio = f"/api/samus/250/missions/{mid}/messages"
    assert client.post(radio, json={"body": "x"}, headers=crew2).status_code == 403
    assert client.get("/api/crew/missions", headers=crew2).json() == []
    assert client.get("/api/samus/250/missions", headers=crew2).json() == []

    # The crew itself: its mission, with where to go and what may come next; never the file itself.
    crew = as_["crew.250"]
    moved = client.post(status_url, json=step, headers=crew)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["history"][-1]["source"], moved.json()["next"]) == ("CREW", ["DEPART", "ANNULE"])
    [mine] = client.get("/api/crew/missions", headers=crew).json()
    assert (mine["mission_id"], mine["status"], mine["priority"], mine["unit_name"]) == (
        mid, "DECLENCHE", "P1", unit["name"],
    )  # fmt: skip
    assert [m["mission_id"] for m in client.get("/api/samus/250/missions", headers=crew).json()] == [mid]
    assert client.get(f"/api/files/{file['number']}", headers=crew).status_code == 403

    # The room's supervisor reports what the crew gave by radio; an ARM of the room too.
    by_radio = client.post(status_url, json={"status": "DEPART"}, headers=as_["supervisor.250"])
    assert by_radio.status_code == 200, by_radio.text
    assert by_radio.json()["history"][-1]["source"] == "CONSOLE"
    assert client.post(status_url, json={"status": "ARRIVEE"}, headers=as_["arm.250"]).status_code == 200


def test_the_crew_view_is_the_crews_alone(http):
    client, as_ = http
    page = client.get("/console", headers=as_["crew.250"])
    assert page.status_code == 200
    assert 'class="console view-crew"' in page.text
    assert "/static/js/crew.js" in page.text
    for who in ("arm.250", "regulator.250", "supervisor.250"):
        assert client.get("/console/crew", headers=as_[who]).status_code == 404, who
    assert client.get("/api/crew/missions", headers=as_["regulator.250"]).json() == []
