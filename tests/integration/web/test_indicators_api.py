"""`GET /api/indicators/calls`: role × tenant, grouping, totals, a region's scope and the CSV and Parquet
downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pyarrow.parquet as pq
import pytest

from sisamu.analytics import rollup
from sisamu.calls.distribution import service as calls

pytestmark = pytest.mark.db


@pytest.fixture
def counted(platform, rooms):
    """Two answered calls in 250 (8 s and 50 s), one lost in 680, rolled up."""
    now = platform.clock.now()
    for samu_id, call_id in (("250", "i1"), ("250", "i2"), ("680", "i3")):
        with platform.uow() as uow:
            calls.offer(
                uow, principal=None, samu_id=samu_id, call_id=call_id, flux=calls.Flux.CENTRE_15,
                caller_number="0600000000", now=now,
            )  # fmt: skip
    with platform.uow() as uow:
        calls.abandon(uow, principal=None, samu_id="680", call_id="i3", now=now + timedelta(seconds=40))
    rollup.catch_up(platform.engine, now=now + timedelta(minutes=1), lost_threshold_s=15)
    return now.date().isoformat()


def _query(day: str, extra: str = "") -> str:
    return f"/api/indicators/calls?start={day}&end={day}&tz=UTC{extra}"


def test_a_supervisor_reads_their_samu_only(login, accounts, counted):
    supervisor = login("supervisor.250")
    own = supervisor.get(_query(counted))
    assert own.status_code == 200, own.text
    assert [(p["samu_id"], p["offered"]) for p in own.json()["series"]] == [("250", 2)]
    assert supervisor.get(_query(counted, "&samu=680")).status_code == 403


@pytest.mark.parametrize("username", ["arm.250", "regulator.250", "crew.250", "hospital.250", "auditor.250"])
def test_roles_without_the_indicators_permission_are_refused(login, accounts, counted, username):
    assert login(username).get(_query(counted)).status_code == 403


def test_the_analyst_reads_every_samu_and_the_national_total(login, accounts, counted):
    analyst = login("analyst")
    every = analyst.get(_query(counted)).json()
    assert {(p["samu_id"], p["offered"], p["lost"]) for p in every["series"]} == {
        ("250", 2, 0),
        ("680", 1, 1),
    }
    assert {d["key"] for d in every["definitions"]} >= {"qs60_pct", "lost_pct", "wait_p90_s"}
    total = analyst.get(_query(counted, "&total=true")).json()["series"]
    assert [(p["samu_id"], p["offered"], p["lost"]) for p in total] == [("*", 3, 1)]


def test_the_indicators_download_as_csv(login, accounts, counted):
    response = login("national").get(_query(counted, "&format=csv&total=true"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["samu_id"], r["offered"]) for r in rows] == [("*", "3")]


def test_an_impossible_period_or_zone_is_refused_in_french(login, accounts, counted):
    analyst = login("analyst")
    backwards = analyst.get(f"/api/indicators/calls?start={counted}&end=2000-01-01")
    assert backwards.status_code == 422
    assert "Période invalide" in backwards.text
    assert "Fuseau horaire inconnu" in analyst.get(_query(counted, "&tz=Mars/Olympus")).text


def test_the_indicators_download_as_parquet_with_types_and_units(login, accounts, counted):
    response = login("analyst").get(_query(counted, "&format=parquet"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    assert response.headers["content-disposition"].endswith('.parquet"')
    table = pq.read_table(io.BytesIO(response.content))
    rows = sorted(table.to_pylist(), key=lambda row: row["samu_id"])
    assert [(r["samu_id"], r["offered"], r["lost"]) for r in rows] == [("250", 2, 0), ("680", 1, 1)]
    assert str(table.schema.field("offered").type) == "int64"
    assert str(table.schema.field("qs60_pct").type) == "double"
    assert table.schema.field("wait_median_s").metadata[b"unit"] == b"s"


def test_a_region_scope_reads_its_samus_only(login, accounts, counted):
    analyst = login("analyst")
    regions = analyst.get("/api/indicators/regions").json()
    franche_comte = next(r for r in regions if r["code"] == "27")
    assert "25" in franche_comte["departements"]
    assert "250" in franche_comte["samus"]
    assert "680" not in franche_comte["samus"]
    series = analyst.get(_query(counted, "&region=27&total=true")).json()["series"]
    assert [(p["samu_id"], p["offered"]) for p in series] == [("*", 2)]  # 680 (Grand Est) is not in it
    assert "Région inconnue" in analyst.get(_query(counted, "&region=99")).text
    both = analyst.get(_query(counted, "&region=27&samu=250"))
    assert both.status_code == 422
    assert "pas les deux" in both.json()["detail"]
    # A supervisor's scope stays their SAMU: a region holding others is refused.
    assert login("supervisor.250").get(_query(counted, "&region=27")).status_code == 403


def test_the_activity_indicators_are_served_with_the_same_scope_rules(login, accounts, platform, counted):
    arm = login("arm.250")
    opened = arm.post("/api/samus/250/files", json={"qualification": {"priority": "P2"}})
    assert opened.status_code == 201, opened.text
    rollup.activity.catch_up(platform.engine, now=platform.clock.now() + timedelta(minutes=1))
    supervisor = login("supervisor.250")
    own = supervisor.get(_query(counted).replace("/calls?", "/activity?"))
    assert own.status_code == 200, own.text
    body = own.json()
    assert [(p["samu_id"], p["files_opened"], p["files_p2"]) for p in body["series"]] == [("250", 1, 1)]
    assert {d["key"] for d in body["definitions"]} >= {"to_decision_median_s", "smur_on_scene_median_s"}
    assert supervisor.get(_query(counted, "&samu=680").replace("/calls?", "/activity?")).status_code == 403
    assert arm.get(_query(counted).replace("/calls?", "/activity?")).status_code == 403
    download = login("analyst").get(
        _query(counted, "&format=parquet&total=true").replace("/calls?", "/activity?")
    )
    assert download.headers["content-disposition"].endswith("activite-" + f'{counted}-{counted}.parquet"')
    assert pq.read_table(io.BytesIO(download.content)).to_pylist()[0]["files_opened"] == 1


def test_a_request_can_name_the_indicators_it_wants(login, accounts, counted):
    analyst = login("analyst")
    named = analyst.get(_query(counted, "&indicator=qs60_pct&indicator=lost&total=true")).json()
    assert [{k: v for k, v in p.items() if k not in {"period", "samu_id"}} for p in named["series"]] == [
        {"qs60_pct": 0.0, "lost": 1}  # none answered, one lost (680)
    ]
    assert [d["key"] for d in named["definitions"]] == ["lost", "qs60_pct"]
    csv_text = analyst.get(_query(counted, "&indicator=qs60_pct&format=csv&total=true")).text
    assert csv_text.splitlines()[0] == "period,samu_id,qs60_pct"
    unknown = analyst.get(_query(counted, "&indicator=qs99"))
    assert unknown.status_code == 422
    assert "Indicateur inconnu : qs99" in unknown.json()["detail"]
