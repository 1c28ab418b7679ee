"""Two SAMU sites as they run in production, talking through a Hub Santé: `sisamu hub local`, and `sisamu run` for
SAMU 250 and for SAMU 680, each on a database of its own. The test drives them over HTTP only, as their staff's
consoles would; everything between the sites crosses the broker (RS-EDA, RS-EDA-MAJ, RS-RI)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sites import LocalHubProcess, Site, eventually

from sisamu.bootstrap import build_platform
from sisamu.config import Settings
from sisamu.seeding import seed
from sisamu.storage.database import Database
from support import require_broker

pytestmark = [pytest.mark.slow, pytest.mark.db, pytest.mark.broker]

HUB_250, HUB_680 = "fr.health.samu250", "fr.health.samu680"


def _seed(database_url: str, data_dir: Path) -> None:
    platform = build_platform(
        Settings(database_url=database_url, data_dir=data_dir), database=Database(url=database_url)
    )
    try:
        seed(platform, "pilots", demo_accounts=True)
    finally:
        platform.close()


@pytest.fixture
def sites(database_url: str, new_database_url: str, tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    """SAMU 250's site and SAMU 680's site, each with its Hub worker, on one local hub."""
    require_broker()
    for url, name in ((database_url, "a"), (new_database_url, "b")):
        _seed(url, tmp_path / name)
    vhost = f"sisamu-e2e-{uuid.uuid4().hex[:8]}"
    hub = LocalHubProcess([HUB_250, HUB_680], vhost, vhost)
    started: list[Site] = []
    try:
        started.append(Site("250", database_url, tmp_path / "a", hub))
        started.append(Site("680", new_database_url, tmp_path / "b", hub))
        yield started[0], started[1]
    finally:
        for site in started:
            site.stop()
        hub.stop()


def _board(client: Any, samu_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/samus/{samu_id}/files/board")
    assert response.status_code == 200, response.text
    return list(response.json())


def _file(client: Any, number: str) -> dict[str, Any]:
    response = client.get(f"/api/files/{number}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _notes(client: Any, number: str) -> list[str]:
    return [note["body"] for note in _file(client, number)["notes"]]


def test_a_file_shared_by_250_reaches_680_and_the_sites_hear_of_each_other(sites: tuple[Site, Site]) -> None:
    site_250, site_680 = sites
    with site_250.session("arm.250") as arm_250, site_680.session("regulator.680") as doctor_680:
        opened = arm_250.post(
            "/api/samus/250/files",
            json={
                "qualification": {"priority": "P1", "motif": "M01.01", "caller_phone": "0612345678"},
                "patients": [{"last_name": "Durand", "first_name": "Alice", "sex": "F", "age": "P67Y"}],
            },
        )
        assert opened.status_code == 201, opened.text
        number = opened.json()["number"]
        shared = arm_250.post(f"/api/files/{number}/share", json={"to": HUB_680})
        assert shared.status_code in {200, 201, 202}, shared.text

        # 680 has the file: a local file of its own (its own number), with the patient and the priority.
        received = eventually(lambda: _board(doctor_680, "680"), what="the shared file on 680's board")
        number_680 = received[0]["number"]
        file_680 = _file(doctor_680, number_680)
        assert [(p["last_name"], p["first_name"]) for p in file_680["patients"]] == [("Durand", "Alice")]
        assert file_680["qualification"]["priority"] == "P1"

        # 250 engages one of its units on the shared file: 680 hears of it (RS-RI), as a note on its file.
        units = arm_250.get("/api/samus/250/resources")
        assert units.status_code == 200, units.text
        unit = next(u for u in units.json() if u["availability"] == "AVAILABLE")
        engaged = arm_250.post(f"/api/files/{number}/missions", json={"resource_id": unit["resource_id"]})
        assert engaged.status_code == 201, engaged.text
        eventually(
            lambda: any(
                "Moyen engagé par fr.health.samu250" in body for body in _notes(doctor_680, number_680)
            ),
            what="250's unit announced on 680's file",
        )

        # 680's physician adds a note: 250 sees it on its own file (RS-EDA-MAJ back through the hub).
        note = "Patiente connue du SAMU 68, antécédents cardiaques."
        added = doctor_680.post(f"/api/files/{number_680}/notes", json={"body": note})
        assert added.status_code == 201, added.text
        eventually(
            lambda: any(note in body for body in _notes(arm_250, number)), what="680's note on 250's file"
        )
