"""What /readyz and /metrics say of the background services: a periodic pass that stopped succeeding, a task that
keeps crashing, an adapter that lost its broker."""

from __future__ import annotations

import asyncio

import pytest

from sisamu.platform import services
from sisamu.platform.services import PeriodicPass, TaskService, ThreadedService, health


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(services, "monotonic", fake)  # the services' clock only, not the event loop's
    return fake


async def test_a_periodic_pass_is_healthy_while_its_passes_succeed(clock):
    outcome = {"fail": False}

    def work() -> None:
        if outcome["fail"]:
            raise RuntimeError("database down")

    timers = PeriodicPass("sisamu-timers", work, interval_s=0.01)
    assert health(timers) == ("sisamu-timers", False)  # not started
    timers.start()
    await asyncio.sleep(0.05)
    assert timers.healthy()
    outcome["fail"] = True
    await asyncio.sleep(0.05)
    clock.now += 29  # failing for less than the window (three intervals, at least 30 s)
    assert timers.healthy()
    clock.now += 2
    assert not timers.healthy()
    outcome["fail"] = False
    await asyncio.sleep(0.05)  # the next pass succeeds: healthy again
    assert timers.healthy()
    await timers.stop()
    assert not timers.healthy()


def test_a_pass_turned_off_by_configuration_is_not_a_failure():
    rollups = PeriodicPass("indicators-rollup", lambda: None, interval_s=60, enabled=False)
    rollups.start()
    assert rollups.healthy()


async def test_a_task_that_crashes_is_unhealthy_until_it_runs_again_for_a_while(clock):
    crashes = {"left": 1}

    async def run() -> None:
        if crashes["left"]:
            crashes["left"] -= 1
            raise ConnectionError("broker refused")
        await asyncio.Event().wait()

    worker = TaskService("hub-fr.health.samu250", run, restart_s=0.01)
    worker.start()
    await asyncio.sleep(0.05)
    assert not worker.healthy()  # crashed just now
    clock.now += 6
    assert worker.healthy()  # restarted and running since
    await worker.stop()
    assert not worker.healthy()


def test_an_adapter_says_whether_it_is_connected():
    connected = {"yes": False}
    mqtt = ThreadedService("mqtt", lambda: None, lambda: None, healthy=lambda: connected["yes"])
    assert health(mqtt) == ("mqtt", False)
    connected["yes"] = True
    assert health(mqtt) == ("mqtt", True)


def test_a_service_that_cannot_tell_is_taken_as_healthy():
    class Relay:
        def start(self) -> None: ...

        async def stop(self) -> None: ...

    assert health(Relay()) == ("Relay", True)
