"""Issue 16 part 4: the allocation assistant over HTTP — a regulator gets destinations for a list of victims by
category, needs, capacity and travel time, confirms them (one bed taken each, all or nothing), and two regulators
confirming the last bed at once on real PostgreSQL: one wins. Hospital accounts neither allocate nor read other
hospitals' victims."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hospital_world import CH, CHU

from sisamu.domain.clock import FakeClock
from sisamu.hospitals.allocation import service as allocation
from sisamu.hospitals.allocation.model import Triage
from sisamu.hospitals.capacity.model import BedType
from sisamu.security import store as accounts_store
from sisamu.security.errors import Refused
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db
HOSPITALS = "/api/samus/250/hospitals"
ALLOCATIONS = "/api/samus/250/allocations"
BESANCON, MONTBELIARD = (47.2378, 6.0241), (47.5100, 6.7980)


@pytest.fixture(autouse=True)
def _clock(platform):
    platform.clock = FakeClock(datetime(2026, 11, 13, 22, 0, tzinfo=UTC))


def _victim(victim_id: str, triage: str, point: tuple[float, float], *needs: str) -> dict[str, object]:
    return {"victim_id": victim_id, "triage": triage, "needs": list(needs), "lat": point[0], "lon": point[1]}


@pytest.fixture
def beds(api):
    """CHU Besançon: 1 resuscitation, 2 UA, 1 burns; CH Montbéliard: 1 theatre, 1 UA, 3 UR."""
    chu = {
        "REA": {"available": 1},
        "UA": {"available": 2},
        "BRULES": {"available": 1},
        "UR": {"available": 0},
    }
    ch = {"BLOC": {"available": 1}, "UA": {"available": 1}, "UR": {"available": 3}}
    assert api("hospital.250").put(f"{HOSPITALS}/{CHU}/status", json={"beds": chu}).status_code == 200
    assert api("montbeliard.250").put(f"{HOSPITALS}/{CH}/status", json={"beds": ch}).status_code == 200


@pytest.mark.usefixtures("beds")
def test_the_assistant_places_by_category_needs_and_travel_time_and_says_who_cannot_be_placed(api):
    victims = [
        _victim("EU-1", "EU", MONTBELIARD),
        _victim("EU-2", "EU", MONTBELIARD),
        _victim("UA-1", "UA", MONTBELIARD),
        _victim("UA-2", "UA", MONTBELIARD),
        _victim("BURN-1", "UA", MONTBELIARD, "BRULURES"),
        _victim("UR-1", "UR", MONTBELIARD),
        _victim("KID-1", "UR", MONTBELIARD, "PEDIATRIE"),
    ]
    proposed = api("regulator.250").post(f"{ALLOCATIONS}/proposals", json={"victims": victims})
    assert proposed.status_code == 200, proposed.text
    body = proposed.json()
    placed = {p["victim_id"]: (p["hospital_id"], p["bed_type"]) for p in body["placements"]}
    # two EU: the theatre next door and the resuscitation bed in Besançon; UA: the near bed goes to one of them
    assert {placed["EU-1"], placed["EU-2"]} == {(CH, "BLOC"), (CHU, "REA")}
    assert {placed["UA-1"], placed["UA-2"]} == {(CH, "UA"), (CHU, "UA")}
    assert placed["BURN-1"] == (CHU, "BRULES")
    assert placed["UR-1"] == (CH, "UR")
    unplaced = {u["victim_id"]: u["reason"] for u in body["unplaced"]}
    assert unplaced == {"KID-1": "Aucun lit disponible dans la catégorie requise (PEDIATRIE)."}
    near = next(p for p in body["placements"] if p["victim_id"] == "UR-1")
    assert near["travel_s"] < 300
    assert near["hospital_name"] == "Centre hospitalier de Montbéliard"


@pytest.mark.usefixtures("beds")
def test_confirming_takes_the_beds_all_or_nothing(platform, api):
    regulator = api("regulator.250")
    first = [
        {"victim_id": "UA-1", "triage": "UA", "hospital_id": CH, "bed_type": "UA", "travel_s": 60},
        {"victim_id": "UR-1", "triage": "UR", "hospital_id": CH, "bed_type": "UR"},
    ]
    confirmed = regulator.post(ALLOCATIONS, json={"allocations": first})
    assert confirmed.status_code == 201, confirmed.text
    assert {(a["victim_id"], a["hospital_id"]) for a in confirmed.json()} == {("UA-1", CH), ("UR-1", CH)}
    state = regulator.get(f"{HOSPITALS}/{CH}/status").json()
    assert (state["beds"]["UA"]["available"], state["beds"]["UR"]["available"]) == (0, 2)
    history = regulator.get(f"{HOSPITALS}/{CH}/status/history").json()
    assert [h["cause"] for h in history[:2]] == ["ALLOCATION", "ALLOCATION"]

    # no UA bed left at the CH: the whole confirmation is refused, the UR bed of the other victim is not taken
    second = [
        {"victim_id": "UR-2", "triage": "UR", "hospital_id": CH, "bed_type": "UR"},
        {"victim_id": "UA-2", "triage": "UA", "hospital_id": CH, "bed_type": "UA"},
    ]
    refused = regulator.post(ALLOCATIONS, json={"allocations": second})
    assert refused.status_code == 409
    assert refused.json()["code"] == "PLUS_DE_LIT"
    assert "Montbéliard" in refused.json()["detail"]
    assert regulator.get(f"{HOSPITALS}/{CH}/status").json()["beds"]["UR"]["available"] == 2
    # a victim already sent somewhere is not sent twice, nor proposed again
    again = regulator.post(ALLOCATIONS, json={"allocations": [first[1]]})
    assert again.status_code == 409
    assert again.json()["code"] == "VICTIME_DEJA_ORIENTEE"
    proposal = regulator.post(
        f"{ALLOCATIONS}/proposals", json={"victims": [_victim("UR-1", "UR", MONTBELIARD)]}
    ).json()
    assert proposal["placements"] == []
    assert proposal["unplaced"][0]["reason"] == "Déjà orientée vers Centre hospitalier de Montbéliard."
    with platform.engine.connect() as conn:
        actions = conn.execute(
            sa.select(audit_event.c.action, audit_event.c.object_id).where(
                audit_event.c.action.like("allocation.%")
            )
        ).all()
    assert ("allocation.confirm", "UA-1") in actions
    assert ("allocation.propose", "1") in actions


@pytest.mark.usefixtures("beds")
def test_hospital_accounts_neither_allocate_nor_read_other_hospitals_victims(api):
    victims = {"victims": [_victim("UA-1", "UA", BESANCON)]}
    choice = {"allocations": [{"victim_id": "UA-1", "triage": "UA", "hospital_id": CHU, "bed_type": "UA"}]}
    for who in ("hospital.250", "supervisor.250", "arm.250"):
        assert api(who).post(f"{ALLOCATIONS}/proposals", json=victims).status_code == 403, who
        assert api(who).post(ALLOCATIONS, json=choice).status_code == 403, who
    for who in ("regulator.680", "hospital.680"):
        assert api(who).post(f"{ALLOCATIONS}/proposals", json=victims).status_code == 404, who
        assert api(who).get(ALLOCATIONS).status_code == 404, who
    assert api("regulator.250").post(ALLOCATIONS, json=choice).status_code == 201
    to_ch = {"victim_id": "UR-9", "triage": "UR", "hospital_id": CH, "bed_type": "UR"}
    assert api("regulator.250").post(ALLOCATIONS, json={"allocations": [to_ch]}).status_code == 201
    # each hospital reads the victims sent to it, and no other; the room's staff read all
    assert [a["victim_id"] for a in api("hospital.250").get(ALLOCATIONS).json()] == ["UA-1"]
    assert [a["victim_id"] for a in api("montbeliard.250").get(ALLOCATIONS).json()] == ["UR-9"]
    assert {a["victim_id"] for a in api("arm.250").get(ALLOCATIONS).json()} == {"UA-1", "UR-9"}
    assert api("unattached.250").get(ALLOCATIONS).status_code == 403


@pytest.mark.usefixtures("beds")
def test_two_regulators_confirming_the_last_bed_at_once_one_wins(platform, tokens):
    """Real PostgreSQL, two transactions at once: the resuscitation bed of the CHU is the last one."""
    with platform.engine.connect() as conn:
        regulator = accounts_store.principal_from_row(
            accounts_store.account_by_username(conn, "regulator.250")
        )
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def confirm(victim_id: str) -> None:
        start.wait()
        choice = allocation.Choice(victim_id, Triage.EU, CHU, BedType.RESUSCITATION)
        try:
            with platform.uow() as uow:
                allocation.confirm(
                    uow, principal=regulator, samu_id="250", choices=[choice], now=platform.clock.now()
                )
            outcomes.append("won")
        except Refused as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=confirm, args=(f"EU-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["PLUS_DE_LIT"] * 7 + ["won"]
    with platform.engine.connect() as conn:
        left = conn.execute(
            sa.text("SELECT available FROM hospital_beds WHERE hospital_id = :h AND bed_type = 'REA'"),
            {"h": CHU},
        ).scalar_one()
        sent = conn.execute(sa.text("SELECT count(*) FROM victim_allocation")).scalar_one()
    assert (left, sent) == (0, 1)
