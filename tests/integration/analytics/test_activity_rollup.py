"""Regulation and SMUR indicators on real PostgreSQL: files and missions made through the services are rolled up
by hour, the incremental pass equals a rebuild, and the indicators read the times they were made with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from factories import add_samu, add_unit
from sisamu.analytics import rollup
from sisamu.analytics.service import Grain, activity_indicators_of
from sisamu.analytics.tables import activity_hour
from sisamu.cases import service as cases
from sisamu.domain.codes import TypeDecision, TypeRessource
from sisamu.resources import service as resources
from sisamu.security.roles import Principal, Role

pytestmark = pytest.mark.db

NOW = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
OPENED = NOW - timedelta(hours=3)  # 09:30 UTC


def _person(role: Role, samu_id: str | None) -> Principal:
    return Principal(uuid.uuid4(), f"{role}.{samu_id}", f"{role}.{samu_id}", role, samu_id)


@pytest.fixture
def activity(platform):
    """In 250: a P1 handed over after 90 s, taken (DRM), decided after 200 s, a SMUR engaged, leaving 150 s later,
    on scene after 15 min, available after an hour; a P3 left with the ARM. In 680, an hour later: a P0."""
    arm, doctor = _person(Role.ARM, "250"), _person(Role.REGULATOR, "250")
    at = OPENED
    with platform.uow() as uow:
        for samu_id in ("250", "680"):
            add_samu(uow, samu_id)
        add_unit(uow, "250", "VLM1", now=at)
        p1 = cases.open_file(uow, principal=arm, samu_id="250", now=at, qualification={"priority": "P1"})
        cases.open_file(uow, principal=arm, samu_id="250", now=at + timedelta(minutes=5),
                        qualification={"priority": "P3"})  # fmt: skip
        cases.open_file(
            uow, principal=_person(Role.ARM, "680"), samu_id="680", now=at + timedelta(hours=1),
            qualification={"priority": "P0"},
        )  # fmt: skip
    steps = [
        (90, lambda uow, t: cases.hand_over(uow, principal=arm, number=p1.number, now=t)),
        (120, lambda uow, t: cases.take(uow, principal=doctor, number=p1.number, now=t)),
        (200, lambda uow, t: cases.record_decision(
            uow, principal=doctor, number=p1.number, now=t,
            decision=cases.DecisionInput(TypeDecision.INTER, resource_type=TypeRessource.SMUR),
        )),
        (210, lambda uow, t: resources.engage(uow, principal=doctor, number=p1.number, resource_id="VLM1", now=t)),
    ]  # fmt: skip
    for seconds, step in steps:
        with platform.uow() as uow:
            step(uow, at + timedelta(seconds=seconds))
    for status, seconds in (
        ("DECLENCHE", 240),
        ("DEPART", 360),
        ("ARRIVEE", 210 + 900),
        ("RETOUR", 210 + 3600),
    ):
        with platform.uow() as uow:
            resources.report_status(
                uow, principal=None, samu_id="250", resource_id="VLM1", status=status,
                now=at + timedelta(seconds=seconds),
            )  # fmt: skip


def _rows(platform) -> list[tuple]:
    with platform.engine.connect() as conn:
        query = sa.select(activity_hour).order_by(activity_hour.c.hour, activity_hour.c.samu_id)
        return [tuple(row)[:-1] for row in conn.execute(query)]  # all but computed_at


def test_the_incremental_pass_equals_a_rebuild(platform, activity):
    done = rollup.activity.catch_up(platform.engine, now=NOW)
    assert done.rows == 2  # 250 at 09:00, 680 at 10:00
    kept = _rows(platform)
    rollup.activity.rebuild(platform.engine, now=NOW)
    assert _rows(platform) == kept
    assert [(row[0], row[1].hour) for row in kept] == [("250", 9), ("680", 10)]


def test_the_indicators_read_the_files_and_the_smur_times(platform, activity):
    rollup.activity.catch_up(platform.engine, now=NOW)
    with platform.engine.connect() as conn:
        points = activity_indicators_of(
            conn, _person(Role.ANALYST, None), samu_ids=[], start=OPENED.date(), end=NOW.date(),
            grain=Grain.PERIOD, zone=ZoneInfo("UTC"), total=False,
        )  # fmt: skip
    by_samu = {point.samu_id: point.values for point in points}
    doubs = by_samu["250"]
    assert (doubs["files_opened"], doubs["files_p1"], doubs["files_p3"], doubs["files_p0"]) == (2, 1, 1, 0)
    assert doubs["files_drm"] == 1
    assert (doubs["files_regulated"], doubs["files_decided"], doubs["smur_missions"]) == (1, 1, 1)
    assert doubs["to_regulation_median_s"] == 120  # 90 s, read as its 30 s step's upper bound
    assert doubs["to_decision_median_s"] == 210  # 200 s
    assert doubs["smur_departure_median_s"] == 180  # 150 s after the engagement, 1 min steps
    assert doubs["smur_on_scene_median_s"] == 960  # 15 min
    assert doubs["smur_duration_median_s"] == 3660  # 1 h
    assert doubs["files_per_100_inhabitants"] == pytest.approx(200 / 543_974, rel=0.05)  # Doubs, INSEE
    assert by_samu["680"]["files_p0"] == 1
    assert by_samu["680"]["smur_missions"] == 0
    assert by_samu["680"]["to_decision_median_s"] is None
