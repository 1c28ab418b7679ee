"""Concurrent openings get unique dense numbers; the scheduled job run by two workers moves each file once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sisamu.bootstrap import build_platform
from sisamu.cases import service
from sisamu.cases.scheduler import run_automatic_steps
from sisamu.cases.tables import case_status
from sisamu.domain.codes import Etat

pytestmark = pytest.mark.db


def _parallel(workers: int, target) -> list[BaseException]:
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the test
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_openings_get_unique_dense_numbers(platform, clock, staff):
    numbers: list[str] = []
    lock = threading.Lock()

    def open_some(_: int) -> None:
        for _ in range(5):
            with platform.uow() as uow:
                file = service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now())
            with lock:
                numbers.append(file.number)

    assert _parallel(8, open_some) == []
    assert len(set(numbers)) == 40
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 41))
    assert {n[:-5] for n in numbers} == {"DRFR1525026025"}


def test_a_rolled_back_opening_frees_its_number(platform, clock, staff):
    def open_then_fail() -> None:
        with platform.uow() as uow:
            service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        open_then_fail()
    with platform.uow() as uow:
        file = service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now())
    assert file.number.endswith("00001")


def test_numbers_restart_each_local_day(platform, clock, staff):
    with platform.uow() as uow:
        first = service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now())
    clock.advance(timedelta(days=1).total_seconds())
    with platform.uow() as uow:
        second = service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now())
    assert first.number == "DRFR152502602500001"
    assert second.number == "DRFR152502602600001"


def test_two_workers_move_each_due_file_once(platform, clock, staff):
    opened = []
    for samu_id in ("250", "680"):
        for _ in range(15):
            with platform.uow() as uow:
                who = staff[f"arm.{samu_id}"]
                opened.append(service.open_file(uow, principal=who, samu_id=samu_id, now=clock.now()).number)
    with platform.uow() as uow:
        fresh = service.open_file(
            uow, principal=staff["arm.250"], samu_id="250", now=clock.now() + timedelta(hours=20)
        )
    later = clock.now() + timedelta(hours=25)
    results: list[Counter[str]] = []

    def work(_: int) -> None:
        results.append(run_automatic_steps(platform.uow, later, batch=4))

    assert _parallel(2, work) == []
    assert sum(r["CLOTURE"] for r in results) == 30
    with platform.engine.connect() as conn:
        closures = conn.execute(
            sa.select(case_status.c.number, sa.func.count())
            .where(case_status.c.state == "CLOTURE")
            .group_by(case_status.c.number)
        ).all()
    assert sorted(n for n, _ in closures) == sorted(opened)
    assert {c for _, c in closures} == {1}
    assert fresh.number not in {n for n, _ in closures}
    # three months on, both workers again: each closed file becomes CLASSE once
    results.clear()
    assert (
        _parallel(2, lambda _: results.append(run_automatic_steps(platform.uow, later + timedelta(days=93))))
        == []
    )
    assert sum(r["CLASSE"] for r in results) == 30
    assert sum(r["CLOTURE"] for r in results) == 1  # the fresh file, 24 h after it opened
    with platform.uow() as uow:
        again = run_automatic_steps(platform.uow, later + timedelta(days=93))
    assert again == Counter()
    with platform.uow() as uow:
        file = service.get_file(uow, principal=staff["supervisor.250"], number=opened[0], now=later)
    assert [h.state for h in file.history] == [Etat.ACTIF, Etat.CLOTURE, Etat.CLASSE]


def test_tick_command(platform, clock, staff, settings, monkeypatch):
    from sisamu.cases.cli import app

    with platform.uow() as uow:
        service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now() - timedelta(days=2))
    monkeypatch.setenv("SISAMU_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SISAMU_DATA_DIR", str(settings.data_dir))
    from sisamu import config

    config.get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["tick"], obj=build_platform)
        again = CliRunner().invoke(app, ["tick"], obj=build_platform)
    finally:
        config.get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "1 dossier(s) passé(s) en CLOTURE" in result.output
    assert "Aucun dossier" in again.output
